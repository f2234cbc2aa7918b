"""The compliance engine: set-based SQL over the ledger, one statement per requirement (full runs).

* :func:`recompute` — every cadre, every requirement in force: ``DELETE`` + ``INSERT … SELECT`` per
  requirement (window functions and ``GROUP BY`` over the ledger, no Python loop per cadre).
* :func:`recompute_cadre` — one cadre (a new record via :func:`update_for_record`, a move, a changed
  position), for all requirements or only those a new record can affect: the cadre's ledger rows read
  by index and evaluated by :mod:`.rules` (the reference the SQL is property-tested against), then one
  ``DELETE … RETURNING``, one multi-row ``INSERT`` and the per-unit counts adjusted (4–5 statements).
* Per-unit counts (``compliance_unit_counts``), the top units' snapshot (``compliance_rollup_counts``)
  and its append-only deltas: :func:`rebuild_counts`, :func:`rebuild_rollup`, ``_adjust_counts``.
* :func:`cached_requirements` — the requirement versions in force on a day, resolved once per process and
  generation (``standards_generation``, bumped in the transaction that changes a standard, requirement
  or module; read once per transaction).
* :func:`recompute_subtree` — the cadres of a unit's subtree (a moved unit).
* :func:`status_rows` — the same SELECT as of a past day for a subtree: from a snapshot taken at a
  period end and the ledger since (:mod:`.snapshots`), or on the fly from the ledger
  (:func:`ledger_status_rows`: records created by the end of that day, the requirement versions then).

The statement itself is built in :mod:`.statement`, the requirement versions in force are resolved and
cached in :mod:`.plans`, and the counts the dashboards read are kept in :mod:`.counts`; the names are
re-exported here. The SQL runs on SQLite and PostgreSQL; date arithmetic is the only dialect difference (SQLite gets
``lms_add_months``/``lms_add_days`` functions registered on connect, identical to :mod:`.rules`).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, select, text, union_all
from sqlalchemy.engine import Engine

from lms.core import clock
from lms.core.db import db
from lms.org.models import OrgUnit
from lms.standards import rules
from lms.standards.counts import (  # noqa: F401 - re-exported: hooks, tests and benches call engine.*
    RETURNING,
    adjust_counts,
    adjust_standard_counts,
    rebuild_counts,
    rebuild_rollup,
    rebuild_standard_counts,
    standard_ids,
)
from lms.standards.models import Requirement
from lms.standards.plans import (  # noqa: F401 - re-exported
    ReqInfo,
    cached_requirements,
    clear_cache,
    make_plan,
    mark_standards_changed,
    requirements_in_force,
)
from lms.standards.sql import execute, in_list
from lms.standards.statement import COLUMNS, Scope, build_select  # noqa: F401 - re-exported

_in_list = in_list
_adjust_counts = adjust_counts
_RETURNING = RETURNING

VN = clock.VN
today_vn = clock.today_vn  # the day statuses are computed for (lms.core.clock)


@event.listens_for(Engine, "connect")
def _sqlite_functions(dbapi_connection, connection_record) -> None:  # pragma: no cover - driver hook
    """Register the date functions the engine's SQL uses on SQLite."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_function("lms_add_months", 2, _sqlite_add_months, deterministic=True)
    dbapi_connection.create_function("lms_add_days", 2, _sqlite_add_days, deterministic=True)


def _sqlite_add_months(value: str | None, months: int) -> str | None:
    return None if value is None else rules.add_months(date.fromisoformat(value[:10]), int(months)).isoformat()


def _sqlite_add_days(value: str | None, days: int) -> str | None:
    return None if value is None else (date.fromisoformat(value[:10]) + timedelta(days=int(days))).isoformat()


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` ends in Vietnam, in UTC: records created before it count as of ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN).astimezone(UTC)


def _insert(requirements, today: date, scope: Scope, returning: bool = False):
    if not requirements:
        return []
    sql, params = build_select(requirements, today, scope)
    # SQLite and PostgreSQL both accept INSERT INTO … with a WITH-prefixed SELECT
    result = execute(f"INSERT INTO compliance_statuses ({COLUMNS})\n{sql}" + (_RETURNING if returning else ""),
                     params)
    return result.all() if returning else []


# --------------------------------------------------------------------------- runs


def recompute(today: date | None = None, progress=None) -> int:
    """Recompute every status (the requirement versions in force today) and the per-unit counts.

    Returns the number of status rows.
    """
    today = today or today_vn()
    db.session.flush()
    requirements = requirements_in_force(today)
    ids = [r.id for r in requirements]
    params: dict[str, Any] = {}
    execute(f"DELETE FROM compliance_statuses WHERE requirement_id NOT IN {_in_list('keep', ids, params)}"
            if ids else "DELETE FROM compliance_statuses", params)
    for req in requirements:
        execute("DELETE FROM compliance_statuses WHERE requirement_id = :rid", {"rid": req.id})
        _insert([req], today, Scope())
        if progress:
            progress(req)
    rebuild_counts()
    rebuild_rollup()
    db.session.expire_all()
    return db.session.scalar(text("SELECT COUNT(*) FROM compliance_statuses")) or 0


def recompute_requirement(req: Requirement, today: date | None = None) -> None:
    """Recompute one requirement's rows (after it changed) and its counts."""
    today = today or today_vn()
    db.session.flush()
    execute("DELETE FROM compliance_statuses WHERE requirement_id = :rid", {"rid": req.id})
    if req.in_force(today):
        _insert([req], today, Scope())
    rebuild_counts("requirement_id = :rid", {"rid": req.id})
    rebuild_rollup(req.id)


def recompute_cadre(cadre_id: int, today: date | None = None,
                    requirements: list[ReqInfo] | tuple[ReqInfo, ...] | None = None) -> None:
    """Recompute one cadre's rows — every requirement in force, or only ``requirements`` — and the counts.

    Four small statements whatever the number of requirements: the cadre (with its unit), the cadre's
    ledger rows (originals and whatever amends them), ``DELETE … RETURNING`` of the old rows, one
    multi-row ``INSERT``; then the per-unit counts change only where a state changed (old −1, new +1).
    The statuses are evaluated by :mod:`.rules` — the reference the set-based SQL is tested against
    (property tests: SQL = Python, incremental = full recompute). For one cadre this beats the
    set-based statement, whose planning alone (≈ 12–25 ms for its dozens of CTEs) exceeded the budget.
    """
    from lms.org.models import Cadre
    from lms.records.models import TrainingRecord
    from lms.standards import criteria
    from lms.standards.models import ComplianceStatus

    today = today or today_vn()
    params: dict[str, Any] = {"cid": cadre_id}
    if requirements is None:
        requirements = cached_requirements(today)
        only = ""  # also drops rows of versions no longer in force
    else:
        if not requirements:
            return
        only = " AND requirement_id IN " + _in_list("rq", [r.id for r in requirements], params)
    facts = db.session.execute(
        select(Cadre.org_unit_id, Cadre.appointed_on, Cadre.employment, Cadre.position, Cadre.is_key, Cadre.gender,
               Cadre.active, OrgUnit.path, OrgUnit.level)
        .join(OrgUnit, OrgUnit.id == Cadre.org_unit_id).where(Cadre.id == cadre_id)).first()
    rows = []
    if facts is not None:
        cadre = criteria.CadreFacts(facts.employment, facts.position, facts.is_key, facts.gender, facts.path,
                                    facts.level, facts.active)
        applicable = [r for r in requirements if criteria.matches(r.applies_to, cadre)]
        if applicable:
            t = TrainingRecord
            cols = (t.id, t.cadre_id, t.module_id, t.topic, t.hours, t.score, t.completed_on, t.source, t.kind,
                    t.amends_id, t.requirement_id, t.created_at)
            # the cadre's rows, and amendments of them filed under another cadre id: two index scans
            # (an OR of both conditions makes PostgreSQL scan the whole ledger)
            ledger = db.session.execute(union_all(
                select(*cols).where(t.cadre_id == cadre_id),
                select(*cols).where(t.amends_id.in_(select(t.id).where(t.cadre_id == cadre_id)),
                                    t.cadre_id != cadre_id))).all()
            effective = [r for r in rules.effective_records(ledger, day=today) if r.cadre_id == cadre_id]
            for req in applicable:
                o = rules.evaluate(req.plan, facts.appointed_on, effective, today)
                rows.append({"cadre_id": cadre_id, "requirement_id": req.id, "org_unit_id": facts.org_unit_id,
                             "org_path": facts.path, "state": o.state, "due_on": o.due_on,
                             "satisfied_on": o.satisfied_on, "valid_until": o.valid_until, "waived_on": o.waived_on,
                             "record_ids": ",".join(str(i) for i in o.record_ids) or None, "computed_on": today})
    before = execute("SELECT org_unit_id, org_path, requirement_id, state, CASE WHEN state = 'due_soon'"
                     " AND satisfied_on IS NOT NULL THEN 1 ELSE 0 END FROM compliance_statuses WHERE cadre_id = :cid",
                     {"cid": cadre_id}).all()
    old = execute(f"DELETE FROM compliance_statuses WHERE cadre_id = :cid{only}{_RETURNING}", params).all()
    if rows:
        db.session.execute(ComplianceStatus.__table__.insert(), rows)
    new = [(r["org_unit_id"], r["org_path"], r["requirement_id"], r["state"],
            int(r["state"] == "due_soon" and r["satisfied_on"] is not None)) for r in rows]
    _adjust_counts(old, new)
    gone = {row[2] for row in old}
    after = [tuple(row) for row in before if row[2] not in gone] + new
    known = {r.id: r.standard_id for r in cached_requirements(today)}
    adjust_standard_counts(before, after, standard_ids({row[2] for row in before + after}, known))


def update_for_record(record) -> None:
    """A new ledger row: recompute its cadre for the requirements the row can affect (same transaction).

    An original record or waiver affects the requirements naming its module or topic (or, for a
    waiver, its requirement). A correction or revocation may change what the original said, so it
    recomputes every requirement of the cadre.
    """
    today = today_vn()
    requirements = cached_requirements(today)
    if not requirements:
        return
    if record.kind == "record":
        requirements = tuple(r for r in requirements
                             if r.affected_by(record.module_id, record.topic, record.requirement_id))
        if not requirements:
            return
    recompute_cadre(record.cadre_id, today, requirements)


def recompute_subtree(unit: OrgUnit, today: date | None = None) -> None:
    """Recompute the rows of every cadre now in ``unit``'s subtree (after the unit moved), and their counts."""
    today = today or today_vn()
    scope = Scope(path=unit.path)
    old = execute("DELETE FROM compliance_statuses WHERE cadre_id IN (SELECT c.id FROM cadres c JOIN org_units u"
                  " ON u.id = c.org_unit_id WHERE 1 = 1" + scope.cadre_filter() + ")" + _RETURNING,
                  scope.params()).all()
    _adjust_counts(old, _insert(cached_requirements(today), today, scope, returning=True))
    rebuild_standard_counts()  # rare (a moved unit): the per-standard cadre counts from scratch


def status_rows(unit: OrgUnit | None, day: date, cadre_id: int | None = None) -> tuple[str, dict[str, Any]]:
    """SELECT of the status rows as of ``day`` for a subtree (or one cadre).

    A subtree's from the latest usable snapshot and the ledger since (:mod:`.snapshots`), else — and
    for one cadre — from the ledger.
    """
    if cadre_id is None:
        from lms.standards import snapshots

        found = snapshots.status_rows(unit, day)
        if found is not None:
            return found
    return ledger_status_rows(unit, day, cadre_id)


def ledger_status_rows(unit: OrgUnit | None, day: date, cadre_id: int | None = None) -> tuple[str, dict[str, Any]]:
    """SELECT of the status rows as of ``day`` for a subtree (or one cadre), from the ledger alone."""
    scope = Scope(cadre_id=cadre_id) if cadre_id is not None else Scope(path=unit.path if unit else None)
    return build_select(cached_requirements(day), day, scope, cutoff=end_of_day(day))
