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
* :func:`status_rows` — the same SELECT as of a past day for a subtree, computed on the fly from the
  ledger (records created by the end of that day, the requirement versions in force then).

The SQL runs on SQLite and PostgreSQL; date arithmetic is the only dialect difference (SQLite gets
``lms_add_months``/``lms_add_days`` functions registered on connect, identical to :mod:`.rules`).
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select, text, union_all
from sqlalchemy.engine import Engine

from lms.catalog.models import Module
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
from lms.standards.models import Requirement, Standard, StandardsGeneration
from lms.standards.sql import execute, in_list

_in_list = in_list
_adjust_counts = adjust_counts
_RETURNING = RETURNING

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COLUMNS = ("cadre_id, requirement_id, org_unit_id, org_path, state, due_on, satisfied_on, valid_until, "
           "waived_on, record_ids, computed_on")


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


def today_vn() -> date:
    """Today in Vietnam (the day statuses are computed for)."""
    return datetime.now(VN).date()


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` ends in Vietnam, in UTC: records created before it count as of ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN).astimezone(UTC)


class _Dialect:
    """The few SQL fragments that differ between databases."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def add_months(self, expr: str, months: int) -> str:
        if self.pg:
            return f"CAST(({expr}) + make_interval(months => {int(months)}) AS DATE)"
        return f"lms_add_months({expr}, {int(months)})"

    def add_days(self, expr: str, days: int) -> str:
        return f"(({expr}) + {int(days)})" if self.pg else f"lms_add_days({expr}, {int(days)})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"max({a}, {b})"

    def agg_ids(self, expr: str) -> str:
        return f"string_agg(CAST({expr} AS VARCHAR), ',')" if self.pg else f"group_concat({expr}, ',')"

    def id_text(self, expr: str) -> str:
        return f"CAST({expr} AS VARCHAR)" if self.pg else f"CAST({expr} AS TEXT)"


@dataclass(frozen=True)
class Scope:
    """Which cadres a run covers: all, one cadre, or a subtree's cadres (by their current unit)."""

    cadre_id: int | None = None
    path: str | None = None

    def ledger_filter(self) -> str:
        if self.cadre_id is not None:
            return " AND r.cadre_id = :scope_cadre"
        if self.path is not None:
            return (" AND r.cadre_id IN (SELECT sc.id FROM cadres sc JOIN org_units su ON su.id = sc.org_unit_id"
                    " WHERE su.path >= :scope_path AND su.path < :scope_path_end)")
        return ""

    def cadre_filter(self) -> str:
        if self.cadre_id is not None:
            return " AND c.id = :scope_cadre"
        if self.path is not None:
            return " AND u.path >= :scope_path AND u.path < :scope_path_end"
        return ""

    def params(self) -> dict[str, Any]:
        if self.cadre_id is not None:
            return {"scope_cadre": self.cadre_id}
        if self.path is not None:
            return {"scope_path": self.path, "scope_path_end": self.path[:-1] + "0"}
        return {}


# --------------------------------------------------------------------------- plans


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
            target_pct=req.standard.target_pct, standard_id=req.standard_id, applies_to=dict(req.applies_to or {}), plan=plan,
            module_ids=plan.waiver_module_ids, topics=plan.waiver_topics))
    return tuple(out)


# --------------------------------------------------------------------------- SQL


def _ledger_sql(as_of: bool, scope: Scope) -> str:
    """The effective ledger: originals with their latest correction's values, revoked rows left out."""
    cut = " AND created_at < :cutoff" if as_of else ""
    if scope.cadre_id is not None:  # a few rows: look each one's latest correction up by index
        corrections = (f"LEFT JOIN training_records k ON k.id = (SELECT MAX(kk.id) FROM training_records kk"
                       f" WHERE kk.amends_id = r.id AND kk.kind = 'correction'{cut.replace('created_at', 'kk.created_at')})")
    else:
        corrections = f"""LEFT JOIN (SELECT amends_id, MAX(id) AS mid FROM training_records
           WHERE amends_id IS NOT NULL AND kind = 'correction'{cut} GROUP BY amends_id) km ON km.amends_id = r.id
LEFT JOIN training_records k ON k.id = km.mid"""
    return f"""SELECT r.id AS rec_id, r.cadre_id AS cadre_id,
  CASE WHEN k.id IS NULL THEN r.module_id ELSE k.module_id END AS module_id,
  CASE WHEN k.id IS NULL THEN r.topic ELSE k.topic END AS topic,
  CASE WHEN k.id IS NULL THEN r.hours ELSE k.hours END AS hours,
  CASE WHEN k.id IS NULL THEN r.score ELSE k.score END AS score,
  CASE WHEN k.id IS NULL THEN r.completed_on ELSE k.completed_on END AS completed_on,
  r.source AS source, r.requirement_id AS requirement_id
FROM training_records r
{corrections}
WHERE r.kind = 'record'{cut.replace("created_at", "r.created_at")}{scope.ledger_filter()}
  AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind = 'revocation'
                  {cut.replace("created_at", "v.created_at")})"""


def _requirement_sql(d: _Dialect, req: Requirement | ReqInfo, plan: rules.Plan, q: str, scope: Scope,
                     params: dict[str, Any]) -> tuple[list[str], str]:
    """CTEs and the final SELECT (the status columns) for one requirement; names prefixed with ``q``."""
    from lms.standards.criteria import compile_sql

    crit, crit_params = compile_sql(req.applies_to or {}, q)
    params.update(crit_params)
    params[f"{q}_rid"] = req.id
    params[f"{q}_since"] = plan.since
    score = ""
    if plan.min_score is not None:
        params[f"{q}_min"] = Decimal(plan.min_score)
        score = f" AND (score IS NULL OR score >= :{q}_min)"
    ctes = [
        f"{q}_e AS (SELECT * FROM eff WHERE source <> 'waiver'{score})",
        f"""{q}_app AS (SELECT c.id AS cadre_id, c.org_unit_id AS org_unit_id, u.path AS org_path,
    c.appointed_on AS appointed_on FROM cadres c JOIN org_units u ON u.id = c.org_unit_id
    WHERE {crit}{scope.cadre_filter()})""",
    ]
    alts = []
    for i, alt in enumerate(plan.alternatives):
        name = f"{q}_a{i}"
        if alt["kind"] == "hours":
            params[f"{name}_t"], params[f"{name}_h"] = alt["topic"], Decimal(str(alt["hours"]))
            start = d.add_months("a.completed_on", -int(alt["period_months"]))
            ctes.append(f"""{name}w AS (SELECT a.cadre_id AS cadre_id, a.completed_on AS sat,
    {d.agg_ids('b.rec_id')} AS ids
  FROM (SELECT DISTINCT cadre_id, completed_on FROM {q}_e WHERE topic = :{name}_t) a
  JOIN {q}_e b ON b.cadre_id = a.cadre_id AND b.topic = :{name}_t
    AND b.completed_on <= a.completed_on AND b.completed_on > {start}
  GROUP BY a.cadre_id, a.completed_on HAVING SUM(b.hours) >= :{name}_h)""")
            ctes.append(f"""{name} AS (SELECT cadre_id, sat, ids FROM (SELECT cadre_id, sat, ids,
    ROW_NUMBER() OVER (PARTITION BY cadre_id ORDER BY sat DESC) AS rn FROM {name}w) z WHERE rn = 1)""")
        elif alt["kind"] == "any_modules":
            mods = _in_list(f"{name}_m", alt["module_ids"], params)
            ctes.append(f"""{name} AS (SELECT cadre_id, completed_on AS sat, {d.id_text('rec_id')} AS ids
  FROM (SELECT cadre_id, completed_on, rec_id, ROW_NUMBER() OVER (PARTITION BY cadre_id
        ORDER BY completed_on DESC, rec_id DESC) AS rn FROM {q}_e WHERE module_id IN {mods}) z WHERE rn = 1)""")
        else:
            mods = _in_list(f"{name}_m", alt["module_ids"], params)
            params[f"{name}_n"] = alt["module_count"]
            ctes.append(f"""{name} AS (SELECT cadre_id, MIN(completed_on) AS sat, {d.agg_ids('rec_id')} AS ids
  FROM (SELECT cadre_id, completed_on, rec_id, ROW_NUMBER() OVER (PARTITION BY cadre_id, module_id
        ORDER BY completed_on DESC, rec_id DESC) AS rn FROM {q}_e WHERE module_id IN {mods}) z
  WHERE rn = 1 GROUP BY cadre_id HAVING COUNT(*) = :{name}_n)""")
        alts.append(f"SELECT cadre_id, sat, ids, {i} AS alt FROM {name}")
    if not alts:
        alts.append(f"SELECT cadre_id, completed_on AS sat, '' AS ids, 0 AS alt FROM {q}_e WHERE 1 = 0")
    ctes.append(f"""{q}_best AS (SELECT cadre_id, sat, ids FROM (SELECT cadre_id, sat, ids,
    ROW_NUMBER() OVER (PARTITION BY cadre_id ORDER BY sat DESC, alt) AS rn FROM ({' UNION ALL '.join(alts)}) y)
  yy WHERE rn = 1)""")
    wreq = _in_list(f"{q}_wr", sorted(plan.waiver_requirement_ids), params)
    wmod = _in_list(f"{q}_wm", sorted(plan.waiver_module_ids), params)
    wtop = _in_list(f"{q}_wt", sorted(plan.waiver_topics), params)
    ctes.append(f"""{q}_w AS (SELECT cadre_id, MIN(completed_on) AS waived_on, MIN(rec_id) AS wid FROM eff
  WHERE source = 'waiver' AND (requirement_id IN {wreq}
    OR (requirement_id IS NULL AND (module_id IN {wmod} OR topic IN {wtop}))) GROUP BY cadre_id)""")
    valid = d.add_months("b.sat", plan.validity_months) if plan.validity_months else "CAST(NULL AS DATE)"
    if plan.due_date is not None:
        params[f"{q}_due"] = plan.due_date
        due = f":{q}_due"
    elif plan.due_days is not None:
        due = d.add_days(d.greatest(f"COALESCE(a.appointed_on, :{q}_since)", f":{q}_since"), plan.due_days)
    else:
        due = f":{q}_since"
    state = f"""CASE WHEN x.waived_on IS NOT NULL THEN 'waived'
  WHEN x.sat IS NOT NULL AND (x.valid_until IS NULL OR :today <= x.valid_until) THEN
    CASE WHEN x.valid_until IS NOT NULL AND :today >= {d.add_days('x.valid_until', -plan.renewal_days)}
         THEN 'due_soon' ELSE 'compliant' END
  WHEN x.sat IS NOT NULL THEN 'expired'
  WHEN :today > x.due_on THEN 'overdue'
  WHEN :today >= {d.add_days('x.due_on', -rules.DUE_SOON_DAYS)} THEN 'due_soon'
  ELSE 'not_yet_due' END"""
    final = f"""SELECT x.cadre_id AS cadre_id, :{q}_rid AS requirement_id, x.org_unit_id AS org_unit_id,
  x.org_path AS org_path, {state} AS state, x.due_on AS due_on, x.sat AS satisfied_on,
  x.valid_until AS valid_until, x.waived_on AS waived_on, x.ids AS record_ids, :today AS computed_on
FROM (SELECT a.cadre_id AS cadre_id, a.org_unit_id AS org_unit_id, a.org_path AS org_path, b.sat AS sat,
    CASE WHEN w.cadre_id IS NOT NULL THEN {d.id_text('w.wid')} ELSE b.ids END AS ids,
    w.waived_on AS waived_on, {valid} AS valid_until, {due} AS due_on
  FROM {q}_app a LEFT JOIN {q}_best b ON b.cadre_id = a.cadre_id
  LEFT JOIN {q}_w w ON w.cadre_id = a.cadre_id) x"""
    return ctes, final


def build_select(requirements: list[Requirement] | list[ReqInfo] | tuple[ReqInfo, ...], today: date, scope: Scope,
                 cutoff: datetime | None = None) -> tuple[str, dict[str, Any]]:
    """``WITH … SELECT`` of the status rows of ``requirements`` for the cadres in ``scope`` on ``today``."""
    d = _Dialect(db.engine.dialect.name)
    params: dict[str, Any] = {"today": today, **scope.params()}
    if cutoff is not None:
        params["cutoff"] = cutoff if d.pg else cutoff.astimezone(UTC).replace(tzinfo=None)
    plans = [req.plan if isinstance(req, ReqInfo) else make_plan(req) for req in requirements]
    # only the rows these requirements can use: their modules, their topics, waivers, and corrected rows
    # (whatever their new values; the CTEs below filter them) — a requirement on one topic reads a
    # fraction of the ledger. Plain column tests, so the planner estimates the row count from statistics
    # (a test on the corrected values, a CASE, was estimated at 0.3 % and gave nested loops).
    modules = _in_list("eff_m", sorted({m for p in plans for m in p.waiver_module_ids}), params)
    topics = _in_list("eff_t", sorted({t for p in plans for t in p.waiver_topics}), params)
    ctes = [f"eff AS ({_ledger_sql(cutoff is not None, scope)}\n  AND (CASE WHEN k.id IS NULL THEN r.completed_on"
            " ELSE k.completed_on END) <= :today\n  AND (r.source = 'waiver' OR k.id IS NOT NULL"
            f" OR r.module_id IN {modules} OR r.topic IN {topics}))"]
    selects = []
    for n, (req, plan) in enumerate(zip(requirements, plans, strict=True)):
        more, final = _requirement_sql(d, req, plan, f"q{n}", scope, params)
        ctes += more
        selects.append(final)
    if not selects:
        selects.append(f"SELECT {', '.join('NULL' for _ in COLUMNS.split(','))} WHERE 1 = 0")
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects), params


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
    """SELECT of the status rows as of ``day`` for a subtree (or one cadre), from the ledger."""
    scope = Scope(cadre_id=cadre_id) if cadre_id is not None else Scope(path=unit.path if unit else None)
    return build_select(cached_requirements(day), day, scope, cutoff=end_of_day(day))
