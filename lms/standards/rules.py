"""The status rules in plain Python: the reference the SQL engine is tested against, and the "why".

Definitions (docs/standards.md has examples):

* Effective ledger as of day D: rows of kind ``record`` created by the end of D (Vietnam time), not
  revoked by a revocation created by then, with the values of their latest correction created by
  then; only those completed on or before D count.
* A record qualifies when it is not a waiver and, if the requirement has a minimum score, it is
  unscored (attendance) or scored at least that.
* Alternatives: ``any_modules`` — the latest qualifying completion of any listed module;
  ``all_modules`` — every listed module completed, dated by the oldest of their latest completions;
  ``hours`` — the latest day X on which the topic's qualifying hours completed in
  (X − period_months, X] reach the minimum. The requirement is satisfied on the latest date any
  alternative gives (ties: the first alternative).
* valid_until = satisfied_on + validity_months (month ends clip, 31/1 + 1 month = 28 or 29/2).
* due_on = the fixed due date, or (the later of appointment and ``since``) + due_days, or ``since``.
* State on D: waived if a matching waiver is effective; else if satisfied and D ≤ valid_until:
  due_soon when D ≥ valid_until − renewal_days, compliant otherwise; satisfied but past validity:
  expired; not satisfied: overdue when D > due_on, due_soon when D ≥ due_on − 30, else not_yet_due.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

DUE_SOON_DAYS = 30


def add_months(day: date | None, months: int) -> date | None:
    """``day`` plus ``months`` calendar months, clipped to the month's last day (as PostgreSQL does)."""
    if day is None:
        return None
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date | None, days: int) -> date | None:
    """``day`` plus ``days`` days (None stays None)."""
    return None if day is None else day + timedelta(days=days)


@dataclass(frozen=True)
class Rec:
    """An effective ledger row, as the rules see it."""

    id: int
    cadre_id: int
    module_id: int | None
    topic: str
    hours: Decimal
    score: Decimal | None
    completed_on: date
    source: str
    requirement_id: int | None = None


@dataclass(frozen=True)
class Plan:
    """A requirement version resolved for evaluation (module codes → ids)."""

    id: int
    alternatives: tuple[dict[str, Any], ...]  #: with "module_ids" resolved
    min_score: Decimal | None
    due_days: int | None
    due_date: date | None
    validity_months: int
    renewal_days: int
    since: date
    waiver_requirement_ids: frozenset[int]  #: every version of the same code
    waiver_module_ids: frozenset[int]
    waiver_topics: frozenset[str]


@dataclass
class Outcome:
    """What the engine stores for one cadre and requirement."""

    state: str
    due_on: date | None
    satisfied_on: date | None
    valid_until: date | None
    waived_on: date | None
    record_ids: list[int] = field(default_factory=list)


def effective_records(rows: Iterable[Any], cutoff=None, day: date | None = None) -> list[Rec]:
    """Apply corrections and revocations to raw ledger rows (objects with the TrainingRecord fields)."""
    rows = [r for r in rows if cutoff is None or _naive(r.created_at) < _naive(cutoff)]
    revoked = {r.amends_id for r in rows if r.kind == "revocation"}
    latest: dict[int, Any] = {}
    for r in rows:
        if r.kind == "correction" and (r.amends_id not in latest or r.id > latest[r.amends_id].id):
            latest[r.amends_id] = r
    out = []
    for r in rows:
        if r.kind != "record" or r.id in revoked:
            continue
        v = latest.get(r.id, r)
        if day is not None and v.completed_on > day:
            continue
        out.append(Rec(r.id, r.cadre_id, v.module_id, v.topic, Decimal(v.hours),
                       None if v.score is None else Decimal(v.score), v.completed_on, r.source, r.requirement_id))
    return out


def _naive(moment):
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(tz=None).replace(tzinfo=None)


def evaluate(plan: Plan, appointed_on: date | None, records: list[Rec], today: date) -> Outcome:
    """The status of one cadre against one requirement on ``today`` (records: that cadre's, effective)."""
    records = [r for r in records if r.completed_on <= today]
    waivers = [r for r in records if r.source == "waiver" and _waiver_matches(plan, r)]
    usable = [r for r in records if r.source != "waiver" and _score_ok(plan, r)]
    best: tuple[date, list[int]] | None = None
    for alt in plan.alternatives:
        found = _alternative(alt, usable)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    satisfied_on, ids = best if best else (None, [])
    valid_until = add_months(satisfied_on, plan.validity_months) if plan.validity_months else None
    due_on = _due_on(plan, appointed_on)
    waived_on = min((r.completed_on for r in waivers), default=None)
    if waivers:
        ids = [min(r.id for r in waivers)]
    state = classify(today, satisfied_on, valid_until, due_on, waived_on, plan.renewal_days)
    return Outcome(state, due_on, satisfied_on, valid_until, waived_on, sorted(ids))


def classify(today: date, satisfied_on, valid_until, due_on, waived_on, renewal_days: int) -> str:
    """The state on ``today`` from the stored dates (the same CASE as the SQL engine)."""
    if waived_on is not None:
        return "waived"
    if satisfied_on is not None and (valid_until is None or today <= valid_until):
        if valid_until is not None and today >= add_days(valid_until, -renewal_days):
            return "due_soon"
        return "compliant"
    if satisfied_on is not None:
        return "expired"
    if today > due_on:
        return "overdue"
    if today >= add_days(due_on, -DUE_SOON_DAYS):
        return "due_soon"
    return "not_yet_due"


def _due_on(plan: Plan, appointed_on: date | None) -> date:
    if plan.due_date is not None:
        return plan.due_date
    if plan.due_days is not None:
        return add_days(max(appointed_on or plan.since, plan.since), plan.due_days)
    return plan.since


def _score_ok(plan: Plan, r: Rec) -> bool:
    return plan.min_score is None or r.score is None or r.score >= plan.min_score


def _waiver_matches(plan: Plan, r: Rec) -> bool:
    if r.requirement_id is not None:
        return r.requirement_id in plan.waiver_requirement_ids
    return (r.module_id is not None and r.module_id in plan.waiver_module_ids) or r.topic in plan.waiver_topics


def _latest(records: list[Rec]) -> Rec:
    return max(records, key=lambda r: (r.completed_on, r.id))


def _alternative(alt: dict[str, Any], records: list[Rec]) -> tuple[date, list[int]] | None:
    kind = alt["kind"]
    if kind == "any_modules":
        hits = [r for r in records if r.module_id in alt["module_ids"]]
        if not hits:
            return None
        r = _latest(hits)
        return r.completed_on, [r.id]
    if kind == "all_modules":
        latest = []
        for module_id in alt["module_ids"]:
            hits = [r for r in records if r.module_id == module_id]
            if not hits:
                return None
            latest.append(_latest(hits))
        if not latest or len(alt["module_ids"]) < alt["module_count"]:
            return None
        return min(r.completed_on for r in latest), [r.id for r in latest]
    return _hours(alt, [r for r in records if r.topic == alt["topic"]])


def _hours(alt: dict[str, Any], records: list[Rec]) -> tuple[date, list[int]] | None:
    need = Decimal(str(alt["hours"]))
    for day in sorted({r.completed_on for r in records}, reverse=True):
        start = add_months(day, -int(alt["period_months"]))
        window = [r for r in records if start < r.completed_on <= day]
        if sum((r.hours for r in window), Decimal(0)) >= need:
            return day, [r.id for r in window]
    return None
