"""Org tree browser, cadre list with search, cadre page — all scoped."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.scope import (
    get_cadre_or_404,
    get_unit_or_404,
    scope_root,
    sees_everything,
    start_unit_or_404,
    visible_cadres,
)
from lms.core.db import db
from lms.core.numbers import page_number
from lms.core.roles import Role, roles_required
from lms.org import services
from lms.org.models import EMPLOYMENT_LABELS, GENDER_LABELS, POSITION_LABELS, Cadre

bp = Blueprint("org", __name__, url_prefix="/org")

PAGE_SIZE = 50


@bp.route("/")
@roles_required(Role.manager, Role.lecturer)
def tree():
    """The user's top unit and its children."""
    unit = start_unit_or_404(current_user)
    return unit_page(unit.code)


@bp.route("/units/<code>")
@roles_required(Role.manager, Role.lecturer)
def unit_page(code: str):
    """One unit: breadcrumbs, children with cadre counts; 404 outside the user's scope."""
    unit = get_unit_or_404(current_user, code)
    top = None if sees_everything(current_user) else scope_root(current_user)
    return render_template(
        "org/unit.html",
        unit=unit,
        crumbs=services.breadcrumbs(unit, top),
        children=services.children_with_counts(unit),
        direct_cadres=db.session.scalar(
            select(func.count(Cadre.id)).where(Cadre.org_unit_id == unit.id, Cadre.active)
        ),
    )


@bp.route("/cadres")
@roles_required(Role.manager, Role.lecturer)
def cadres():
    """Cadres of a unit's subtree (default: the user's scope), searchable without diacritics, paged."""
    unit_code = request.args.get("unit", "")
    unit = get_unit_or_404(current_user, unit_code) if unit_code else start_unit_or_404(current_user)
    filters = services.CadreFilter(
        q=request.args.get("q", "")[:100],
        position=request.args.get("position", "") if request.args.get("position") in POSITION_LABELS else "",
        employment=request.args.get("employment", "")
        if request.args.get("employment") in EMPLOYMENT_LABELS
        else "",
        include_inactive=request.args.get("inactive") == "1",
    )
    page = request.args.get("page", 1, type=page_number)
    query = services.filter_cadres(visible_cadres(current_user), unit, filters)
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "org/cadres.html",
        unit=unit,
        filters=filters,
        pagination=pagination,
        positions=POSITION_LABELS,
        employments=EMPLOYMENT_LABELS,
        page_url=lambda p: url_for("org.cadres", **{**request.args.to_dict(), "page": p}),
    )


@bp.route("/cadres/<int:cadre_id>")
@roles_required(Role.manager, Role.lecturer, Role.learner)
def cadre_page(cadre_id: int):
    """One cadre's profile; 404 for anyone outside the user's scope (a learner: only themself)."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    return render_template(
        "org/cadre.html",
        cadre=cadre,
        positions=POSITION_LABELS,
        employments=EMPLOYMENT_LABELS,
        genders=GENDER_LABELS,
        crumbs=services.breadcrumbs(cadre.org_unit, None if sees_everything(current_user) else scope_root(current_user)),
    )
