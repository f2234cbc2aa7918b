"""Org tree operations and cadre queries. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.sql import Select

from lms.accounts.scope import in_subtree
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import fold, nfc
from lms.org.models import Cadre, OrgUnit

#: called (no arguments, same transaction) after a bulk write to units or cadres, e.g. an import;
#: the compliance engine registers its set-based recompute here
_bulk_listeners: list[Callable[[], None]] = []


def on_bulk_change(listener: Callable[[], None]) -> Callable[[], None]:
    """Register a listener for bulk changes of units/cadres (decorator; idempotent)."""
    if listener not in _bulk_listeners:
        _bulk_listeners.append(listener)
    return listener


def notify_bulk_change() -> None:
    """Tell the listeners that many units/cadres changed at once (after the writes are flushed)."""
    db.session.flush()
    for listener in list(_bulk_listeners):
        listener()


def get_unit_by_code(code: str) -> OrgUnit | None:
    """The unit with this code, or None."""
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def create_unit(code: str, name: str, level: str = "", parent: OrgUnit | None = None) -> OrgUnit:
    """Create a unit under ``parent`` (a root when None) and set its materialized path."""
    unit = OrgUnit(code=code.strip(), name=nfc(name) or "", level=nfc(level) or "", parent=parent)
    db.session.add(unit)
    db.session.flush()  # assigns the id the path is made of
    set_path(unit)
    return unit


def set_path(unit: OrgUnit) -> None:
    """Compute ``unit.path``/``depth`` from its parent (the parent's path must be current)."""
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0


def move_unit(unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Move ``unit`` with its subtree under ``new_parent``; one UPDATE rewrites every descendant path."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise UserError(
            f"Không thể chuyển đơn vị {unit.code} vào chính nó hoặc đơn vị cấp dưới của nó (tạo vòng lặp).",
            f"Cannot move unit {unit.code} under itself or its descendant (cycle).",
            code="org_cycle",
        )
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    new_depth = new_parent.depth + 1 if new_parent else 0
    if new_path == old_path:
        return
    db.session.flush()
    db.session.execute(
        update(OrgUnit)
        .where(in_subtree(unit))
        .values(
            path=func.concat(new_path, func.substr(OrgUnit.path, len(old_path) + 1))
            if db.engine.dialect.name != "sqlite"
            else new_path + func.substr(OrgUnit.path, len(old_path) + 1),
            depth=OrgUnit.depth + (new_depth - old_depth),
        )
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    db.session.expire_all()


def children_with_counts(parent: OrgUnit) -> list[tuple[OrgUnit, int, int]]:
    """Direct children of ``parent`` with (active cadres, units) in each child's subtree: three queries."""
    children = db.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == parent.id).order_by(OrgUnit.name)
    ).all()
    if not children:
        return []
    depth = parent.depth + 1
    index_of = {c.path: i for i, c in enumerate(children)}
    cadres = [0] * len(children)
    units = [0] * len(children)
    cadre_rows = db.session.execute(
        select(OrgUnit.path, func.count(Cadre.id))
        .join(Cadre, Cadre.org_unit_id == OrgUnit.id)
        .where(in_subtree(parent), OrgUnit.depth >= depth, Cadre.active)
        .group_by(OrgUnit.path)
    ).all()
    for path, count in cadre_rows:
        index = index_of.get(_prefix_at(path, depth))
        if index is not None:
            cadres[index] += count
    for path in db.session.scalars(select(OrgUnit.path).where(in_subtree(parent), OrgUnit.depth >= depth)):
        index = index_of.get(_prefix_at(path, depth))
        if index is not None:
            units[index] += 1
    return [(c, cadres[i], units[i]) for i, c in enumerate(children)]


def _prefix_at(path: str, depth: int) -> str:
    """The path prefix of the ancestor at ``depth`` ("/1/5/23/", depth 1 -> "/1/5/")."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[: depth + 1]) + "/"


@dataclass(frozen=True)
class CadreFilter:
    """Filters of the cadre list."""

    q: str = ""
    position: str = ""
    employment: str = ""
    include_inactive: bool = False


def filter_cadres(query: Select, unit: OrgUnit | None, filters: CadreFilter) -> Select:
    """Narrow a scoped cadre query to a unit's subtree and the filters (name without diacritics, code)."""
    if unit is not None:
        query = query.where(in_subtree(unit))
    if filters.q:
        folded = fold(filters.q)
        query = query.where(
            or_(Cadre.name_search.contains(folded, autoescape=True), Cadre.code == filters.q.strip())
        )
    if filters.position:
        query = query.where(Cadre.position == filters.position)
    if filters.employment:
        query = query.where(Cadre.employment == filters.employment)
    if not filters.include_inactive:
        query = query.where(Cadre.active)
    return query.order_by(Cadre.name_search, Cadre.id)


def breadcrumbs(unit: OrgUnit, visible_from: OrgUnit | None) -> list[OrgUnit]:
    """Ancestors of ``unit`` from the user's scope root down (all, for whole-tree admins)."""
    ids = unit.ancestor_ids()
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    chain = [units[i] for i in ids if i in units]
    if visible_from is not None:
        chain = [u for u in chain if u.path.startswith(visible_from.path)]
    return chain
