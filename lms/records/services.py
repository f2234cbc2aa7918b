"""Appending to the ledger. Every feature that produces a record calls :func:`append_record`.

Listeners (the compliance engine) run in the same transaction, so a new record and the cadre's
updated compliance statuses are committed together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.records.models import Kind, Source, TrainingRecord

#: functions called with each appended record, in the same transaction (e.g. compliance update)
_listeners: list[Callable[[TrainingRecord], None]] = []


def on_record_appended(listener: Callable[[TrainingRecord], None]) -> Callable[[TrainingRecord], None]:
    """Register a listener (decorator); registering twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def append_record(
    cadre_id: int,
    *,
    source: Source | str,
    completed_on: date,
    topic: str,
    hours: Decimal | float | int = 0,
    module_id: int | None = None,
    score: Decimal | float | None = None,
    evidence: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    kind: Kind | str = Kind.record,
    amends_id: int | None = None,
    requirement_id: int | None = None,
    reason: str = "",
    created_by_id: int | None = None,
) -> TrainingRecord:
    """Append a record (flushes; the caller commits). With ``dedupe_key``, appending twice returns the first row."""
    if dedupe_key is not None:
        existing = db.session.scalar(select(TrainingRecord).where(TrainingRecord.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    record = TrainingRecord(
        cadre_id=cadre_id,
        source=Source(source).value,
        completed_on=completed_on,
        topic=topic,
        hours=Decimal(str(hours)),
        module_id=module_id,
        score=None if score is None else Decimal(str(round(float(score), 2))),
        evidence=evidence or {},
        dedupe_key=dedupe_key,
        kind=Kind(kind).value,
        amends_id=amends_id,
        requirement_id=requirement_id,
        reason=reason,
        created_by_id=created_by_id,
    )
    db.session.add(record)
    db.session.flush()
    for listener in list(_listeners):
        listener(record)
    return record
