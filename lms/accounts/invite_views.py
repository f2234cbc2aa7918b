"""Admin pages that get cadres in: invitations by e-mail, the printable activation-code sheet (HTML and
PDF), and an admin's password reset. Admins only; a scoped admin acts inside their subtree only
(:mod:`lms.accounts.invitations` for the selection, ``get_managed_user_or_404`` for a reset)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from lms.accounts import invitations, tokens
from lms.accounts.admin_views import get_managed_user_or_404
from lms.accounts.forms import EmptyForm
from lms.accounts.invitations import CodeRow
from lms.accounts.scope import start_unit_or_404
from lms.core.clock import today_vn
from lms.core.errors import UserError
from lms.core.roles import Role, roles_required

bp = Blueprint("accounts_invite", __name__, url_prefix="/admin/users")


class SelectionForm(FlaskForm):
    """Which cadres: a unit (with its subtree) or a list of cadre codes."""

    unit_code = StringField(_l("Mã đơn vị (gồm các đơn vị trực thuộc)"), validators=[Optional(), Length(max=64)])
    cadre_codes = TextAreaField(_l("Hoặc các mã cán bộ (mỗi dòng một mã)"), validators=[Optional(), Length(max=200000)])


class CodesForm(SelectionForm):
    """The code sheet: also for cadres who have an e-mail, HTML or PDF."""

    include_emailed = BooleanField(_l("Cả cán bộ đã có email"))
    format = HiddenField(default="html")


def _selection(form: SelectionForm) -> invitations.Selection:
    return invitations.select_accounts(current_user, form.unit_code.data or "",
                                       invitations.parse_codes(form.cadre_codes.data or ""))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required(Role.admin)
def invitations_page():
    """Send invitation e-mails to the picked cadres whose accounts have no password yet."""
    form = SelectionForm()
    if not form.validate_on_submit():
        return _invite_page(form, None, 400 if request.method == "POST" else 200)
    try:
        selection = _selection(form)
    except UserError as exc:
        return _invite_page(form, None, exc.status, error=exc.message())
    job = invitations.send_invitations(selection.with_email, current_user, request.url_root)
    result = {"queued": len(selection.with_email), "job_id": job.id, "without_email": len(selection.without_email),
              "already_active": selection.already_active}
    return _invite_page(form, result, 200)


def _invite_page(form: SelectionForm, result: dict | None, status: int, error: str | None = None):
    codes_form = CodesForm(formdata=None, unit_code=form.unit_code.data, cadre_codes=form.cadre_codes.data)
    return render_template("accounts/admin_invitations.html", form=form, codes_form=codes_form, result=result,
                           error=error), status


@bp.route("/activation-codes", methods=["POST"])
@roles_required(Role.admin)
def activation_codes():
    """New one-time activation codes for the picked accounts without a password (by default those without
    an e-mail); printed once as HTML or PDF — only their hashes are kept."""
    form = CodesForm()
    if not form.validate_on_submit():
        return _invite_page(form, None, 400)
    try:
        selection = _selection(form)
        users = selection.without_email + (selection.with_email if form.include_emailed.data else [])
        rows = invitations.issue_codes(users, current_user)
    except UserError as exc:
        return _invite_page(form, None, exc.status, error=exc.message())
    expires = today_vn() + tokens.lifetime(tokens.CODE)
    if form.format.data == "pdf":
        return _no_store(Response(_sheet_pdf(rows, expires), mimetype="application/pdf", headers={
            "Content-Disposition": 'attachment; filename="ma-kich-hoat.pdf"'}))
    return _no_store(Response(render_template("accounts/activation_sheet.html", groups=_by_unit(rows),
                                              expires=expires, activate_url=url_for("recovery.activate",
                                                                                    _external=True))))


def _by_unit(rows: list[CodeRow]) -> dict[str, list[CodeRow]]:
    groups: dict[str, list[CodeRow]] = defaultdict(list)
    for row in rows:
        groups[row.unit].append(row)
    return dict(groups)


def _sheet_pdf(rows: list[CodeRow], expires: date) -> bytes:
    from lms.reports.exports import Column, Table
    from lms.reports.pdf import summary_pdf

    columns = [Column("STT", 6, "int"), Column("Họ và tên", 40), Column("Tên đăng nhập", 24),
               Column("Mã kích hoạt", 20)]
    note = (f"Vào {url_for('recovery.activate', _external=True)}, nhập tên đăng nhập và mã kích hoạt, rồi đặt "
            f"mật khẩu mới. Mỗi mã dùng một lần, đến hết ngày {expires.strftime('%d/%m/%Y')}.")
    tables = [Table(unit or "—", columns, [(i, r.full_name, r.login, r.code) for i, r in enumerate(group, 1)],
                    subtitle=[note]) for unit, group in _by_unit(rows).items()]
    return summary_pdf(tables, title="Phiếu mã kích hoạt tài khoản học tập", unit_name=_top_unit(),
                       parent_name=None, as_of=today_vn())


def _top_unit() -> str:
    return start_unit_or_404(current_user).name  # the admin's scope root, or the tree's root


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.admin)
def reset_password(user_id: int):
    """Give the account a temporary password (shown once) that must be changed at the next login."""
    user = get_managed_user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        raise UserError("Biểu mẫu không hợp lệ; hãy tải lại trang.", "Invalid form; reload the page.", code="csrf")
    password = invitations.admin_reset(user, current_user)
    return _no_store(Response(render_template("accounts/admin_reset_done.html", user=user, password=password)))
