"""Compliance dashboard (scoped), cadre requirement pages and the learner's panel (the admin: admin_views)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.scope import (
    get_cadre_or_404,
    get_unit_or_404,
    scope_root,
    sees_everything,
    start_unit_or_404,
)
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.numbers import db_id, page_number
from lms.core.roles import Role, roles_required
from lms.core.templating import label
from lms.org.models import EMPLOYMENT_LABELS, POSITION_LABELS, Cadre, OrgUnit
from lms.org.services import breadcrumbs
from lms.standards import engine, services
from lms.standards.models import STATE_COLOURS, STATE_LABELS, Requirement

bp = Blueprint("standards", __name__, url_prefix="/standards")
PER_PAGE = 50


def _as_of() -> date | None:
    """The ``as_of`` query parameter (a past or present day), None for "now"; 400 when malformed."""
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise UserError("Ngày không hợp lệ (YYYY-MM-DD).", "Invalid date (YYYY-MM-DD).", 400, "bad_date") from exc
    return None if day >= engine.today_vn() else day


def _filters() -> services.StatusFilter:
    args = request.args
    return services.StatusFilter(
        employment=args.get("employment", "") if args.get("employment") in EMPLOYMENT_LABELS else "",
        position=args.get("position", "") if args.get("position") in POSITION_LABELS else "",
        state=args.get("state", "") if args.get("state") in STATE_LABELS else "",
    )


def _unit() -> OrgUnit:
    """The unit asked for (404 outside scope), else the user's top unit."""
    code = request.args.get("unit", "")
    return get_unit_or_404(current_user, code) if code else start_unit_or_404(current_user)


def _crumbs(unit: OrgUnit) -> list[OrgUnit]:
    return breadcrumbs(unit, None if sees_everything(current_user) else scope_root(current_user))


def _common() -> dict:
    return {"state_labels": STATE_LABELS, "state_colours": STATE_COLOURS, "positions": POSITION_LABELS,
            "employments": EMPLOYMENT_LABELS, "args": request.args.to_dict()}


@bp.route("/")
@roles_required(Role.manager)
def dashboard():
    """Per requirement: % compliant against target for the unit; its children as rows; filters; as-of."""
    unit, as_of, filters = _unit(), _as_of(), _filters()
    return render_template(
        "standards/dashboard.html", unit=unit, as_of=as_of, filters=filters, crumbs=_crumbs(unit),
        summary=services.unit_summary(unit, as_of, filters),
        children=services.children_summary(unit, as_of, filters), **_common())


@bp.route("/cadres")
@roles_required(Role.manager)
def cadre_list():
    """Drill-down: cadres of a unit's subtree with their state per requirement (filter by state: overdue list)."""
    unit, as_of, filters = _unit(), _as_of(), _filters()
    page = request.args.get("page", 1, type=page_number)
    rid = request.args.get("requirement", type=db_id)
    rows, total = services.cadre_rows(unit, as_of=as_of, filters=filters, requirement_id=rid, page=page,
                                      per_page=PER_PAGE)
    reqs = {r.id: r for r in engine.requirements_in_force(as_of or engine.today_vn())}
    return render_template(
        "standards/cadres.html", unit=unit, as_of=as_of, filters=filters, rows=rows, total=total, page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), requirements=reqs, requirement_id=rid,
        crumbs=_crumbs(unit), **_common())


EXPORT_CHUNK = 5000


def _export_rows(unit: OrgUnit, as_of: date | None, filters: services.StatusFilter, rid: int | None,
                 requirements: dict[int, Requirement]):
    """The drill-down rows, all pages, for an export (fetched in chunks, never all at once)."""
    page = 1
    while True:
        rows, total = services.cadre_rows(unit, as_of=as_of, filters=filters, requirement_id=rid, page=page,
                                          per_page=EXPORT_CHUNK)
        for r in rows:
            req = requirements.get(r["requirement_id"])
            yield [r["code"], r["full_name"], r["unit"], label(POSITION_LABELS.get(r["position"])),
                   label(EMPLOYMENT_LABELS.get(r["employment"])), r["phone"] or "", r["email"] or "",
                   req.code if req else r["requirement_id"], req.name_vi if req else "",
                   label(STATE_LABELS.get(r["state"])), r["due_on"], r["valid_until"]]
        if page * EXPORT_CHUNK >= total:
            return
        page += 1


@bp.route("/cadres.<any(xlsx, csv):fmt>")
@roles_required(Role.manager)
def cadre_list_export(fmt: str):
    """The drill-down list with the same filters (e.g. the overdue list), as xlsx or CSV with BOM."""
    from lms.reports.exports import Column, Table
    from lms.reports.views import export_response

    unit, as_of, filters = _unit(), _as_of(), _filters()
    rid = request.args.get("requirement", type=db_id)
    day = as_of or engine.today_vn()
    reqs = {r.id: r for r in engine.requirements_in_force(day)}
    columns = [Column("Mã cán bộ", 12), Column("Họ và tên", 28), Column("Đơn vị", 36), Column("Chức vụ", 22),
               Column("Loại cán bộ", 16), Column("Điện thoại", 14), Column("Email", 28), Column("Mã yêu cầu", 14), Column("Yêu cầu", 36), Column("Trạng thái", 16),
               Column("Hạn hoàn thành", 14, "date"), Column("Hiệu lực đến", 14, "date")]
    table = Table(f"Tuân thủ {unit.code}", columns, _export_rows(unit, as_of, filters, rid, reqs))
    suffix = f"-{filters.state}" if filters.state else ""
    return export_response([table], fmt, f"tuan-thu-{unit.code}{suffix}", pdf_title="", unit=unit, as_of=day)


@bp.route("/cadres/<int:cadre_id>")
@roles_required(Role.manager, Role.learner)
def cadre_page(cadre_id: int):
    """One cadre: each requirement that applies, its state and why (records, due date, valid until)."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    as_of = _as_of()
    return render_template("standards/cadre.html", cadre=cadre, as_of=as_of,
                           rows=services.cadre_statuses(cadre, as_of), study=_study_links(), **_common())


@bp.route("/me")
@roles_required(Role.learner)
def me():
    """What is required of me: the learner's own requirement page."""
    if current_user.cadre_id is None:
        abort(404)
    return redirect(url_for("standards.cadre_page", cadre_id=current_user.cadre_id))


def _study_links() -> bool:
    return "player.module" in current_app.view_functions


def learner_panel_context(user) -> dict:
    """Home panel: the learner's requirements, most urgent first."""
    cadre = db.session.get(Cadre, user.cadre_id) if user.cadre_id else None
    rows = services.requirements_for_learner(cadre) if cadre else []
    return {"std_rows": rows, "std_cadre": cadre, "std_study": _study_links(), "std_labels": STATE_LABELS,
            "std_colours": STATE_COLOURS}
