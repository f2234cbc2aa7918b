"""Whom a standard reaches: the number of active cadres its current requirements apply to, and the
``levels`` it names that the tree does not use — so that a standard matching nobody is flagged on load
(CLI warning, admin page) instead of silently showing an empty dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.org.models import OrgUnit
from lms.standards.criteria import compile_sql
from lms.standards.models import Standard
from lms.standards.sql import execute


@dataclass
class Reach:
    """How many active cadres a standard applies to (distinct), per requirement, and unknown level labels."""

    cadres: int = 0
    per_requirement: dict[str, int] = field(default_factory=dict)
    unknown_levels: list[str] = field(default_factory=list)

    @property
    def nobody(self) -> bool:
        return self.cadres == 0


def tree_levels() -> list[str]:
    """The level labels the org tree uses (its own vocabulary), sorted."""
    return sorted(set(db.session.scalars(select(OrgUnit.level).distinct())))


def _count(rules: list[dict[str, Any]]) -> int:
    params: dict[str, Any] = {}
    parts = []
    for i, rule in enumerate(rules):
        crit, crit_params = compile_sql(rule or {}, f"r{i}")
        parts.append(f"({crit})")
        params.update(crit_params)
    sql = ("SELECT COUNT(*) FROM cadres c JOIN org_units u ON u.id = c.org_unit_id WHERE "
           + (" OR ".join(parts) or "1 = 0"))
    return int(execute(sql, params).scalar() or 0)


def reach(standard: Standard) -> Reach:
    """The standard's current requirement versions (not ended): whom they apply to, by the tree's vocabulary."""
    current = [r for r in standard.requirements if r.effective_to is None]
    levels = set(tree_levels())
    named = {lv for r in current for lv in (r.applies_to or {}).get("levels", [])}
    return Reach(cadres=_count([r.applies_to for r in current]),
                 per_requirement={r.code: _count([r.applies_to]) for r in current},
                 unknown_levels=sorted(named - levels))


def warning(standard: Standard, found: Reach) -> tuple[str, str]:
    """The (Vietnamese, English) warning for a standard that applies to nobody."""
    vi = f"Chuẩn {standard.code} không áp dụng cho cán bộ nào."
    en = f"Standard {standard.code} applies to no cadre."
    if found.unknown_levels:
        known = ", ".join(tree_levels())
        vi += f" Cấp không có trong cây tổ chức: {', '.join(found.unknown_levels)} (các cấp đang dùng: {known})."
        en += f" Levels not in the org tree: {', '.join(found.unknown_levels)} (levels in use: {known})."
    return vi, en
