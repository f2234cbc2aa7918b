"""Report pages: compliance dashboard, plan against actual, exports, certificates, public verification."""

from __future__ import annotations

import os
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.scope import (
    can_see_cadre,
    get_cadre_or_404,
    get_unit_or_404,
    scope_root,
    sees_everything,
    start_unit_or_404,
)
from lms.core.db import commit_even_on_error, db
from lms.core.errors import UserError, localized
from lms.core.exports import runs_as_job
from lms.core.roles import Role, roles_required
from lms.org.models import OrgUnit
from lms.reports import certificates, services
from lms.reports import jobs as report_jobs
from lms.reports.exports import Table, csv_tempfile, xlsx_tempfile
from lms.reports.models import Certificate
from lms.reports.pdf import summary_pdf
from lms.reports.places import place_of

bp = Blueprint("reports", __name__, url_prefix="/reports")
public_bp = Blueprint("reports_public", __name__)

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def _as_of() -> date:
    """The ``as_of`` query argument (yyyy-mm-dd), today by default; 400 with a message when malformed."""
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return services.today()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise UserError("Ngày không hợp lệ (định dạng yyyy-mm-dd).", "Invalid date (yyyy-mm-dd).", 400,
                        "bad_date") from exc


def _year() -> int:
    raw = request.args.get("year", "").strip()
    try:
        year = int(raw) if raw else services.today().year
    except ValueError as exc:
        raise UserError("Năm không hợp lệ.", "Invalid year.", 400, "bad_year") from exc
    if not 2000 <= year <= 2100:
        raise UserError("Năm không hợp lệ.", "Invalid year.", 400, "bad_year")
    return year


def _compliance_ready() -> bool:
    try:
        import lms.standards.services  # noqa: F401
    except ImportError:
        return False
    return True


def export_response(tables: list[Table], fmt: str, filename: str, *, pdf_title: str, unit: OrgUnit,
                    as_of: date) -> Response:
    """Send ``tables`` as xlsx (one sheet each), CSV (the first table) — written in constant memory to a temp
    file — or PDF."""
    if fmt in ("xlsx", "csv"):
        path = xlsx_tempfile(tables) if fmt == "xlsx" else csv_tempfile(tables[0])
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response
        os.unlink(path)  # the open handle keeps the data until the response is sent
        return send_file(handle, mimetype=EXPORT_TYPES[fmt], as_attachment=True, download_name=f"{filename}.{fmt}",
                         max_age=0)
    if fmt == "pdf":
        body = summary_pdf(tables, title=pdf_title, unit_name=unit.name,
                           parent_name=unit.parent.name if unit.parent else None, as_of=as_of, place=place_of(unit))
        response = Response(body, mimetype=EXPORT_TYPES["pdf"])
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    abort(404)


@bp.route("/")
@roles_required(Role.manager)
def index():
    """The user's top unit's dashboard."""
    return redirect(url_for("reports.dashboard", code=start_unit_or_404(current_user).code))


@bp.route("/units/<code>")
@roles_required(Role.manager)
def dashboard(code: str):
    """Compliance of the unit's subtree: per requirement, by child unit, the 12-month trend; 404 outside scope."""
    unit = get_unit_or_404(current_user, code)
    as_of = _as_of()
    context = {"unit": unit, "as_of": as_of, "ready": _compliance_ready(), "crumbs": _crumbs(unit)}
    if context["ready"]:
        rows = services.compliance_rows(unit, as_of)
        context.update(rows=rows, total=services.overall(rows),
                       children=services.children_compliance(unit, as_of), trend=services.trend(unit, as_of))
        if as_of == services.today():  # the headline (distinct cadres) is kept for today
            from lms.standards.headline import headline as figures

            context["figures"] = figures(unit)
    return render_template("reports/dashboard.html", **context)


def _crumbs(unit: OrgUnit) -> list[OrgUnit]:
    top = None if sees_everything(current_user) else scope_root(current_user)
    ids = unit.ancestor_ids()
    if top is not None:
        ids = ids[ids.index(top.id):] if top.id in ids else [unit.id]
    by_id = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


@bp.route("/units/<code>/compliance.<any(xlsx, csv, pdf):fmt>")
@roles_required(Role.manager)
def compliance_export(code: str, fmt: str):
    """The compliance report as xlsx, csv (per requirement) or PDF (both tables, signature block)."""
    unit = get_unit_or_404(current_user, code)
    as_of = _as_of()
    tables = services.compliance_tables(unit, as_of)
    return export_response(tables, fmt, f"tuan-thu-{unit.code}-{as_of:%Y%m%d}", unit=unit, as_of=as_of,
                           pdf_title="Báo cáo kết quả thực hiện chuẩn đào tạo cán bộ công đoàn")


@bp.route("/units/<code>/children.<any(xlsx, csv):fmt>")
@roles_required(Role.manager)
def children_export(code: str, fmt: str):
    """Compliance by child unit as xlsx or csv."""
    unit = get_unit_or_404(current_user, code)
    as_of = _as_of()
    tables = services.compliance_tables(unit, as_of)[1:]
    return export_response(tables, fmt, f"don-vi-{unit.code}-{as_of:%Y%m%d}", unit=unit, as_of=as_of,
                           pdf_title="")


@bp.route("/units/<code>/cadres.<any(xlsx, csv):fmt>")
@roles_required(Role.manager)
def cadres_export(code: str, fmt: str):
    """Every active cadre of the subtree with their compliance counts, as xlsx or csv (streamed)."""
    unit = get_unit_or_404(current_user, code)
    if runs_as_job(report_jobs.export_rows("cadres", unit)):
        return report_jobs.start_export("cadres", unit, fmt, f"can-bo-{unit.code}", current_user.id)
    return export_response([services.cadre_status_table(unit)], fmt, f"can-bo-{unit.code}", unit=unit,
                           as_of=services.today(), pdf_title="")


@bp.route("/units/<code>/certificates")
@roles_required(Role.manager)
def unit_certificates(code: str):
    """Certificates issued in the unit's subtree: search by name or code, filter by state, paged."""
    unit = get_unit_or_404(current_user, code)
    q, state = request.args.get("q", "")[:100], request.args.get("state", "")
    if state not in services.CERTIFICATE_STATES:
        state = ""
    page = db.paginate(services.certificate_query(unit, q=q, state=state), per_page=50, error_out=False)
    return render_template("reports/unit_certificates.html", unit=unit, page=page, q=q, state=state,
                           states=services.CERTIFICATE_STATES, today=services.today(), crumbs=_crumbs(unit),
                           page_url=lambda p: url_for("reports.unit_certificates", code=unit.code, q=q, state=state,
                                                      page=p))


@bp.route("/units/<code>/certificates.<any(xlsx, csv):fmt>")
@roles_required(Role.manager)
def unit_certificates_export(code: str, fmt: str):
    """The certificate list (same filters) as xlsx or csv."""
    unit = get_unit_or_404(current_user, code)
    q, state = request.args.get("q", "")[:100], request.args.get("state", "")
    if runs_as_job(report_jobs.export_rows("certificates", unit)):
        return report_jobs.start_export("certificates", unit, fmt, f"chung-nhan-{unit.code}", current_user.id,
                                        q=q, state=state)
    table = services.certificate_table(unit, q=q, state=state)
    return export_response([table], fmt, f"chung-nhan-{unit.code}", unit=unit, as_of=services.today(), pdf_title="")


@bp.route("/my/certificates")
@login_required
def my_certificates():
    """The logged-in learner's certificates."""
    if current_user.cadre_id is None:
        abort(404)
    return redirect(url_for("reports.cadre_certificates", cadre_id=current_user.cadre_id))


@bp.route("/cadres/<int:cadre_id>/certificates")
@login_required
def cadre_certificates(cadre_id: int):
    """A cadre's certificates: the cadre themself or staff in scope; 404 otherwise."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    rows = db.session.scalars(select(Certificate).where(Certificate.cadre_id == cadre.id)
                              .order_by(Certificate.issued_on.desc(), Certificate.id.desc())).all()
    may_revoke = current_user.has_any_role(Role.manager) and current_user.cadre_id != cadre.id
    return render_template("reports/certificates.html", cadre=cadre, certificates=rows, today=services.today(),
                           may_revoke=may_revoke)


def _certificate_or_404(code: str) -> Certificate:
    certificate = certificates.find(code)
    if certificate is None or not can_see_cadre(current_user, certificate.cadre):
        abort(404)
    return certificate


@bp.route("/certificates/<code>.pdf")
@login_required
def certificate_pdf(code: str):
    """Download a certificate (its holder, or staff in scope)."""
    certificate = _certificate_or_404(code)
    response = Response(certificates.certificate_pdf(certificate), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="chung-nhan-{certificate.code}.pdf"'
    return response


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@roles_required(Role.manager)
def revoke_certificate(code: str):
    """Revoke a certificate of a cadre in scope, with a reason."""
    certificate = _certificate_or_404(code)
    if current_user.cadre_id == certificate.cadre_id and not current_user.has_role(Role.admin):
        abort(403)
    certificates.revoke(certificate, reason=request.form.get("reason", ""), by_user_id=current_user.id)
    flash(localized("Đã thu hồi giấy chứng nhận.", "The certificate was revoked."), "success")
    return redirect(url_for("reports.cadre_certificates", cadre_id=certificate.cadre_id))


@public_bp.route("/verify", methods=["GET"])
@public_bp.route("/verify/<code>", methods=["GET"])
def verify(code: str | None = None):
    """Public check of a certificate code: valid, revoked, expired or unknown — nothing else is shown."""
    code = code or request.args.get("code", "")
    if not code:
        return render_template("reports/verify.html", code="", certificate=None, state=None)
    if certificates.rate_limited(request.remote_addr or "unknown"):
        commit_even_on_error()
        raise UserError("Quá nhiều lượt tra cứu, vui lòng thử lại sau ít phút.",
                        "Too many lookups; try again in a few minutes.", 429, "rate_limited")
    certificate = certificates.find(code)
    state = certificate.state(services.today()) if certificate else "unknown"
    status = 404 if certificate is None else 200
    if certificate is None:
        commit_even_on_error()
    response = render_template("reports/verify.html", code=code, certificate=certificate, state=state)
    return response, status, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


# --------------------------------------------------------------------------- the headline, drill-down

NOT_MEETING = {"not_met": ("Chưa đạt chuẩn", "Not meeting the standard"), "overdue": ("Quá hạn", "Overdue"),
               "due_soon": ("Sắp đến hạn", "Due soon")}


def home_panel_context(user) -> dict:
    """The manager home panel (managers, and admins for their scope)."""
    from lms.records.models import SOURCE_LABELS
    from lms.reports.overview import manager_home

    return {**manager_home(user), "SOURCE_LABELS": SOURCE_LABELS}


@bp.route("/units/<code>/headline")
@roles_required(Role.manager)
def headline(code: str):
    """Cadres meeting each standard / cadres it applies to, for the unit and each child unit; 404 outside scope."""
    from lms.standards import headline as figures

    unit = get_unit_or_404(current_user, code)
    return render_template("reports/headline.html", unit=unit, crumbs=_crumbs(unit),
                           figures=figures.headline(unit), children=figures.children_headline(unit))


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError as exc:
        raise UserError("Tham số không hợp lệ.", "Invalid parameter.", 400, "bad_param") from exc


@bp.route("/units/<code>/not-meeting")
@roles_required(Role.manager)
def not_meeting(code: str):
    """The cadres of the subtree not meeting a standard (or overdue, due soon): what is missing and by when."""
    from lms.standards import headline as figures
    from lms.standards.models import STATE_COLOURS, STATE_LABELS

    unit = get_unit_or_404(current_user, code)
    which = request.args.get("which", "not_met")
    which = which if which in NOT_MEETING else "not_met"
    standard_id, page = _int_arg("standard", 0), max(_int_arg("page", 1), 1)
    figure = next((f for f in figures.standards_in_force() if f.standard_id == standard_id), None)
    if figure is None:
        abort(404)
    rows, total = figures.cadres_not_meeting(unit, standard_id, which, page=page, per_page=50)
    choices = [(k, localized(*v)) for k, v in NOT_MEETING.items()]
    return render_template("reports/not_meeting.html", unit=unit, crumbs=_crumbs(unit), figure=figure, rows=rows,
                           total=total, page=page, pages=(total + 49) // 50, which=which, choices=choices,
                           heading=localized(*NOT_MEETING[which]), STATE_LABELS=STATE_LABELS,
                           STATE_COLOURS=STATE_COLOURS)


@bp.route("/units/<code>/remind", methods=["GET", "POST"])
@roles_required(Role.manager)
def remind(code: str):
    """Remind the unit's overdue (or due-soon) cadres: preview and count (GET), send (POST), each logged."""
    from lms.reports import reminders

    unit = get_unit_or_404(current_user, code)
    which = request.args.get("which", "overdue")
    if which not in reminders.UNIT_STATES:
        abort(404)
    if request.method == "POST":
        outcome = reminders.send_unit(unit, which, services.today())
        flash(localized(
            f"Đã gửi {outcome.sent} thư nhắc; {outcome.skipped} cán bộ đã được nhắc hôm nay; "
            f"{outcome.no_email} cán bộ chưa có thư điện tử; {len(outcome.failed)} lỗi gửi.",
            f"Sent {outcome.sent} reminders; {outcome.skipped} already reminded today; "
            f"{outcome.no_email} without an e-mail address; {len(outcome.failed)} failed."),
            "success" if not outcome.failed else "warning")
        return redirect(url_for("reports.not_meeting", code=unit.code, which=which))
    return render_template("reports/remind.html", unit=unit, crumbs=_crumbs(unit), which=which,
                           heading=localized(*NOT_MEETING[which]),
                           preview=reminders.preview_unit(unit, which, services.today()))
