"""The engine's set-based SQL: one ``WITH … SELECT`` of status rows per set of requirements (the effective
ledger, one CTE per alternative, the best alternative, the waiver, the final state), for all cadres, one
cadre or a subtree, today or as of a past day. Runs on SQLite and PostgreSQL (:class:`_Dialect`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lms.core.db import db
from lms.standards import rules
from lms.standards.models import Requirement
from lms.standards.plans import ReqInfo, make_plan
from lms.standards.sql import in_list as _in_list

COLUMNS = ("cadre_id, requirement_id, org_unit_id, org_path, state, due_on, satisfied_on, valid_until, "
           "waived_on, record_ids, computed_on")

#: full runs read only the ledger rows of cadres some requirement applies to (off: the engine before
#: issue #20, for ``bench/bench_recompute.py``'s comparison in the same run)
NARROW_FULL_RUNS = True


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
    #: a SELECT of cadre ids (with ``path``: those of the subtree among them), e.g. a CTE of the statement
    cadres_sql: str | None = None

    def ledger_filter(self) -> str:
        if self.cadre_id is not None:
            return " AND r.cadre_id = :scope_cadre"
        if self.cadres_sql is not None:
            return f" AND r.cadre_id IN ({self.cadres_sql})"
        if self.path is not None:
            return (" AND r.cadre_id IN (SELECT sc.id FROM cadres sc JOIN org_units su ON su.id = sc.org_unit_id"
                    " WHERE su.path >= :scope_path AND su.path < :scope_path_end)")
        return ""

    def cadre_filter(self) -> str:
        if self.cadre_id is not None:
            return " AND c.id = :scope_cadre"
        out = f" AND c.id IN ({self.cadres_sql})" if self.cadres_sql is not None else ""
        if self.path is not None:
            out += " AND u.path >= :scope_path AND u.path < :scope_path_end"
        return out

    def params(self) -> dict[str, Any]:
        if self.cadre_id is not None:
            return {"scope_cadre": self.cadre_id}
        if self.path is not None:
            return {"scope_path": self.path, "scope_path_end": self.path[:-1] + "0"}
        return {}




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
    apps, ctes, selects = [], [], []
    for n, (req, plan) in enumerate(zip(requirements, plans, strict=True)):
        more, final = _requirement_sql(d, req, plan, f"q{n}", scope, params)
        apps.append(more.pop(1))  # the cadres it applies to: defined before the ledger, which they narrow
        ctes += more
        selects.append(final)
    # a full run: only the rows of cadres some requirement applies to — a requirement for full-time
    # cadres (3 %) no longer ranks every cadre's courses (the full recompute's time went there). Not
    # with a scope: its filter already narrows the ledger, and both together made PostgreSQL expect one
    # row and choose nested loops (a province as of a past day took 3× longer)
    applicable = ""
    if selects and scope == Scope() and NARROW_FULL_RUNS:
        applicable = ("\n  AND r.cadre_id IN (" + " UNION ".join(f"SELECT cadre_id FROM q{n}_app"
                                                                   for n in range(len(selects))) + ")")
    eff = (f"eff AS ({_ledger_sql(cutoff is not None, scope)}\n  AND (CASE WHEN k.id IS NULL THEN r.completed_on"
           " ELSE k.completed_on END) <= :today\n  AND (r.source = 'waiver' OR k.id IS NOT NULL"
           f" OR r.module_id IN {modules} OR r.topic IN {topics}){applicable})")
    if not selects:
        # named columns: callers select from it by name (``s.cadre_id``), also when nothing is in force
        selects.append("SELECT " + ", ".join(f"NULL AS {c.strip()}" for c in COLUMNS.split(",")) + " WHERE 1 = 0")
    return "WITH " + ",\n".join([*apps, eff, *ctes]) + "\n" + "\nUNION ALL\n".join(selects), params

