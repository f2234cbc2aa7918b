"""Queueing statements: the ledger listener writes them to the outbox in the record's own transaction,
and enqueues the sending job (:mod:`lms.xapi.jobs`), which starts after that transaction commits.

Nothing is queued while no LRS is configured (``LMS_XAPI_ENDPOINT`` unset). Imports and waivers make no
statement (nothing was learned here); a revocation voids the revoked record's statements; a correction
makes none (docs/xapi.md says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.catalog.models import Module, PackageVersion
from lms.core.db import db, insert_once
from lms.player.models import Attempt
from lms.records.models import Kind, TrainingRecord
from lms.xapi import statements
from lms.xapi.models import XapiOutbox


def enabled() -> bool:
    return bool(current_app.config.get("LMS_XAPI_ENDPOINT"))


def queue_record(record: TrainingRecord) -> None:
    """Ledger listener: queue the record's statements (same transaction; an existing id is kept)."""
    if not enabled():
        return
    base_url = current_app.config["LMS_BASE_URL"]
    if record.kind == Kind.revocation.value and record.amends_id is not None:
        targets = db.session.scalars(select(XapiOutbox.statement).where(XapiOutbox.record_id == record.amends_id,
                                                                        XapiOutbox.verb != "voided"))
        for target in list(targets):
            _queue(record.id, "voided", statements.voiding(base_url, record.id, target))
        return
    if record.kind != Kind.record.value or record.source not in statements.SOURCES:
        return
    facts = gather(record, base_url)
    for verb in statements.verbs_for(facts):
        _queue(record.id, verb, statements.build(facts, verb))


def wants_statement(row: Mapping[str, Any]) -> bool:
    """Whether :func:`queue_record` queues anything for a row (from its column values)."""
    kind = row.get("kind", Kind.record.value)
    return kind == Kind.revocation.value or (kind == Kind.record.value and row.get("source") in statements.SOURCES)


def _queue(record_id: int, verb: str, statement: dict[str, Any]) -> None:
    """Queue one statement; the sending job starts once the transaction commits."""
    from lms.xapi.jobs import schedule_send

    if insert_once(XapiOutbox, "statement_id", {
            "statement_id": statement["id"], "record_id": record_id, "verb": verb, "statement": statement,
            "status": "pending", "tries": 0, "last_error": ""}) is not None:
        schedule_send()


def gather(record: TrainingRecord, base_url: str) -> statements.Facts:
    """The facts of a record: its cadre, module, package version and pass/fail, class or quiz."""
    evidence = record.evidence or {}
    module = db.session.get(Module, record.module_id) if record.module_id else None
    attempt = db.session.get(Attempt, evidence["attempt_id"]) if evidence.get("attempt_id") else None
    number = db.session.scalar(select(PackageVersion.number).where(
        PackageVersion.id == attempt.package_version_id)) if attempt else None
    return statements.Facts(
        base_url=base_url, record_id=record.id, cadre_code=record.cadre.code,
        source=record.source, timestamp=record.created_at, score=record.score, hours=record.hours,
        module_code=module.code if module else None, module_title=module.title_vi if module else "",
        package_number=number, success=attempt.success if attempt else "unknown",
        class_id=evidence.get("class_id"), class_title=str(evidence.get("title") or ""),
        quiz_id=evidence.get("quiz_id"), platform=record.source_detail if record.source == "lti" else None)
