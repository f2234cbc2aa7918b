"""Plan an import against the database (every check, no writes); :mod:`.apply` writes it set-based.

Upsert by code: existing codes are pre-loaded into dicts, new rows are inserted and changed rows
updated in batches. Two ways to plan:

* :func:`plan_import` — all or nothing: one bad row rejects the file (the CLI, the demo seed);
* :func:`plan_valid_rows` — the web preview: bad rows are left out with their reasons, and so are the
  rows that depend on them (a unit whose parent row is bad, a cadre whose unit row is bad), so that
  nothing is half-written. Units are written before cadres.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.org.importer.checks import (
    ScopeCheck,
    check_cadre_scope,
    check_cadre_units,
    check_cycles,
    check_parents,
    err,
)
from lms.org.importer.reader import CadreRow, ImportRejected, ParsedFile, RowError, UnitRow
from lms.org.importer.state import (
    CADRE_FIELDS,
    IN_CHUNK,
    ImportReport,
    Plan,
    UnitState,
    cadre_values,
    chunks,
    load_cadres,
    load_units,
    parent_code,
)
from lms.org.models import Cadre, OrgUnit


def plan_import(parsed: ParsedFile, *, deactivate_missing: bool = False, scope: OrgUnit | None = None) -> Plan:
    """Check ``parsed`` against the database and compute the writes; ImportRejected lists every bad row."""
    plan, errors = _check(parsed, scope)
    errors = list(parsed.errors) + errors
    if errors:
        raise ImportRejected.of(
            f"Tệp có {len(errors)} lỗi; không có dữ liệu nào được ghi. Hãy sửa các dòng dưới đây rồi tải lại.",
            f"The file has {len(errors)} error(s); nothing was written. Fix the rows below and upload again.",
            "import_invalid", 422, sort_errors(errors, parsed))
    _finish(plan, parsed, deactivate_missing)
    return plan


def plan_valid_rows(parsed: ParsedFile, *, deactivate_missing: bool = False,
                    scope: OrgUnit | None = None) -> tuple[Plan, list[RowError], ParsedFile]:
    """The plan of the file's valid rows, every left-out row's reasons (dependent rows included), the valid rows.

    Missing cadres are not deactivated when a cadre row is bad: its cadre would look absent.
    """
    errors = list(parsed.errors)
    dropped = dict(parsed.bad_codes.get("units", {}))
    rows = replace(parsed, errors=[])
    while True:  # each round leaves out at least one more row, so this ends
        rows, dependent = _drop_dependents(rows, dropped)
        errors += dependent
        plan, found = _check(rows, scope)
        if not found:
            break
        errors += found
        rows = _drop_rows(rows, found, dropped)
    cadre_sheet = parsed.sheet_names.get("cadres")
    safe = not any(e.sheet == cadre_sheet for e in errors)
    _finish(plan, rows, deactivate_missing and safe)
    plan.report.deactivation_skipped = deactivate_missing and not safe
    return plan, sort_errors(errors, parsed), rows


def sort_errors(errors: list[RowError], parsed: ParsedFile) -> list[RowError]:
    """Units sheet first, then by sheet and row."""
    unit_sheet = parsed.sheet_names.get("units", "")
    return sorted(errors, key=lambda e: (e.sheet != unit_sheet, e.sheet, e.row))


def _check(parsed: ParsedFile, scope: OrgUnit | None) -> tuple[Plan, list[RowError]]:
    """Every check of the rows against the tree; the plan of the cadre rows that passed."""
    units = load_units()
    by_id = {u.id: u.code for u in units.values()}
    plan = Plan(ImportReport(), units, {code: by_id.get(u.parent_id) for code, u in units.items()},
                {r.code: r for r in parsed.units})
    unit_sheet = parsed.sheet_names.get("units", "")
    cadre_sheet = parsed.sheet_names.get("cadres", "")
    errors = check_parents(plan, parsed.units, unit_sheet) + check_cycles(plan, parsed.units, unit_sheet)
    inside = ScopeCheck(plan, scope)
    errors += inside.unit_errors(parsed.units, unit_sheet)
    errors += check_cadre_units(plan, parsed.cadres, inside, cadre_sheet)
    bad = {e.row for e in errors if e.sheet == cadre_sheet}
    plan.cadre_fields = parsed.cadre_fields
    for chunk in chunks(parsed.cadres, IN_CHUNK):  # a chunk of stored cadres at a time: memory stays flat
        existing = load_cadres([r.code for r in chunk])
        found = check_cadre_scope(plan, chunk, existing, inside, cadre_sheet, by_id)
        errors += found
        bad.update(e.row for e in found)
        _plan_cadres(plan, [r for r in chunk if r.row not in bad], existing, by_id)
    return plan, errors


def _finish(plan: Plan, parsed: ParsedFile, deactivate_missing: bool) -> None:
    _plan_units(plan, parsed.units)
    if deactivate_missing:
        _plan_missing(plan, parsed.cadres, plan.units)


def _drop_rows(parsed: ParsedFile, errors: list[RowError], dropped: dict[str, int]) -> ParsedFile:
    """``parsed`` without the rows named in ``errors``; the dropped unit codes are added to ``dropped``."""
    unit_rows = {e.row for e in errors if e.sheet == parsed.sheet_names.get("units")}
    cadre_rows = {e.row for e in errors if e.sheet == parsed.sheet_names.get("cadres")}
    dropped.update({r.code: r.row for r in parsed.units if r.row in unit_rows})
    return replace(parsed, units=[r for r in parsed.units if r.row not in unit_rows],
                   cadres=[r for r in parsed.cadres if r.row not in cadre_rows])


def _drop_dependents(parsed: ParsedFile, dropped: dict[str, int]) -> tuple[ParsedFile, list[RowError]]:
    """Leave out the units below a left-out unit row and the cadres of a left-out unit row, with reasons."""
    if not dropped:
        return parsed, []
    errors: list[RowError] = []
    units = list(parsed.units)
    while True:
        below = [r for r in units if r.parent in dropped and r.code not in dropped]
        if not below:
            break
        for r in below:
            errors.append(_dependent(parsed, "units", r.row, "Mã đơn vị cấp trên", r.parent or "", dropped))
            dropped[r.code] = r.row
        units = [r for r in units if r.code not in dropped]
    cadres = []
    for r in parsed.cadres:
        if r.unit in dropped:
            errors.append(_dependent(parsed, "cadres", r.row, "Mã đơn vị", r.unit, dropped))
        else:
            cadres.append(r)
    return replace(parsed, units=units, cadres=cadres), errors


def _dependent(parsed: ParsedFile, kind: str, row: int, column: str, code: str, dropped: dict[str, int]) -> RowError:
    where = dropped[code]
    return err(parsed.sheet_names.get(kind, ""), row, column,
               f"Dòng đơn vị “{code}” (dòng {where}) có lỗi nên dòng này cũng không được nhập.",
               f"The row of unit “{code}” (row {where}) has errors, so this row is left out too.")


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
        if plan.final_parent.get(r.code) != parent_code(plan, current):
            plan.unit_moves.add(r.code)
            changed.append("parent")
        if changed:
            plan.unit_updates.append({"id": current.id, "name": r.name, "level": level, "active": active})
            report.units_updated.append((r.code, r.name, changed))
        else:
            report.units_unchanged += 1


def _plan_cadres(plan: Plan, rows: list[CadreRow], existing: dict[str, Any], by_id: dict[int, str]) -> None:
    report = plan.report
    for r in rows:
        old = existing.get(r.code)
        if old is None:
            plan.cadre_inserts.append(r)
            report.cadres_created.append((r.code, r.full_name, r.unit))
            continue
        values = cadre_values(r, plan.cadre_fields, old, by_id)
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
    for chunk in chunks(unit_ids, IN_CHUNK):
        query = select(Cadre.id, Cadre.code, Cadre.full_name).where(Cadre.org_unit_id.in_(chunk), Cadre.active)
        for cadre_id, code, name in db.session.execute(query.order_by(Cadre.code)):
            if code not in listed:
                plan.cadre_deactivations.append(cadre_id)
                plan.report.cadres_deactivated.append((code, name))

