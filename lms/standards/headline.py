"""The headline a manager is judged on: cadres meeting the standard / cadres it applies to.

Counted in distinct cadres (not cadre × requirement pairs): a cadre meets a standard when every
requirement of it that applies to them is met (compliant, waived, or due soon but still valid); overall
means every standard that applies. "Overdue" is a cadre with at least one requirement overdue or expired,
"due soon" one with something due soon and nothing overdue. Read from the per-standard counts
(:mod:`lms.standards.counts`): the top units' snapshot plus deltas, or a ``SUM`` over a subtree's units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.standards import engine
from lms.standards.counts import OVERALL, VALID_SQL
from lms.standards.models import ROLLUP_DEPTH, Requirement, Standard
from lms.standards.plans import GENERATION_ROW, prime_generation
from lms.standards.sql import execute, in_list

FIGURES = ("applicable", "met", "overdue", "due_soon")


@dataclass
class Figure:
    """One standard's (or the overall) figure for a unit's subtree."""

    standard_id: int
    code: str
    name_vi: str
    name_en: str
    target_pct: float
    applicable: int = 0
    met: int = 0
    overdue: int = 0
    due_soon: int = 0
    #: the standard applies only to full-time cadres (the seed's "100 % of full-time cadres" target)
    full_time: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pct(self) -> float | None:
        """Share meeting it, in percent (None when it applies to nobody)."""
        return round(100.0 * self.met / self.applicable, 1) if self.applicable else None

    @property
    def not_met(self) -> int:
        return self.applicable - self.met

    @property
    def gap(self) -> float:
        """Points below the target (0 when reached or when it applies to nobody)."""
        return max(0.0, self.target_pct - self.pct) if self.pct is not None else 0.0

    @property
    def light(self) -> str:
        """Bootstrap colour: green at target, amber within 10 points, red below."""
        if self.pct is None:
            return "secondary"
        if self.pct >= self.target_pct:
            return "success"
        return "warning" if self.pct >= self.target_pct - 10 else "danger"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi


def standards_in_force(day: date | None = None) -> list[Figure]:
    """Blank figures: the overall one first, then each standard with a requirement in force."""
    reqs = engine.cached_requirements(day or engine.today_vn())
    by_id = {r.standard_id: r for r in sorted(reqs, key=lambda r: r.standard_code)}  # no query: cached
    full_time = {sid: all(r.applies_to.get("employment") == ["full_time"] for r in reqs if r.standard_id == sid)
                 for sid in by_id}
    out = [Figure(OVERALL, "", "Tất cả các chuẩn", "All standards",
                  max((float(r.target_pct) for r in by_id.values()), default=100.0))]
    out += [Figure(sid, r.standard_code, r.standard_name_vi, r.standard_name_en, float(r.target_pct),
                   full_time=full_time[sid]) for sid, r in sorted(by_id.items(), key=lambda kv: kv[1].standard_code)]
    return out


def _top(unit: OrgUnit | None) -> bool:
    return unit is None or unit.depth <= ROLLUP_DEPTH


def _totals_sql(unit: OrgUnit | None) -> tuple[str, dict[str, Any]]:
    sums = ", ".join(f"SUM(x.{f})" for f in FIGURES)
    cols = ", ".join(FIGURES)
    if _top(unit):
        params: dict[str, Any] = {}
        if unit is None:
            snap = (f"SELECT r.standard_id, {cols} FROM compliance_standard_rollups r"
                    " JOIN org_units t ON t.id = r.org_unit_id WHERE t.depth = 0")
            deltas = f"SELECT standard_id, {cols} FROM compliance_standard_deltas"
        else:
            params.update(top_id=unit.id, u_path=unit.path, u_path_end=unit.path_end)
            snap = f"SELECT standard_id, {cols} FROM compliance_standard_rollups WHERE org_unit_id = :top_id"
            deltas = (f"SELECT standard_id, {cols} FROM compliance_standard_deltas"
                      " WHERE org_path >= :u_path AND org_path < :u_path_end")
        return f"SELECT x.standard_id, {sums} FROM ({snap} UNION ALL {deltas}) x GROUP BY x.standard_id", params
    params = {"u_path": unit.path, "u_path_end": unit.path_end}
    return (f"SELECT x.standard_id, {sums} FROM compliance_standard_counts x"
            " WHERE x.org_path >= :u_path AND x.org_path < :u_path_end GROUP BY x.standard_id"), params


def _fill(figures: list[Figure], rows) -> list[Figure]:
    by_id = {f.standard_id: f for f in figures}
    for sid, *values in rows:
        figure = by_id.get(int(sid))
        if figure is not None:
            for name, value in zip(FIGURES, values, strict=True):
                setattr(figure, name, int(value or 0))
    return figures


def headline(unit: OrgUnit | None) -> list[Figure]:
    """Today's figures of ``unit``'s subtree (None: the whole tree): overall first, then per standard.

    One round trip on a new transaction: the standards generation (the key of the cached requirement
    versions that name the standards) rides along with the sums as the row keyed -1.
    """
    sql, params = _totals_sql(unit)
    rows = execute(f"{sql} UNION ALL {GENERATION_ROW.format(zeros=', 0' * (len(FIGURES) - 1))}", params).all()
    for row in rows:
        if int(row[0]) == -1:
            prime_generation(int(row[1]))
    return _fill(standards_in_force(), [row for row in rows if int(row[0]) != -1])


def _children_sql(parent: OrgUnit) -> tuple[str, dict[str, Any]]:
    from lms.standards.services import _child_of

    params: dict[str, Any] = {"u_path": parent.path, "u_path_end": parent.path_end, "parent_id": parent.id}
    sums = ", ".join(f"SUM(x.{f})" for f in FIGURES)
    if parent.depth + 1 <= ROLLUP_DEPTH:
        child = _child_of(params, parent, "d.org_path")
        snap = ("SELECT CAST(r.org_unit_id AS VARCHAR(20)) AS k, r.standard_id, "
                + ", ".join(f"r.{f}" for f in FIGURES) + " FROM compliance_standard_rollups r"
                " JOIN org_units ch ON ch.id = r.org_unit_id WHERE ch.parent_id = :parent_id")
        deltas = (f"SELECT {child} AS k, d.standard_id, " + ", ".join(f"d.{f}" for f in FIGURES)
                  + " FROM compliance_standard_deltas d WHERE d.org_path >= :u_path AND d.org_path < :u_path_end"
                  " AND d.org_path <> :u_path")
        return f"SELECT x.k, x.standard_id, {sums} FROM ({snap} UNION ALL {deltas}) x GROUP BY x.k, x.standard_id", params
    child = _child_of(params, parent, "x.org_path")
    return (f"SELECT {child}, x.standard_id, {sums} FROM compliance_standard_counts x"
            " WHERE x.org_path >= :u_path AND x.org_path < :u_path_end AND x.org_path <> :u_path"
            f" GROUP BY {child}, x.standard_id"), params


def children_headline(parent: OrgUnit) -> list[tuple[OrgUnit, list[Figure]]]:
    """Per child unit of ``parent``: its subtree's figures (overall first), children in name order."""
    children = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == parent.id).order_by(OrgUnit.name)).all()
    blank = standards_in_force()
    table = {c.id: [Figure(**{**f.__dict__, "extra": {}}) for f in blank] for c in children}
    sql, params = _children_sql(parent)
    grouped: dict[int, list] = {}
    for key, *rest in execute(sql, params):
        grouped.setdefault(int(key), []).append(rest)
    return [(c, _fill(table[c.id], grouped.get(c.id, []))) for c in children]


def furthest_below(parent: OrgUnit, limit: int = 5) -> list[tuple[OrgUnit, Figure]]:
    """The child units furthest below the overall target (lowest share first), with cadres it applies to."""
    rows = [(unit, figures[0]) for unit, figures in children_headline(parent) if figures[0].applicable]
    return sorted(rows, key=lambda r: (r[1].pct, -r[1].applicable, r[0].name))[:limit]


# --------------------------------------------------------------------------- drill-down: cadres not meeting it

WHICH = ("not_met", "overdue", "due_soon")


def _not_met_sql(unit: OrgUnit | None, standard_id: int, which: str, params: dict[str, Any]) -> str:
    where = ""
    if unit is not None:
        params.update(u_path=unit.path, u_path_end=unit.path_end)
        where += " AND s.org_path >= :u_path AND s.org_path < :u_path_end"
    if standard_id != OVERALL:
        params["sid"] = standard_id
        where += " AND q.standard_id = :sid"
    having = {"not_met": f"MIN(CASE WHEN {VALID_SQL} THEN 1 ELSE 0 END) = 0",
              "overdue": "MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) = 1",
              "due_soon": ("MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) = 0"
                           " AND MAX(CASE WHEN s.state = 'due_soon' THEN 1 ELSE 0 END) = 1")}[which]
    return (" FROM compliance_statuses s JOIN requirements q ON q.id = s.requirement_id"
            f" WHERE 1 = 1{where} GROUP BY s.cadre_id HAVING {having}")


def cadres_not_meeting(unit: OrgUnit | None, standard_id: int = OVERALL, which: str = "not_met", *,
                       page: int = 1, per_page: int = 50) -> tuple[list[dict[str, Any]], int]:
    """Cadres of the subtree not meeting the standard (or overdue / due soon), each with what is missing
    and by when; paged, most urgent deadline first. Returns (rows, total)."""
    which = which if which in WHICH else "not_met"
    params: dict[str, Any] = {}
    body = _not_met_sql(unit, standard_id, which, params)
    total = execute(f"SELECT COUNT(*) FROM (SELECT s.cadre_id{body}) n", params).scalar() or 0
    params.update(limit=per_page, offset=(max(page, 1) - 1) * per_page)
    deadline = "MIN(CASE WHEN NOT " + VALID_SQL + " THEN COALESCE(s.valid_until, s.due_on) END)"
    ids = [r[0] for r in execute(f"SELECT s.cadre_id, {deadline} AS d{body} ORDER BY d, s.cadre_id"
                                 " LIMIT :limit OFFSET :offset", params)]
    return _describe(ids, standard_id), total


def _describe(ids: list[int], standard_id: int) -> list[dict[str, Any]]:
    if not ids:
        return []
    cadres = {c.id: c for c in db.session.scalars(select(Cadre).where(Cadre.id.in_(ids)))}
    params: dict[str, Any] = {}
    cond = "" if standard_id == OVERALL else " AND q.standard_id = :sid"
    params["sid"] = standard_id
    missing: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    sql = (f"SELECT s.cadre_id, q.id, s.state, s.due_on, s.valid_until, s.satisfied_on FROM compliance_statuses s"
           f" JOIN requirements q ON q.id = s.requirement_id WHERE s.cadre_id IN {in_list('c', ids, params)}"
           f" AND NOT {VALID_SQL}{cond}")
    rows = execute(sql, params).all()
    reqs = {r.id: r for r in db.session.scalars(select(Requirement).where(Requirement.id.in_({r[1] for r in rows})))}
    from lms.standards.services import _d

    for cadre_id, rid, state, due_on, valid_until, satisfied_on in rows:
        deadline = _d(valid_until) if satisfied_on is not None else _d(due_on)
        missing[cadre_id].append({"requirement": reqs[rid], "state": state, "deadline": deadline})
    for items in missing.values():
        items.sort(key=lambda m: (m["deadline"] or date.max, m["requirement"].code))
    return [{"cadre": cadres[i], "missing": missing[i]} for i in ids if i in cadres]


def cadres_applicable(standard: Standard) -> int:
    """How many active cadres the standard's requirements in force apply to (distinct), from the statuses."""
    ids = [r.id for r in engine.cached_requirements(engine.today_vn()) if r.standard_id == standard.id]
    if not ids:
        return 0
    params: dict[str, Any] = {}
    return int(execute("SELECT COUNT(DISTINCT cadre_id) FROM compliance_statuses WHERE requirement_id IN "
                       + in_list("r", ids, params), params).scalar() or 0)


def share_as_of(unit: OrgUnit | None, day: date) -> tuple[int, int]:
    """(cadres meeting every requirement that applies to them, cadres with any) in the subtree on a past day.

    Runs the engine's as-of SELECT (from the ledger) — for reports on past periods, not for dashboards.
    """
    if not engine.cached_requirements(day):
        return 0, 0
    sql, params = engine.status_rows(unit, day)
    row = execute(f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN bad = 0 THEN 1 ELSE 0 END), 0) FROM"
                  f" (SELECT s.cadre_id, SUM(CASE WHEN {VALID_SQL} THEN 0 ELSE 1 END) AS bad FROM ({sql}) s"
                  f" GROUP BY s.cadre_id) t", params).one()
    return int(row[1]), int(row[0])
