"""Checks of an import's rows against the tree as it will be: parents, cycles, the admin's scope."""

from __future__ import annotations

from typing import Any

from lms.org.importer.reader import CadreRow, RowError, UnitRow
from lms.org.importer.state import Plan, parent_code
from lms.org.models import OrgUnit


def err(sheet: str, row: int, column: str, vi: str, en: str) -> RowError:
    return RowError(sheet, row, column, vi, en)


def check_parents(plan: Plan, rows: list[UnitRow], sheet: str) -> list[RowError]:
    errors = []
    for r in rows:
        if r.parent == r.code:
            errors.append(err(sheet, r.row, "Mã đơn vị cấp trên",
                               f"Đơn vị “{r.code}” không thể là cấp trên của chính nó (vòng lặp).",
                               f"Unit “{r.code}” cannot be its own parent (cycle)."))
        elif r.parent and r.parent not in plan.file_units and r.parent not in plan.units:
            errors.append(err(sheet, r.row, "Mã đơn vị cấp trên",
                               f"Không tìm thấy đơn vị cấp trên “{r.parent}” (trong tệp hoặc trong hệ thống).",
                               f"Unknown parent unit “{r.parent}” (neither in the file nor in the system)."))
        else:
            plan.final_parent[r.code] = r.parent
    return errors


def check_cycles(plan: Plan, rows: list[UnitRow], sheet: str) -> list[RowError]:
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
                errors.append(err(sheet, r.row, "Mã đơn vị cấp trên", f"Vòng lặp trong cây đơn vị: {loop}.",
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


class ScopeCheck:
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
        return err(sheet, row, column, f"Đơn vị “{code}” nằm ngoài phạm vi quản lý của bạn.",
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
            elif r.code == self.scope.code and self.plan.final_parent.get(r.code) != parent_code(
                    self.plan, current):
                errors.append(self._outside(sheet, r.row, "Mã đơn vị cấp trên", r.parent or "—"))
        return errors


def check_cadre_units(plan: Plan, rows: list[CadreRow], inside: ScopeCheck, sheet: str) -> list[RowError]:
    """Cadre rows naming an unknown unit, or a unit outside the importing admin's scope."""
    errors = []
    for r in rows:
        if r.unit not in plan.file_units and r.unit not in plan.units:
            errors.append(err(sheet, r.row, "Mã đơn vị",
                               f"Không tìm thấy đơn vị “{r.unit}” (trong tệp hoặc trong hệ thống).",
                               f"Unknown unit “{r.unit}” (neither in the file nor in the system)."))
            continue
        if not inside.will_be_inside(r.unit):
            errors.append(inside._outside(sheet, r.row, "Mã đơn vị", r.unit))
    return errors


def check_cadre_scope(plan: Plan, rows: list[CadreRow], existing: dict[str, Any], inside: ScopeCheck,
                       sheet: str, by_id: dict[int, str]) -> list[RowError]:
    """Stored cadres that the importing admin may not touch (their unit is outside the scope today)."""
    if inside.scope is None:
        return []
    errors = []
    for r in rows:
        old = existing.get(r.code)
        if old is not None and not inside.now_inside(plan.units[by_id[old.org_unit_id]].path):
            errors.append(err(sheet, r.row, "Mã cán bộ",
                               f"Cán bộ “{r.code}” thuộc đơn vị ngoài phạm vi quản lý của bạn.",
                               f"Cadre “{r.code}” belongs to a unit outside the part of the tree you manage."))
    return errors


