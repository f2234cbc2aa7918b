"""The requirement versions in force, resolved for the engine (module codes → ids, plans) and cached per
process, keyed by (database, generation, day). ``standards_generation`` is bumped in the transaction that
changes a standard, requirement or module (read once per transaction)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from lms.catalog.models import Module
from lms.core.db import db
from lms.standards import rules
from lms.standards.models import Requirement, Standard, StandardsGeneration


def requirements_in_force(day: date) -> list[Requirement]:
    """The requirement versions in force on ``day`` (their standard too), by code."""
    query = (
        select(Requirement).join(Requirement.standard)
        .where(Requirement.effective_from <= day, Standard.effective_from <= day)
        .where((Requirement.effective_to.is_(None)) | (Requirement.effective_to > day))
        .where((Standard.effective_to.is_(None)) | (Standard.effective_to > day))
        .order_by(Requirement.code)
    )
    return list(db.session.scalars(query))


def make_plan(req: Requirement) -> rules.Plan:
    """Resolve a requirement version's module codes to ids (one query)."""
    codes = {c for alt in req.satisfied_by for c in alt.get("modules", [])}
    ids = {row[0]: row[1] for row in db.session.execute(select(Module.code, Module.id).where(Module.code.in_(codes)))}
    alternatives = []
    for alt in req.satisfied_by:
        resolved = dict(alt)
        if alt["kind"] != "hours":
            resolved["module_ids"] = tuple(sorted(ids[c] for c in alt["modules"] if c in ids))
            resolved["module_count"] = len(set(alt["modules"]))
        alternatives.append(resolved)
    versions = db.session.scalars(select(Requirement.id).where(Requirement.code == req.code))
    return rules.Plan(
        id=req.id, alternatives=tuple(alternatives), min_score=req.min_score, due_days=req.due_days,
        due_date=req.due_date, validity_months=req.validity_months, renewal_days=req.renewal_days,
        since=req.since, waiver_requirement_ids=frozenset(versions),
        waiver_module_ids=frozenset(i for a in alternatives for i in a.get("module_ids", ())),
        waiver_topics=frozenset(a["topic"] for a in alternatives if a["kind"] == "hours"),
    )


@dataclass(frozen=True)
class ReqInfo:
    """A requirement version in force, resolved for the engine and the dashboards (no ORM session needed)."""

    id: int
    code: str
    name_vi: str
    name_en: str
    standard_code: str
    target_pct: Decimal
    standard_id: int
    standard_name_vi: str
    standard_name_en: str
    applies_to: dict[str, Any]
    plan: rules.Plan
    #: module ids and topics whose records can change this requirement's status (satisfy or waive it)
    module_ids: frozenset[int]
    topics: frozenset[str]

    def affected_by(self, module_id: int | None, topic: str, requirement_id: int | None) -> bool:
        """Can a record with these values change this requirement's status?"""
        return ((module_id is not None and module_id in self.module_ids) or topic in self.topics
                or (requirement_id is not None and requirement_id in self.plan.waiver_requirement_ids))


_TX_KEY = "lms_standards_tx"
#: (database url, generation, day) → the requirement versions in force; small, bounded below
_CACHE: dict[tuple[str, int, date], tuple[ReqInfo, ...]] = {}
_CACHE_MAX = 64


def _tx_state() -> dict[str, Any]:
    """Per-transaction state: the generation read in this transaction, and whether it changed standards."""
    session = db.session()
    tx = session.get_transaction()
    state = session.info.get(_TX_KEY)
    if state is None or state["tx"] is not tx:
        state = {"tx": tx, "generation": None, "bypass": False}
        session.info[_TX_KEY] = state
    return state


def mark_standards_changed(connection) -> None:
    """Bump the generation (called at flush when standards, requirements or modules change).

    The new value is random rather than ``+ 1``: a database emptied and filled again (tests, a restore)
    can never meet a cache entry of an earlier life under the same number.

    Uses ``connection`` (the flush's) directly; this transaction then bypasses the cache, so an entry is
    never built from data that may roll back.
    """
    connection.execute(text("INSERT INTO standards_generation (id, generation) VALUES (1, :g)"
                            " ON CONFLICT (id) DO UPDATE SET generation = excluded.generation"),
                       {"g": secrets.randbelow(2**31 - 1) + 1})
    _tx_state()["bypass"] = True


def prime_generation(generation: int) -> None:
    """The generation was read by another statement of this transaction (riding along with a dashboard's
    query, so that the dashboard makes one round trip instead of two): use it for the cache key."""
    state = _tx_state()
    if state["generation"] is None and not state["bypass"]:
        state["generation"] = generation


#: appended to a dashboard query whose rows start with an integer key: the generation, as key -1
GENERATION_ROW = "SELECT -1, generation{zeros} FROM standards_generation WHERE id = 1"


def _read_generation() -> int | None:
    return db.session.scalar(select(StandardsGeneration.generation).where(StandardsGeneration.id == 1))


def cached_requirements(day: date) -> tuple[ReqInfo, ...]:
    """The requirement versions in force on ``day``, resolved (module ids, plans) and cached.

    One primary-key read of the generation per transaction; a miss resolves them (a few queries) and
    stores them unless the generation moved meanwhile. A transaction that changed standards bypasses
    the cache.
    """
    state = _tx_state()
    if state["bypass"]:
        return _resolve(day)
    if state["generation"] is None:
        state["generation"] = _read_generation()
    generation = state["generation"]
    if generation is None:  # no counter row (tables created without the migration): never cache
        return _resolve(day)
    key = (str(db.engine.url), generation, day)
    found = _CACHE.get(key)
    if found is None:
        found = _resolve(day)
        if _read_generation() == generation and not state["bypass"]:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[key] = found
    return found


def clear_cache() -> None:
    """Forget every cached requirement list (tests; after changing standards outside the ORM)."""
    _CACHE.clear()
    db.session.info.pop(_TX_KEY, None)


def _resolve(day: date) -> tuple[ReqInfo, ...]:
    out = []
    for req in requirements_in_force(day):
        plan = make_plan(req)
        out.append(ReqInfo(
            id=req.id, code=req.code, name_vi=req.name_vi, name_en=req.name_en, standard_code=req.standard.code,
            target_pct=req.standard.target_pct, standard_id=req.standard_id,
            standard_name_vi=req.standard.name_vi, standard_name_en=req.standard.name_en, applies_to=dict(req.applies_to or {}), plan=plan,
            module_ids=plan.waiver_module_ids, topics=plan.waiver_topics))
    return tuple(out)

