"""Write a checked plan set-based: units first (placed parents-first), then cadres."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, update

from lms.core.db import db, utcnow
from lms.core.i18n import fold
from lms.org.importer.state import (
    BATCH,
    IN_CHUNK,
    ImportReport,
    Plan,
    UnitState,
    cadre_values,
    chunks,
    load_units,
)
from lms.org.models import Cadre, OrgUnit
from lms.org.services import move_unit


def apply_plan(plan: Plan) -> ImportReport:
    """Write the plan (flushes; the caller commits). Units first, placed parents-first; then cadres."""
    if plan.unit_updates:
        db.session.execute(update(OrgUnit), plan.unit_updates)
    _place_units(plan)
    unit_ids = {code: state.id for code, state in plan.units.items()}
    table = Cadre.__table__
    for batch in chunks(plan.cadre_inserts, BATCH):
        rows = [_cadre_row({"code": r.code, **cadre_values(r, plan.cadre_fields, None, {})}, unit_ids)
                for r in batch]
        db.session.execute(insert(table), rows)
    if plan.cadre_updates:
        columns = [c for c in _cadre_row(plan.cadre_updates[0], unit_ids) if c != "id"]
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({c: bindparam(f"b_{c}") for c in columns}))
        for batch in chunks(plan.cadre_updates, BATCH):
            db.session.execute(statement, [{f"b_{k}": v for k, v in _cadre_row(row, unit_ids).items()}
                                           for row in batch])
    for chunk in chunks(plan.cadre_deactivations, IN_CHUNK):
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
        for batch in chunks(plan.unit_inserts, BATCH):
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
    for batch in chunks(pending, BATCH):
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
