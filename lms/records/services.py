"""Appending to the ledger. Every feature that produces a record calls :func:`append_record`.

Listeners (the compliance engine) run in the same transaction, so a new record and the cadre's
updated compliance statuses are committed together.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, insert, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from lms.core.clock import today_vn
from lms.core.db import db, insert_once
from lms.core.errors import UserError
from lms.records.checks import check_completed_on, check_hours, check_score  # noqa: F401 - callers use services.<name>
from lms.records.models import Kind, Source, TrainingRecord

#: functions called with each appended record, in the same transaction (e.g. compliance update)
_listeners: list[Callable[[TrainingRecord], None]] = []
#: functions called once with the cadre ids after a bulk append (e.g. a set-based compliance recompute)
_bulk_listeners: list[Callable[[list[int]], None]] = []


def on_record_appended(listener: Callable[[TrainingRecord], None], *,
                       wants: Callable[[Mapping[str, Any]], bool] | None = None) -> Callable[[TrainingRecord], None]:
    """Register a listener (decorator); registering twice is harmless.

    ``wants`` (optional) tells from a row's column values whether the listener has anything to do with
    it: a bulk append reads back and passes only the rows some listener wants (an import of 49,000
    history rows that no listener acts on reads none back).
    """
    if wants is not None:
        listener.lms_wants = wants  # type: ignore[attr-defined]  (kept by functools.wraps)
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _wanted(listener: Callable[[TrainingRecord], None], row: Mapping[str, Any]) -> bool:
    wants = getattr(listener, "lms_wants", None)
    return wants is None or bool(wants(row))


def on_records_bulk_appended(listener: Callable[[list[int]], None]) -> Callable[[list[int]], None]:
    """Register a bulk listener: called once with the affected cadre ids after :func:`append_records_bulk`.

    When at least one bulk listener is registered (or ``lms.standards.engine.recompute_for_cadres``
    exists), a bulk append does not call the per-record listeners.
    """
    if listener not in _bulk_listeners:
        _bulk_listeners.append(listener)
    return listener


def append_record(
    cadre_id: int,
    *,
    source: Source | str,
    source_detail: str | None = None,
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
    """Append a record (flushes; the caller commits). With ``dedupe_key``, appending twice returns the first
    row (and runs no listener): one ``INSERT … ON CONFLICT DO NOTHING``, safe when two requests append the
    same key at once."""
    values = {
        "cadre_id": cadre_id, "source": Source(source).value, "source_detail": source_detail,
        "completed_on": completed_on, "topic": topic,
        "hours": Decimal(str(hours)), "module_id": module_id,
        "score": None if score is None else Decimal(str(round(float(score), 2))), "evidence": evidence or {},
        "dedupe_key": dedupe_key, "kind": Kind(kind).value, "amends_id": amends_id,
        "requirement_id": requirement_id, "reason": reason, "created_by_id": created_by_id,
    }
    if dedupe_key is not None:
        record = insert_once(TrainingRecord, "dedupe_key", values)
        if record is None:
            return db.session.scalars(select(TrainingRecord).where(TrainingRecord.dedupe_key == dedupe_key)).one()
    else:
        record = TrainingRecord(**values)
        db.session.add(record)
        db.session.flush()
    for listener in list(_listeners):
        listener(record)
    return record


# --- bulk appends -------------------------------------------------------------------------------

#: rows per INSERT statement / IN (…) list in bulk operations (well under every database's limit)
CHUNK = 2000


def _bulk_hooks() -> list[Callable[[list[int]], None]]:
    """Registered bulk listeners, else the standards engine's set-based recompute when it offers one.

    ``lms.standards.engine.recompute_for_cadres(ids)`` is used when it exists; otherwise, with
    ``recompute_cadre``/``recompute``, one run per cadre (a full recompute above :data:`BULK_CADRES`).
    """
    if _bulk_listeners:
        return list(_bulk_listeners)
    try:
        engine = importlib.import_module("lms.standards.engine")
    except ModuleNotFoundError as exc:
        if exc.name in ("lms.standards", "lms.standards.engine"):
            return []
        raise
    hook = getattr(engine, "recompute_for_cadres", None)
    if callable(hook):
        return [hook]
    per_cadre, full = getattr(engine, "recompute_cadre", None), getattr(engine, "recompute", None)
    if not (callable(per_cadre) and callable(full)):
        return []

    def recompute_cadres(cadre_ids: list[int]) -> None:
        if len(cadre_ids) > BULK_CADRES:
            full()
        else:
            for cadre_id in cadre_ids:
                per_cadre(cadre_id)

    return [recompute_cadres]


#: above this many cadres in one bulk append, one full compliance recompute is cheaper than per-cadre runs
BULK_CADRES = 200


def append_records_bulk(rows: Sequence[dict[str, Any]]) -> int:
    """Append many original records with set-based INSERTs (flushes; the caller commits).

    Each row is a dict of :class:`TrainingRecord` columns (``source``, ``cadre_id``, ``topic``,
    ``completed_on``, ``hours`` … and a ``dedupe_key``; the caller has removed duplicates). Then the
    compliance hook runs once for all cadres (:func:`on_records_bulk_appended`), or, when there is
    none, every per-record listener runs for each new row. Returns the number of rows inserted.
    """
    if not rows:
        return 0
    defaults = {"kind": Kind.record.value, "evidence": {}, "reason": "", "module_id": None, "score": None,
                "amends_id": None, "requirement_id": None, "created_by_id": None, "dedupe_key": None}
    prepared = [{**defaults, **row} for row in rows]
    db.session.flush()
    # a Core INSERT of the table: one executemany per chunk (the ORM's bulk insert groups rows by their
    # None columns: a file mixing module rows and topic rows became ~16,000 statements, 2/3 of the import)
    statement = insert(TrainingRecord.__table__)
    for start in range(0, len(prepared), CHUNK):
        db.session.execute(statement, prepared[start:start + CHUNK])
    hooks = _bulk_hooks()
    listeners = list(_listeners)
    if hooks:
        cadre_ids = sorted({row["cadre_id"] for row in prepared})
        for hook in hooks:
            hook(cadre_ids)
        # the compliance listener is covered by the bulk hook; any other listener still sees every row
        listeners = [f for f in listeners if not (getattr(f, "__module__", None) or "").startswith("lms.standards")]
    wanted = {row["dedupe_key"]: [f for f in listeners if _wanted(f, row)] for row in prepared if row["dedupe_key"]}
    keys = [key for key, interested in wanted.items() if interested]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        for record in db.session.scalars(
            select(TrainingRecord).where(TrainingRecord.dedupe_key.in_(chunk)).order_by(TrainingRecord.id)
        ):
            for listener in wanted[record.dedupe_key]:
                listener(record)
    return len(prepared)


# --- amendments ---------------------------------------------------------------------------------


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "id", None)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise UserError("Cần ghi lý do.", "A reason is required.", status=422, code="reason_required")
    if len(reason) > 2000:
        raise UserError("Lý do quá dài (tối đa 2000 ký tự).", "The reason is too long (2000 characters at most).",
                        status=422, code="reason_too_long")
    return reason


def original_of(record: TrainingRecord) -> TrainingRecord:
    """The original row a record amends (itself for an original)."""
    while record.kind != Kind.record.value and record.amends is not None:
        record = record.amends
    return record


def amendments_of(record: TrainingRecord) -> list[TrainingRecord]:
    """Corrections and revocations of an original row, oldest first."""
    return list(db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.amends_id == record.id).order_by(TrainingRecord.id)
    ))


def is_revoked(record: TrainingRecord) -> bool:
    """True when the original row has a revocation."""
    return bool(db.session.scalar(select(exists().where(
        TrainingRecord.amends_id == original_of(record).id, TrainingRecord.kind == Kind.revocation.value
    ))))


def current_values(record: TrainingRecord) -> TrainingRecord:
    """The row whose values count now: the latest correction of the original, or the original."""
    original = original_of(record)
    latest = db.session.scalar(
        select(TrainingRecord)
        .where(TrainingRecord.amends_id == original.id, TrainingRecord.kind == Kind.correction.value)
        .order_by(TrainingRecord.id.desc())
        .limit(1)
    )
    return latest or original


def correct_record(
    record: TrainingRecord,
    *,
    hours: Decimal | float | int | str | None = None,
    score: Decimal | float | int | str | None = None,
    completed_on: date | None = None,
    reason: str,
    actor: Any,
    clear_score: bool = False,
) -> TrainingRecord:
    """Append a correction of ``record`` (its original): new values for what is given, the rest kept.

    The correction row carries the full corrected values, so the latest correction alone says what
    counts. Refused (4xx) for a revoked record, without a reason, or when nothing changes.
    """
    reason = _require_reason(reason)
    original = original_of(record)
    if is_revoked(original):
        raise UserError("Bản ghi đã bị thu hồi, không thể sửa.", "The record was revoked; it cannot be corrected.",
                        status=409, code="record_revoked")
    now = current_values(original)
    new_hours = check_hours(hours) if hours is not None and str(hours).strip() != "" else now.hours
    new_score = None if clear_score else (check_score(score) if score is not None and str(score).strip() != ""
                                          else now.score)
    new_date = check_completed_on(completed_on) if completed_on is not None else now.completed_on
    if (Decimal(new_hours), new_score, new_date) == (Decimal(now.hours), now.score, now.completed_on):
        raise UserError("Không có giá trị nào thay đổi.", "Nothing was changed.", status=422, code="no_change")
    return append_record(
        original.cadre_id, source=original.source, completed_on=new_date, topic=original.topic, hours=new_hours,
        module_id=original.module_id, score=new_score, evidence=dict(original.evidence or {}),
        kind=Kind.correction, amends_id=original.id, requirement_id=original.requirement_id, reason=reason,
        created_by_id=_actor_id(actor),
    )


def revoke_record(record: TrainingRecord, *, reason: str, actor: Any) -> TrainingRecord:
    """Append a revocation of ``record`` (its original): it no longer counts. Refused when already revoked."""
    reason = _require_reason(reason)
    original = original_of(record)
    if is_revoked(original):
        raise UserError("Bản ghi đã bị thu hồi trước đó.", "The record was already revoked.",
                        status=409, code="record_revoked")
    now = current_values(original)
    return append_record(
        original.cadre_id, source=original.source, completed_on=now.completed_on, topic=original.topic,
        hours=now.hours, module_id=original.module_id, score=now.score, evidence=dict(original.evidence or {}),
        kind=Kind.revocation, amends_id=original.id, requirement_id=original.requirement_id, reason=reason,
        created_by_id=_actor_id(actor),
    )


def grant_waiver(
    cadre: Any,
    requirement_id: int | None = None,
    *,
    module: Any = None,
    topic: str | None = None,
    reason: str,
    actor: Any,
    completed_on: date | None = None,
) -> TrainingRecord:
    """Append a waiver (miễn) for ``cadre``: of one requirement, or of whatever a module/topic satisfies.

    A waiver carries no hours; the compliance engine reads ``source == 'waiver'`` with
    ``requirement_id`` (or the module/topic). Revoking it (:func:`revoke_record`) ends it.
    """
    from lms.catalog.models import TOPIC_LABELS, Topic

    reason = _require_reason(reason)
    if requirement_id is None and module is None and not topic:
        raise UserError("Cần chọn yêu cầu, học phần hoặc chủ đề được miễn.",
                        "Choose the requirement, module or topic to waive.", status=422, code="waiver_target")
    if topic and topic not in {t.value for t in TOPIC_LABELS}:
        raise UserError("Chủ đề không hợp lệ.", "Unknown topic.", status=422, code="bad_topic")
    return append_record(
        cadre.id, source=Source.waiver, completed_on=check_completed_on(completed_on or today_vn()),
        topic=module.topic if module is not None else (topic or Topic.other.value), hours=0,
        module_id=module.id if module is not None else None, requirement_id=requirement_id,
        evidence={"waiver": True}, reason=reason, created_by_id=_actor_id(actor),
    )


# --- the effective view -------------------------------------------------------------------------


def effective_records(cadre_ids: Iterable[int] | None = None, as_of: date | None = None) -> Select:
    """What counts: original rows minus the revoked ones, each with its latest correction applied.

    Columns: ``record_id`` (the original's id), ``cadre_id``, ``module_id``, ``topic``, ``hours``,
    ``score``, ``completed_on``, ``source``, ``requirement_id``, ``corrected`` (bool). Usable as a subquery.

    With ``as_of`` the ledger as it stood at the end of that day (Vietnam time), like the compliance
    engine's "as of": only rows (originals, corrections, revocations) created by then, and only
    records completed (after correction) on or before that day.
    """
    original = aliased(TrainingRecord, name="orig")
    correction = aliased(TrainingRecord, name="corr")
    amendment = aliased(TrainingRecord, name="amend")
    cutoff = end_of_day(as_of) if as_of is not None else None
    latest_query = (
        select(TrainingRecord.amends_id.label("original_id"), func.max(TrainingRecord.id).label("correction_id"))
        .where(TrainingRecord.kind == Kind.correction.value)
        .group_by(TrainingRecord.amends_id)
    )
    revoked = and_(amendment.amends_id == original.id, amendment.kind == Kind.revocation.value)
    if cutoff is not None:
        latest_query = latest_query.where(TrainingRecord.created_at < cutoff)
        revoked = and_(revoked, amendment.created_at < cutoff)
    latest = latest_query.subquery("latest_correction")
    corrected = correction.id.is_not(None)

    def pick(column: str):
        return case((corrected, getattr(correction, column)), else_=getattr(original, column))

    completed_on = pick("completed_on")
    query = (
        select(
            original.id.label("record_id"), original.cadre_id.label("cadre_id"),
            original.module_id.label("module_id"), original.topic.label("topic"),
            pick("hours").label("hours"), pick("score").label("score"), completed_on.label("completed_on"),
            original.source.label("source"), original.requirement_id.label("requirement_id"),
            corrected.label("corrected"),
        )
        .select_from(original)
        .outerjoin(latest, latest.c.original_id == original.id)
        .outerjoin(correction, correction.id == latest.c.correction_id)
        .where(
            original.kind == Kind.record.value,
            ~exists().where(revoked),
        )
    )
    if cadre_ids is not None:
        query = query.where(original.cadre_id.in_(list(cadre_ids)))
    if as_of is not None:
        query = query.where(completed_on <= as_of, original.created_at < cutoff)
    return query


#: the day boundaries of "as of" dates
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` ends in Vietnam, in UTC (rows created before it count as of ``day``)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN_TZ).astimezone(UTC)
