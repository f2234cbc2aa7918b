"""Standards: loading and editing (versioned), and the read side for dashboards, reports and reminders.

Current unfiltered figures come from the per-unit counts (``compliance_unit_counts``: a ``SUM`` over
the units in the subtree's path range); filtered ones from the stored statuses (one ``GROUP BY`` over
the status rows of a subtree, the org path denormalised onto each row); "as of" a past day runs the engine's SELECT on the
fly for the subtree (see :func:`lms.standards.engine.status_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import UserError
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.standards import engine
from lms.standards.models import ROLLUP_DEPTH, ComplianceStatus, Requirement, Standard, State

RULE_FIELDS = ("name_vi", "name_en", "applies_to", "satisfied_by", "min_score", "due_days", "due_date",
               "validity_months", "renewal_days")
STATES = [s.value for s in State]


# --------------------------------------------------------------------------- writing


def upsert_standard(data: dict[str, Any], today: date | None = None, user_id: int | None = None) -> tuple[Standard, int]:
    """Create or update a standard from validated data; returns it and the number of requirement versions added."""
    today = today or engine.today_vn()
    std = db.session.scalar(select(Standard).where(Standard.code == data["code"]))
    if std is None:
        std = Standard(code=data["code"])
        db.session.add(std)
    for key in ("name_vi", "name_en", "description", "target_pct", "effective_from", "effective_to", "is_example"):
        setattr(std, key, data[key])
    db.session.flush()
    added = 0
    for item in data["requirements"]:
        added += save_requirement(std, item, item.get("effective_from") or std.effective_from, today, user_id)
    return std, added


def current_version(code: str) -> Requirement | None:
    """The open-ended (latest) version of a requirement code."""
    return db.session.scalar(select(Requirement).where(Requirement.code == code, Requirement.effective_to.is_(None)))


def _same(req: Requirement, item: dict[str, Any]) -> bool:
    def norm(value):
        return Decimal(str(value)) if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else value

    return all(norm(getattr(req, f)) == norm(item[f]) for f in RULE_FIELDS)


def save_requirement(std: Standard, item: dict[str, Any], effective_from: date, today: date,
                     user_id: int | None = None) -> int:
    """Add a requirement, or a new version of it from ``effective_from``; 0 when nothing changed.

    The new version starts on ``effective_from`` or today, whichever is later (the past is never
    rewritten); the current version ends that day. A version not yet in force is changed in place.
    """
    current = current_version(item["code"])
    if current is not None and current.standard_id != std.id:
        raise UserError(f"Mã yêu cầu {item['code']} đã thuộc chuẩn khác.",
                        f"Requirement code {item['code']} belongs to another standard.", 409, "standard_conflict")
    if current is not None and _same(current, item):
        return 0
    values = {f: item[f] for f in RULE_FIELDS}
    if current is None:
        db.session.add(Requirement(standard=std, code=item["code"], version=1, since=effective_from,
                                   effective_from=effective_from, created_by_id=user_id, **values))
        db.session.flush()
        return 1
    start = max(effective_from, today)
    if start <= current.effective_from:  # not yet in force: nothing happened under it, change it in place
        for key, value in values.items():
            setattr(current, key, value)
        db.session.flush()
        return 1
    current.effective_to = start
    db.session.flush()
    db.session.add(Requirement(standard=std, code=item["code"], version=current.version + 1, since=current.since,
                               effective_from=start, created_by_id=user_id, **values))
    db.session.flush()
    return 1


def load_file(path, today: date | None = None, user_id: int | None = None, recompute: bool = True) -> list[tuple[Standard, int]]:
    """Load a TOML/YAML file (all or nothing); the statuses are recomputed by a job after the commit."""
    from lms.standards.jobs import request_recompute
    from lms.standards.loader import read_file

    results = [upsert_standard(item, today, user_id) for item in read_file(path)]
    if recompute:
        request_recompute()
    return results


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class StatusFilter:
    """Dashboard filters over the cadres counted."""

    employment: str = ""
    position: str = ""
    state: str = ""

    def cadre_sql(self, params: dict[str, Any]) -> str:
        """Extra conditions on ``cadres c`` (empty when no filter)."""
        parts = []
        if self.employment:
            parts.append(" AND c.employment = :f_employment")
            params["f_employment"] = self.employment
        if self.position:
            parts.append(" AND c.position = :f_position")
            params["f_position"] = self.position
        return "".join(parts)

    @property
    def any_cadre_filter(self) -> bool:
        return bool(self.employment or self.position)


def _source(as_of: date | None, unit: OrgUnit | None) -> tuple[str, dict[str, Any]]:
    """The status rows: the stored table, or the engine's SELECT as of a past day."""
    if as_of is None:
        return "compliance_statuses", {}
    sql, params = engine.status_rows(unit, as_of)
    return f"({sql})", params


def _subtree(unit: OrgUnit | None, params: dict[str, Any], column: str = "s.org_path") -> str:
    if unit is None:
        return ""
    params["u_path"], params["u_path_end"] = unit.path, unit.path_end
    return f" AND {column} >= :u_path AND {column} < :u_path_end"


def _day(as_of: date | None) -> date:
    return as_of or engine.today_vn()


def _blank(req: engine.ReqInfo) -> dict[str, Any]:
    row = {"requirement_id": req.id, "code": req.code, "name": req.name_vi, "name_en": req.name_en,
           "standard": req.standard_code, "target_pct": float(req.target_pct), "applicable": 0}
    row.update(dict.fromkeys(STATES, 0))
    return row


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """Add pct (compliant + in renewal + waived over applicable) and the traffic light."""
    ok = row["compliant"] + row["waived"] + row.get("renewing", 0)
    row["valid"] = ok
    row["pct"] = round(100.0 * ok / row["applicable"], 1) if row["applicable"] else None
    target = row["target_pct"]
    if row["pct"] is None:
        row["light"] = "secondary"
    elif row["pct"] >= target:
        row["light"] = "success"
    elif row["pct"] >= target - 10:
        row["light"] = "warning"
    else:
        row["light"] = "danger"
    return row


def _counts_sql(unit: OrgUnit | None, as_of: date | None, filters: StatusFilter, group: str,
                join_children: OrgUnit | None = None) -> tuple[str, dict[str, Any]]:
    if as_of is None and not filters.any_cadre_filter:
        top = join_children if join_children is not None else unit
        if top is None or top.depth + (1 if join_children is not None else 0) <= ROLLUP_DEPTH:
            return _rollup_sql(unit, join_children)
        return _precounted_sql(unit, group, join_children)
    source, params = _source(as_of, unit)
    renewing = "CASE WHEN s.state = 'due_soon' AND s.satisfied_on IS NOT NULL THEN 1 ELSE 0 END"
    joins = " JOIN cadres c ON c.id = s.cadre_id" if filters.any_cadre_filter else ""
    where = _subtree(unit, params) + filters.cadre_sql(params)
    if join_children is not None:
        params["parent_id"] = join_children.id
        joins += (" JOIN org_units ch ON ch.parent_id = :parent_id AND s.org_path >= ch.path"
                  " AND s.org_path < " + _path_end_sql("ch.path"))
    sql = (f"SELECT {group}s.requirement_id, s.state, COUNT(*), SUM({renewing}) FROM {source} s{joins}"
           f" WHERE 1 = 1{where} GROUP BY {group}s.requirement_id, s.state")
    return sql, params


def _child_of(params: dict[str, Any], parent: OrgUnit, column: str = "s.org_path") -> str:
    """SQL for the id (as text) of ``parent``'s child whose subtree holds ``column`` (a path below it)."""
    params["child_from"] = len(parent.path) + 1
    rest = f"substr({column}, :child_from)"
    if db.engine.dialect.name == "postgresql":
        return f"split_part({rest}, '/', 1)"
    return f"substr({rest}, 1, instr({rest}, '/') - 1)"


def _rollup_sql(unit: OrgUnit | None, join_children: OrgUnit | None = None) -> tuple[str, dict[str, Any]]:
    """Today's totals of a top unit (or of its children, provinces): the snapshot plus the deltas since.

    The snapshot (``compliance_rollup_counts``) is a primary-key read; the deltas are what per-cadre
    updates changed since the last full recompute (a range scan of a small table).
    """
    params: dict[str, Any] = {}
    if join_children is not None:
        params["parent_id"] = join_children.id
        child = _child_of(params, join_children, "d.org_path")
        params["u_path"], params["u_path_end"] = join_children.path, join_children.path_end
        snapshot = ("SELECT CAST(r.org_unit_id AS VARCHAR(20)) AS k, r.requirement_id AS rid, r.state AS st, r.n AS n,"
                    " r.renewing AS w FROM compliance_rollup_counts r JOIN org_units ch ON ch.id = r.org_unit_id"
                    " WHERE ch.parent_id = :parent_id")
        deltas = (f"SELECT {child} AS k, d.requirement_id AS rid, d.state AS st, d.n AS n, d.renewing AS w"
                  " FROM compliance_count_deltas d WHERE d.org_path >= :u_path AND d.org_path < :u_path_end"
                  " AND d.org_path <> :u_path")
        key = "x.k, "
    else:
        if unit is None:
            snapshot = ("SELECT r.requirement_id AS rid, r.state AS st, r.n AS n, r.renewing AS w"
                        " FROM compliance_rollup_counts r JOIN org_units t ON t.id = r.org_unit_id WHERE t.depth = 0")
            deltas = "SELECT d.requirement_id AS rid, d.state AS st, d.n AS n, d.renewing AS w FROM compliance_count_deltas d"
        else:
            params["top_id"] = unit.id
            params["u_path"], params["u_path_end"] = unit.path, unit.path_end
            snapshot = ("SELECT r.requirement_id AS rid, r.state AS st, r.n AS n, r.renewing AS w"
                        " FROM compliance_rollup_counts r WHERE r.org_unit_id = :top_id")
            deltas = ("SELECT d.requirement_id AS rid, d.state AS st, d.n AS n, d.renewing AS w"
                      " FROM compliance_count_deltas d WHERE d.org_path >= :u_path AND d.org_path < :u_path_end")
        key = ""
    sql = (f"SELECT {key}x.rid, x.st, SUM(x.n), SUM(x.w) FROM ({snapshot} UNION ALL {deltas}) x"
           f" GROUP BY {key}x.rid, x.st HAVING SUM(x.n) <> 0")
    return sql, params


def _precounted_sql(unit: OrgUnit | None, group: str,
                    join_children: OrgUnit | None = None) -> tuple[str, dict[str, Any]]:
    """Today's counts without cadre filters: a SUM over the per-unit counts in the subtree's path range.

    Per child, the child is read off the path (the id after the parent's path) — one range scan, no join.
    """
    params: dict[str, Any] = {}
    where = _subtree(unit, params)
    if join_children is not None:
        child = _child_of(params, join_children)
        where += " AND s.org_path <> :u_path"
        group = f"{child}, "
    sql = (f"SELECT {group}s.requirement_id, s.state, SUM(s.n), SUM(s.renewing) FROM compliance_unit_counts s"
           f" WHERE s.n <> 0{where} GROUP BY {group}s.requirement_id, s.state")
    return sql, params


def _path_end_sql(column: str) -> str:
    if db.engine.dialect.name == "postgresql":
        return f"(left({column}, -1) || '0')"
    return f"(substr({column}, 1, length({column}) - 1) || '0')"


def unit_summary(unit: OrgUnit | None, as_of: date | None = None,
                 filters: StatusFilter | None = None) -> list[dict[str, Any]]:
    """Per requirement in force: code, name, target_pct, applicable, one count per state, pct, light.

    ``unit`` None means the whole tree. One query.
    """
    filters = filters or StatusFilter()
    reqs = engine.cached_requirements(_day(as_of))
    rows = {r.id: _blank(r) for r in reqs}
    sql, params = _counts_sql(unit, as_of, filters, "")
    for rid, state, count, renewing in engine.execute(sql, params):
        if rid in rows:
            rows[rid][state] += int(count)
            rows[rid]["applicable"] += int(count)
            rows[rid]["renewing"] = rows[rid].get("renewing", 0) + int(renewing or 0)
    return [_finish(rows[r.id]) for r in reqs]


def children_summary(unit: OrgUnit, as_of: date | None = None,
                     filters: StatusFilter | None = None) -> list[dict[str, Any]]:
    """One row per child unit: {"unit": OrgUnit, "requirements": [unit_summary-like dicts], "pct": overall}."""
    filters = filters or StatusFilter()
    reqs = engine.cached_requirements(_day(as_of))
    children = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.name)))
    table = {c.id: {r.id: _blank(r) for r in reqs} for c in children}
    sql, params = _counts_sql(unit, as_of, filters, "ch.id, ", join_children=unit)
    for child_id, rid, state, count, renewing in engine.execute(sql, params):
        row = table.get(int(child_id), {}).get(rid)
        if row is not None:
            row[state] += int(count)
            row["applicable"] += int(count)
            row["renewing"] = row.get("renewing", 0) + int(renewing or 0)
    out = []
    for child in children:
        req_rows = [_finish(table[child.id][r.id]) for r in reqs]
        applicable = sum(r["applicable"] for r in req_rows)
        valid = sum(r["valid"] for r in req_rows)
        out.append({"unit": child, "requirements": req_rows, "applicable": applicable,
                    "pct": round(100.0 * valid / applicable, 1) if applicable else None})
    return out


def _record_map(ids: set[int]) -> dict[int, TrainingRecord]:
    if not ids:
        return {}
    return {r.id: r for r in db.session.scalars(select(TrainingRecord).where(TrainingRecord.id.in_(ids)))}


def cadre_statuses(cadre: Cadre, as_of: date | None = None) -> list[dict[str, Any]]:
    """Each requirement that applies to ``cadre``: state, dates and the satisfying records (the "why")."""
    if as_of is None:
        rows = [(s.requirement_id, s.state, s.due_on, s.satisfied_on, s.valid_until, s.waived_on, s.record_ids)
                for s in db.session.scalars(select(ComplianceStatus).where(ComplianceStatus.cadre_id == cadre.id))]
    else:
        sql, params = engine.status_rows(None, as_of, cadre_id=cadre.id)
        rows = [(r.requirement_id, r.state, _d(r.due_on), _d(r.satisfied_on), _d(r.valid_until), _d(r.waived_on),
                 r.record_ids) for r in engine.execute(sql, params)]
    reqs = {r.id: r for r in db.session.scalars(select(Requirement).where(Requirement.id.in_([r[0] for r in rows])))}
    ids = {int(x) for r in rows for x in (r[6] or "").split(",") if x}
    records = _record_map(ids)
    out = []
    for rid, state, due_on, satisfied_on, valid_until, waived_on, record_ids in rows:
        rec_ids = sorted(int(x) for x in (record_ids or "").split(",") if x)
        out.append({"requirement": reqs[rid], "requirement_id": rid, "code": reqs[rid].code, "state": state,
                    "due_on": due_on, "satisfied_on": satisfied_on, "valid_until": valid_until,
                    "waived_on": waived_on, "records": [records[i] for i in rec_ids if i in records]})
    return sorted(out, key=lambda r: r["code"])


def _d(value) -> date | None:
    """Dates come back as text from raw SQLite queries."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def due_and_overdue(as_of: date | None = None) -> Iterator[tuple[int, int, str, date | None]]:
    """For reminders: (cadre_id, requirement_id, state, due date) of every due-soon, overdue or expired row.

    The due date is ``due_on`` for requirements never met, ``valid_until`` for renewals.
    """
    source, params = _source(as_of, None)
    sql = (f"SELECT s.cadre_id, s.requirement_id, s.state, s.due_on, s.valid_until, s.satisfied_on FROM {source} s"
           " WHERE s.state IN ('due_soon', 'overdue', 'expired') ORDER BY s.cadre_id, s.requirement_id")
    result = engine.execute(sql, params)
    for cadre_id, rid, state, due_on, valid_until, satisfied_on in result:
        yield cadre_id, rid, state, _d(valid_until) if satisfied_on is not None else _d(due_on)


def cadre_rows(unit: OrgUnit | None, *, as_of: date | None = None, filters: StatusFilter | None = None,
               requirement_id: int | None = None, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
    """Drill-down list: cadres of a subtree with their status for each requirement (or one), paged."""
    filters = filters or StatusFilter()
    source, params = _source(as_of, unit)
    where = _subtree(unit, params) + filters.cadre_sql(params)
    if filters.state:
        where += " AND s.state = :f_state"
        params["f_state"] = filters.state
    if requirement_id:
        where += " AND s.requirement_id = :f_rid"
        params["f_rid"] = requirement_id
    base = f"FROM {source} s JOIN cadres c ON c.id = s.cadre_id WHERE 1 = 1{where}"
    total = engine.execute(f"SELECT COUNT(*) {base}", params).scalar() or 0
    params.update(limit=per_page, offset=(page - 1) * per_page)
    result = engine.execute(
        f"SELECT c.id, c.code, c.full_name, c.position, c.employment, s.requirement_id, s.state, s.due_on,"
        f" s.valid_until, c.phone, c.email, (SELECT ou.name FROM org_units ou WHERE ou.id = c.org_unit_id)"
        f" {base} ORDER BY c.name_search, c.id, s.requirement_id LIMIT :limit OFFSET :offset", params)
    rows = [{"cadre_id": r[0], "code": r[1], "full_name": r[2], "position": r[3], "employment": r[4],
             "requirement_id": r[5], "state": r[6], "due_on": _d(r[7]), "valid_until": _d(r[8]), "phone": r[9],
             "email": r[10], "unit": r[11]} for r in result]
    return rows, total


def requirements_for_learner(cadre: Cadre) -> list[dict[str, Any]]:
    """The learner's panel: what is required and by when, most urgent first, with modules to study."""
    from lms.catalog.models import Module

    rows = cadre_statuses(cadre)
    codes = {c for r in rows for alt in r["requirement"].satisfied_by for c in alt.get("modules", [])}
    modules = {m.code: m for m in db.session.scalars(select(Module).where(Module.code.in_(codes)))} if codes else {}
    order = {"overdue": 0, "expired": 1, "due_soon": 2, "not_yet_due": 3, "compliant": 4, "waived": 5}
    for row in rows:
        row["modules"] = [modules[c] for alt in row["requirement"].satisfied_by for c in alt.get("modules", [])
                          if c in modules]
        row["hours"] = [alt for alt in row["requirement"].satisfied_by if alt["kind"] == "hours"]
        row["deadline"] = row["valid_until"] if row["satisfied_on"] else row["due_on"]
    far = date.max - timedelta(days=1)
    return sorted(rows, key=lambda r: (order.get(r["state"], 9), r["deadline"] or far))
