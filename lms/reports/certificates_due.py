"""Issuing every certificate due to a set of cadres at once (after an import, ``lms certificates issue``).

Set-based: per chunk of cadres, one query finds the module completions that still lack a certificate and
one ``INSERT … ON CONFLICT (subject_key) DO NOTHING`` issues them, with the same rules as
:func:`lms.reports.certificates.issue_for_record` (one valid certificate per cadre and module, none for
imported history, waivers, quiz scores without hours or revoked records).
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import BindParameter

from lms.core.clock import today_vn
from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.reports.models import Certificate, CertificateKind

#: cadres per query (well under every database's bound-parameter limit)
CHUNK = 500


def issue_due(cadre_ids: list[int], as_of: date) -> int:
    """Issue every certificate not yet issued to ``cadre_ids``: module completions and requirements met.
    Returns how many were issued; running it again issues none."""
    from lms.reports.certificates import issue_standards

    before = db.session.scalar(select(func.count(Certificate.id))) or 0
    for start in range(0, len(cadre_ids), CHUNK):
        chunk = cadre_ids[start:start + CHUNK]
        _insert_ignoring_duplicates(_module_rows(chunk, as_of))
        issue_standards(chunk, as_of)
    return (db.session.scalar(select(func.count(Certificate.id))) or 0) - before


def issue_modules(cadre_ids: list[int], as_of: date | None = None) -> None:
    """Issue the module certificates due to ``cadre_ids`` (completed by ``as_of``, or any day when None)."""
    for start in range(0, len(cadre_ids), CHUNK):
        _insert_ignoring_duplicates(_module_rows(cadre_ids[start:start + CHUNK], as_of))


def _due_query(cadre_ids: list[int] | BindParameter, as_of: date | None):
    """Module completions of ``cadre_ids`` that would get a certificate, oldest first, with the module's
    title and hours and the holder's name and unit."""
    from lms.catalog.models import Module
    from lms.records.models import Kind, Source, TrainingRecord

    record, amendment = TrainingRecord, aliased(TrainingRecord, name="amendment")
    module_kind = Certificate.kind == CertificateKind.module.value
    revoked = exists().where(amendment.amends_id == record.id, amendment.kind == Kind.revocation.value)
    held = exists().where(Certificate.cadre_id == record.cadre_id, Certificate.module_id == record.module_id,
                          module_kind, Certificate.revoked_at.is_(None))
    own = exists().where(Certificate.record_id == record.id, module_kind)
    quiz_score = and_(record.source == Source.assessment.value, or_(record.hours.is_(None), record.hours == 0))
    return (
        select(record.id, record.cadre_id, record.module_id, record.hours, record.completed_on,
               Module.title_vi, Module.hours.label("module_hours"), Cadre.full_name, OrgUnit.name.label("unit"))
        .join(Module, Module.id == record.module_id).join(Cadre, Cadre.id == record.cadre_id)
        .outerjoin(OrgUnit, OrgUnit.id == Cadre.org_unit_id)
        .where(record.cadre_id.in_(cadre_ids), record.kind == Kind.record.value,
               record.completed_on <= as_of if as_of is not None else true(),
               record.source.not_in([Source.waiver.value, Source.imported.value]), not_(quiz_score),
               ~revoked, ~held, ~own)
        .order_by(record.id)
    )


@functools.cache
def _due_any_day():
    """:func:`_due_query` for any completion day, the cadres an expanding parameter ``cadres``: built once
    per process (building it cost more CPU than running it, in the per-cadre job after each pass)."""
    return _due_query(bindparam("cadres", expanding=True), None)


def _module_rows(cadre_ids: list[int], as_of: date | None) -> list[dict[str, Any]]:
    """The certificate rows to insert: the oldest due completion of each cadre and module."""
    from lms.reports.certificates import new_code

    rows: dict[tuple[int, int], dict[str, Any]] = {}
    today = today_vn()
    found_rows = (db.session.execute(_due_any_day(), {"cadres": cadre_ids}) if as_of is None
                  else db.session.execute(_due_query(cadre_ids, as_of)))
    for found in found_rows:
        if (found.cadre_id, found.module_id) in rows:
            continue  # one certificate per achievement: a retake adds none
        rows[found.cadre_id, found.module_id] = {
            "code": new_code(), "cadre_id": found.cadre_id, "kind": CertificateKind.module.value,
            "subject_key": f"module:{found.id}", "title": found.title_vi, "holder_name": found.full_name,
            "unit_name": found.unit or "", "hours": found.hours or found.module_hours,
            "completed_on": found.completed_on, "issued_on": today, "expires_on": None,
            "module_id": found.module_id, "requirement_id": None, "record_id": found.id,
            "revoke_reason": "",
        }
    return list(rows.values())


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> None:
    """One ``INSERT … ON CONFLICT (subject_key) DO NOTHING`` of ``rows`` (PostgreSQL and SQLite alike)."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(Certificate.__table__).on_conflict_do_nothing(index_elements=["subject_key"]), rows)
