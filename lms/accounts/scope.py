"""Org scope: every query that shows units or cadres goes through here.

A manager (or lecturer, or admin) sees the subtree of their ``scope_org_unit``; an admin with no
scope unit sees the whole tree; a learner sees only their own cadre. Anything outside is a 404, so
that the existence of other units' data is not revealed.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, and_, false, select, true
from sqlalchemy.sql import Select

from lms.accounts.models import User
from lms.core.db import db
from lms.core.roles import Role
from lms.org.models import Cadre, OrgUnit


def in_subtree(unit: OrgUnit, path_column=OrgUnit.path) -> ColumnElement[bool]:
    """SQL condition: ``path_column`` lies in ``unit``'s subtree (the unit included); uses the path index."""
    return and_(path_column >= unit.path, path_column < unit.path_end)


def scope_root(user: User) -> OrgUnit | None:
    """The top unit a staff user may see, or None when they see no unit (or everything, for admins)."""
    return user.scope_org_unit


def sees_everything(user: User) -> bool:
    """An admin without a scope unit sees the whole tree."""
    return user.has_role(Role.admin) and user.scope_org_unit_id is None


def unit_condition(user: User) -> ColumnElement[bool]:
    """SQL condition on OrgUnit rows the user may see."""
    if sees_everything(user):
        return true()
    root = scope_root(user)
    if root is None or not user.has_any_role(Role.manager, Role.lecturer):
        return false()
    return in_subtree(root)


def visible_units(user: User) -> Select:
    """``select(OrgUnit)`` limited to the user's scope."""
    return select(OrgUnit).where(unit_condition(user))


def visible_cadres(user: User) -> Select:
    """``select(Cadre)`` limited to the user's scope (a learner: only themself)."""
    query = select(Cadre).join(Cadre.org_unit)
    if sees_everything(user) or (scope_root(user) is not None and user.has_any_role(Role.manager, Role.lecturer)):
        return query.where(unit_condition(user))
    if user.cadre_id is not None:
        return query.where(Cadre.id == user.cadre_id)
    return query.where(false())


def can_see_unit(user: User, unit: OrgUnit) -> bool:
    """True when ``unit`` lies in the user's scope."""
    if sees_everything(user):
        return True
    root = scope_root(user)
    if root is None or not user.has_any_role(Role.manager, Role.lecturer):
        return False
    return root.path <= unit.path < root.path_end


def can_see_cadre(user: User, cadre: Cadre) -> bool:
    """True when the user may see ``cadre``'s data (their own, or one in their scope)."""
    return cadre.id == user.cadre_id or can_see_unit(user, cadre.org_unit)


def start_unit_or_404(user: User) -> OrgUnit:
    """The unit a staff user's pages open on: their scope root, or the tree's root for whole-tree admins."""
    root = scope_root(user)
    if root is None and sees_everything(user):
        root = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    if root is None:
        abort(404)
    return root


def get_unit_or_404(user: User, code: str) -> OrgUnit:
    """The unit with ``code`` if the user may see it; 404 when missing or out of scope."""
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None or not can_see_unit(user, unit):
        abort(404)
    return unit


def get_cadre_or_404(user: User, cadre_id: int) -> Cadre:
    """The cadre if the user may see them; 404 when missing or out of scope (never 403: no leak)."""
    cadre = db.session.get(Cadre, cadre_id)
    if cadre is None or not can_see_cadre(user, cadre):
        abort(404)
    return cadre
