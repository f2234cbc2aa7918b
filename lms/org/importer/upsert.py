"""Plan an import against the database (every check, no writes), then apply it set-based.

Upsert by code: existing codes are pre-loaded into dicts, new rows are inserted and changed rows
updated in batches (``session.execute(insert(...), rows)`` / ORM bulk UPDATE by primary key).
Moving a unit rewrites its subtree's paths with :func:`lms.org.services.move_unit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from lms.core.db import db, utcnow
from lms.core.i18n import fold
from lms.org.importer.reader import KEY_POSITIONS, CadreRow, ImportRejected, ParsedFile, RowError, UnitRow
from lms.org.models import Cadre, Employment, OrgUnit, Position
from lms.org.services import move_unit

BATCH = 2000
#: codes per ``IN (…)`` when pre-loading (well under SQLite's variable limit)
IN_CHUNK = 900
CADRE_FIELDS = ("full_name", "gender", "birth_date", "email", "phone", "unit", "position", "employment",
                "is_key", "appointed_on", "active")


@dataclass(slots=True)
class UnitState:
    """A unit as it is in the database (or will be, once placed)."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    depth: int
    active: bool


@dataclass
class ImportReport:
    """What an import creates, updates and deactivates (a dry run reports the same without writing)."""

    units_created: list[tuple[str, str]] = field(default_factory=list)
    units_updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    units_unchanged: int = 0
    cadres_created: list[tuple[str, str, str]] = field(default_factory=list)
    cadres_updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    cadres_deactivated: list[tuple[str, str]] = field(default_factory=list)
    cadres_unchanged: int = 0
    applied: bool = False
    #: learner accounts of the file's cadres (created, linked, existing, skipped): lms.accounts.provision
    accounts: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """The numbers, for summaries and JSON."""
        return {"units_created": len(self.units_created), "units_updated": len(self.units_updated),
                "units_unchanged": self.units_unchanged, "cadres_created": len(self.cadres_created),
                "cadres_updated": len(self.cadres_updated), "cadres_deactivated": len(self.cadres_deactivated),
                "cadres_unchanged": self.cadres_unchanged}


@dataclass
class Plan:
    """The writes an import will make, computed and checked before any of them."""

    report: ImportReport
    units: dict[str, UnitState]
    final_parent: dict[str, str | None]
    file_units: dict[str, UnitRow]
    unit_inserts: list[dict[str, Any]] = field(default_factory=list)
    unit_updates: list[dict[str, Any]] = field(default_factory=list)
    unit_moves: set[str] = field(default_factory=set)
    #: new cadres, as rows: their values are built batch by batch at apply time (memory)
    cadre_inserts: list[CadreRow] = field(default_factory=list)
    cadre_fields: set[str] = field(default_factory=set)
    cadre_updates: list[dict[str, Any]] = field(default_factory=list)
    cadre_deactivations: list[int] = field(default_factory=list)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_units() -> dict[str, UnitState]:
    """Every unit by code (units are thousands, not millions)."""
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                                     OrgUnit.path, OrgUnit.depth, OrgUnit.active))
    return {r.code: UnitState(*r) for r in rows}


def plan_import(parsed: ParsedFile, *, deactivate_missing: bool = False, scope: OrgUnit | None = None) -> Plan:
    """Check ``parsed`` against the database and compute the writes; ImportRejected lists every bad row."""
    units = load_units()
    by_id = {u.id: u.code for u in units.values()}
    plan = Plan(ImportReport(), units, {code: by_id.get(u.parent_id) for code, u in units.items()},
                {r.code: r for r in parsed.units})
    errors = list(parsed.errors)
    unit_sheet = parsed.sheet_names.get("units", "")
    cadre_sheet = parsed.sheet_names.get("cadres", "")
    errors += _check_parents(plan, parsed.units, unit_sheet)
    errors += _check_cycles(plan, parsed.units, unit_sheet)
    inside = _ScopeCheck(plan, scope)
    errors += inside.unit_errors(parsed.units, unit_sheet)
    errors += _check_cadre_units(plan, parsed.cadres, inside, cadre_sheet)
    plan.cadre_fields = parsed.cadre_fields
    for chunk in _chunks(parsed.cadres, IN_CHUNK):  # a chunk of stored cadres at a time: memory stays flat
        existing = _load_cadres([r.code for r in chunk])
        errors += _check_cadre_scope(plan, chunk, existing, inside, cadre_sheet, by_id)
        if not errors:
            _plan_cadres(plan, chunk, existing, by_id)
    if errors:
        errors.sort(key=lambda e: (e.sheet != unit_sheet, e.sheet, e.row))
        raise ImportRejected.of(
            f"Tệp có {len(errors)} lỗi; không có dữ liệu nào được ghi. Hãy sửa các dòng dưới đây rồi tải lại.",
            f"The file has {len(errors)} error(s); nothing was written. Fix the rows below and upload again.",
            "import_invalid", 422, errors)
    _plan_units(plan, parsed.units)
    if deactivate_missing:
        _plan_missing(plan, parsed.cadres, units)
    return plan


def _err(sheet: str, row: int, column: str, vi: str, en: str) -> RowError:
    return RowError(sheet, row, column, vi, en)


def _check_parents(plan: Plan, rows: list[UnitRow], sheet: str) -> list[RowError]:
    errors = []
    for r in rows:
        if r.parent == r.code:
            errors.append(_err(sheet, r.row, "Mã đơn vị cấp trên",
                               f"Đơn vị “{r.code}” không thể là cấp trên của chính nó (vòng lặp).",
                               f"Unit “{r.code}” cannot be its own parent (cycle)."))
        elif r.parent and r.parent not in plan.file_units and r.parent not in plan.units:
            errors.append(_err(sheet, r.row, "Mã đơn vị cấp trên",
                               f"Không tìm thấy đơn vị cấp trên “{r.parent}” (trong tệp hoặc trong hệ thống).",
                               f"Unknown parent unit “{r.parent}” (neither in the file nor in the system)."))
        else:
            plan.final_parent[r.code] = r.parent
    return errors


def _check_cycles(plan: Plan, rows: list[UnitRow], sheet: str) -> list[RowError]:
    """Rows on a loop of the tree as it will be (database parents overridden by the file)."""
    errors: list[RowError] = []
    rooted: set[str] = set()
    for r in rows:
        chain = [r.code]
        seen = {r.code}
        current = plan.final_parent.get(r.code)
        while current is not None and current not in rooted:
            if current == r.code:
                loop = " → ".join([*chain, r.code])
                errors.append(_err(sheet, r.row, "Mã đơn vị cấp trên", f"Vòng lặp trong cây đơn vị: {loop}.",
                                   f"Cycle in the unit tree: {loop}."))
                break
            if current in seen:
                break  # a loop above this unit; reported on the rows that form it
            chain.append(current)
            seen.add(current)
            current = plan.final_parent.get(current)
        else:
            rooted.update(chain)
    return errors


class _ScopeCheck:
    """An admin scoped to a unit may only import into that unit's subtree."""

    def __init__(self, plan: Plan, scope: OrgUnit | None) -> None:
        self.plan = plan
        self.scope = scope
        self._memo: dict[str, bool] = {}

    def now_inside(self, path: str) -> bool:
        """The unit with ``path`` is in the scope today."""
        return self.scope is None or self.scope.path <= path < self.scope.path_end

    def will_be_inside(self, code: str) -> bool:
        """The unit with ``code`` lies in the scope once the file is applied."""
        if self.scope is None:
            return True
        chain, current, result = [], code, False
        while current is not None and len(chain) <= len(self.plan.final_parent) + 1:
            if current in self._memo:
                result = self._memo[current]
                break
            if current == self.scope.code:
                result = True
                break
            chain.append(current)
            current = self.plan.final_parent.get(current)
        for item in chain:
            self._memo[item] = result
        return result

    def _outside(self, sheet: str, row: int, column: str, code: str) -> RowError:
        return _err(sheet, row, column, f"Đơn vị “{code}” nằm ngoài phạm vi quản lý của bạn.",
                    f"Unit “{code}” is outside the part of the tree you manage.")

    def unit_errors(self, rows: list[UnitRow], sheet: str) -> list[RowError]:
        """Unit rows outside the scope, or moving the scope unit itself."""
        if self.scope is None:
            return []
        errors = []
        for r in rows:
            current = self.plan.units.get(r.code)
            if (current is not None and not self.now_inside(current.path)) or not self.will_be_inside(r.code):
                errors.append(self._outside(sheet, r.row, "Mã đơn vị", r.code))
            elif r.code == self.scope.code and self.plan.final_parent.get(r.code) != _parent_code(
                    self.plan, current):
                errors.append(self._outside(sheet, r.row, "Mã đơn vị cấp trên", r.parent or "—"))
        return errors


def _parent_code(plan: Plan, state: UnitState | None) -> str | None:
    if state is None or state.parent_id is None:
        return None
    return next((c for c, u in plan.units.items() if u.id == state.parent_id), None)


def _load_cadres(codes: list[str]) -> dict[str, Any]:
    """Existing cadres with these codes (in chunks), by code."""
    found: dict[str, Any] = {}
    columns = (Cadre.id, Cadre.code, Cadre.full_name, Cadre.gender, Cadre.birth_date, Cadre.email, Cadre.phone,
               Cadre.org_unit_id, Cadre.position, Cadre.employment, Cadre.is_key, Cadre.appointed_on, Cadre.active)
    for chunk in _chunks(codes, IN_CHUNK):
        for row in db.session.execute(select(*columns).where(Cadre.code.in_(chunk))):
            found[row.code] = row
    return found


def _check_cadre_units(plan: Plan, rows: list[CadreRow], inside: _ScopeCheck, sheet: str) -> list[RowError]:
    """Cadre rows naming an unknown unit, or a unit outside the importing admin's scope."""
    errors = []
    for r in rows:
        if r.unit not in plan.file_units and r.unit not in plan.units:
            errors.append(_err(sheet, r.row, "Mã đơn vị",
                               f"Không tìm thấy đơn vị “{r.unit}” (trong tệp hoặc trong hệ thống).",
                               f"Unknown unit “{r.unit}” (neither in the file nor in the system)."))
            continue
        if not inside.will_be_inside(r.unit):
            errors.append(inside._outside(sheet, r.row, "Mã đơn vị", r.unit))
    return errors


def _check_cadre_scope(plan: Plan, rows: list[CadreRow], existing: dict[str, Any], inside: _ScopeCheck,
                       sheet: str, by_id: dict[int, str]) -> list[RowError]:
    """Stored cadres that the importing admin may not touch (their unit is outside the scope today)."""
    if inside.scope is None:
        return []
    errors = []
    for r in rows:
        old = existing.get(r.code)
        if old is not None and not inside.now_inside(plan.units[by_id[old.org_unit_id]].path):
            errors.append(_err(sheet, r.row, "Mã cán bộ",
                               f"Cán bộ “{r.code}” thuộc đơn vị ngoài phạm vi quản lý của bạn.",
                               f"Cadre “{r.code}” belongs to a unit outside the part of the tree you manage."))
    return errors


def _plan_units(plan: Plan, rows: list[UnitRow]) -> None:
    report = plan.report
    for r in rows:
        current = plan.units.get(r.code)
        level = r.level if r.level is not None else (current.level if current else "")
        active = r.active if r.active is not None else True
        if current is None:
            plan.unit_inserts.append({"code": r.code, "name": r.name, "level": level, "active": active,
                                      "path": "", "depth": 0})
            report.units_created.append((r.code, r.name))
            continue
        changed = [name for name, old, new in (("name", current.name, r.name), ("level", current.level, level),
                                               ("active", current.active, active)) if old != new]
        if plan.final_parent.get(r.code) != _parent_code(plan, current):
            plan.unit_moves.add(r.code)
            changed.append("parent")
        if changed:
            plan.unit_updates.append({"id": current.id, "name": r.name, "level": level, "active": active})
            report.units_updated.append((r.code, r.name, changed))
        else:
            report.units_unchanged += 1


def _cadre_values(r: CadreRow, present: set[str], old: Any, by_id: dict[int, str]) -> dict[str, Any]:
    """The cadre's values after the import: absent optional columns keep the stored value."""
    values: dict[str, Any] = {"full_name": r.full_name, "gender": r.gender, "unit": r.unit, "position": r.position}
    for name in ("birth_date", "email", "phone", "appointed_on"):
        if name in present:
            values[name] = getattr(r, name)
        else:
            values[name] = getattr(old, name) if old is not None else None
    default_employment = (Employment.full_time if r.position == Position.full_time_officer
                          else Employment.part_time).value
    values["employment"] = r.employment or (old.employment if old is not None else default_employment)
    values["is_key"] = r.is_key if r.is_key is not None else r.position in KEY_POSITIONS
    values["active"] = r.active if r.active is not None else True
    return values


def _plan_cadres(plan: Plan, rows: list[CadreRow], existing: dict[str, Any], by_id: dict[int, str]) -> None:
    report = plan.report
    for r in rows:
        old = existing.get(r.code)
        if old is None:
            plan.cadre_inserts.append(r)
            report.cadres_created.append((r.code, r.full_name, r.unit))
            continue
        values = _cadre_values(r, plan.cadre_fields, old, by_id)
        before = {name: getattr(old, name) for name in CADRE_FIELDS if name != "unit"}
        before["unit"] = by_id[old.org_unit_id]
        changed = [name for name in CADRE_FIELDS if before[name] != values[name]]
        if not changed:
            report.cadres_unchanged += 1
            continue
        plan.cadre_updates.append({"id": old.id, **values})
        if before["active"] and not values["active"]:
            report.cadres_deactivated.append((r.code, r.full_name))
        else:
            report.cadres_updated.append((r.code, r.full_name, changed))


def _plan_missing(plan: Plan, rows: list[CadreRow], units: dict[str, UnitState]) -> None:
    """Active cadres of the units named in the file's cadre rows who are absent from the file."""
    listed = {r.code for r in rows}
    unit_ids = sorted({units[r.unit].id for r in rows if r.unit in units})
    for chunk in _chunks(unit_ids, IN_CHUNK):
        query = select(Cadre.id, Cadre.code, Cadre.full_name).where(Cadre.org_unit_id.in_(chunk), Cadre.active)
        for cadre_id, code, name in db.session.execute(query.order_by(Cadre.code)):
            if code not in listed:
                plan.cadre_deactivations.append(cadre_id)
                plan.report.cadres_deactivated.append((code, name))


def apply_plan(plan: Plan) -> ImportReport:
    """Write the plan (flushes; the caller commits). Units first, placed parents-first; then cadres."""
    if plan.unit_updates:
        db.session.execute(update(OrgUnit), plan.unit_updates)
    _place_units(plan)
    unit_ids = {code: state.id for code, state in plan.units.items()}
    table = Cadre.__table__
    for batch in _chunks(plan.cadre_inserts, BATCH):
        rows = [_cadre_row({"code": r.code, **_cadre_values(r, plan.cadre_fields, None, {})}, unit_ids)
                for r in batch]
        db.session.execute(insert(table), rows)
    if plan.cadre_updates:
        columns = [c for c in _cadre_row(plan.cadre_updates[0], unit_ids) if c != "id"]
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({c: bindparam(f"b_{c}") for c in columns}))
        for batch in _chunks(plan.cadre_updates, BATCH):
            db.session.execute(statement, [{f"b_{k}": v for k, v in _cadre_row(row, unit_ids).items()}
                                           for row in batch])
    for chunk in _chunks(plan.cadre_deactivations, IN_CHUNK):
        db.session.execute(update(Cadre).where(Cadre.id.in_(chunk)).values(active=False, updated_at=utcnow())
                           .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()
    plan.report.applied = True
    return plan.report


def _cadre_row(values: dict[str, Any], unit_ids: dict[str, int]) -> dict[str, Any]:
    row = {k: v for k, v in values.items() if k != "unit"}
    row["org_unit_id"] = unit_ids[values["unit"]]
    row["name_search"] = fold(values["full_name"])
    return row


def _place_units(plan: Plan) -> None:
    """Insert new units, then set parent/path/depth parents-first; existing units that move use move_unit."""
    if not plan.file_units:
        return
    if plan.unit_inserts:
        table = OrgUnit.__table__
        statement = insert(table).returning(table.c.id, table.c.code, sort_by_parameter_order=True)
        for batch in _chunks(plan.unit_inserts, BATCH):
            for unit_id, code in db.session.execute(statement, batch):
                plan.units[code] = UnitState(unit_id, code, plan.file_units[code].name, "", None, "", 0, True)
    created = {code for code, _name in plan.report.units_created}
    pending: list[dict[str, Any]] = []
    for code in sorted(plan.file_units, key=lambda c: _final_depth(plan, c)):
        if code in created:
            pending.append(_place_new(plan, code))
        elif code in plan.unit_moves:
            _flush_placements(pending)
            _move_existing(plan, code)
    _flush_placements(pending)


def _final_depth(plan: Plan, code: str) -> int:
    depth, current = 0, plan.final_parent.get(code)
    while current is not None:
        depth += 1
        current = plan.final_parent.get(current)
    return depth


def _place_new(plan: Plan, code: str) -> dict[str, Any]:
    state = plan.units[code]
    parent_code = plan.final_parent.get(code)
    parent = plan.units[parent_code] if parent_code else None
    state.parent_id = parent.id if parent else None
    state.path = f"{parent.path if parent else '/'}{state.id}/"
    state.depth = parent.depth + 1 if parent else 0
    return {"id": state.id, "parent_id": state.parent_id, "path": state.path, "depth": state.depth}


def _flush_placements(pending: list[dict[str, Any]]) -> None:
    for batch in _chunks(pending, BATCH):
        db.session.execute(update(OrgUnit), batch)
    pending.clear()


def _move_existing(plan: Plan, code: str) -> None:
    parent_code = plan.final_parent.get(code)
    unit = db.session.get(OrgUnit, plan.units[code].id)
    parent = db.session.get(OrgUnit, plan.units[parent_code].id) if parent_code else None
    move_unit(unit, parent)
    # move_unit rewrote the paths; set the parent column explicitly (it expires the session)
    db.session.execute(update(OrgUnit).where(OrgUnit.id == plan.units[code].id)
                       .values(parent_id=parent.id if parent else None)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    plan.units.update(load_units())
