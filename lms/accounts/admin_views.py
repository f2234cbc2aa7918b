"""Admin pages for users: list with search, create, edit (roles, scope unit, linked cadre, active, password).

Admins only (managers get 403). An admin scoped to a unit manages only users who lie wholly inside
that subtree (their scope unit and their cadre, whichever they have, both in it; never an unscoped
admin), and may only assign units and cadres from it — so nobody grants more than they hold: a scoped
admin cannot create or edit a whole-tree admin nor anyone scoped outside their subtree.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional

from lms.accounts import services
from lms.accounts.models import User, UserRole
from lms.accounts.scope import can_see_unit, in_subtree, sees_everything
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import fold, nfc
from lms.core.numbers import page_number
from lms.core.roles import ROLE_LABELS, Role, roles_required
from lms.core.templating import label
from lms.org.models import Cadre, OrgUnit

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/users")

PAGE_SIZE = 50


class UserForm(FlaskForm):
    """Create or edit a user; the password is required only when creating."""

    login = StringField(_l("Tên đăng nhập"), validators=[Length(min=1, max=128)])
    full_name = StringField(_l("Họ và tên"), validators=[Length(max=255)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=255)])
    roles = SelectMultipleField(_l("Vai trò"),
                                choices=[SelectChoice(r.value, LazyString(label, ROLE_LABELS[r])) for r in Role],
                                option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    scope_code = StringField(_l("Mã đơn vị phạm vi quản lý"), validators=[Optional(), Length(max=64)])
    cadre_code = StringField(_l("Mã cán bộ liên kết"), validators=[Optional(), Length(max=64)])
    active = BooleanField(_l("Đang hoạt động"), default=True)
    password = PasswordField(_l("Mật khẩu mới"), validators=[Optional(), Length(max=256)])


def _visible_users():
    """``select(User)`` limited to the users the current admin manages: everyone for a whole-tree admin;
    for a scoped admin, users whose scope unit and cadre (each when set, at least one set) lie in the
    admin's subtree, and never an unscoped admin (that would be a wider grant than their own)."""
    query = select(User)
    if sees_everything(current_user):
        return query
    root = current_user.scope_org_unit
    if root is None:
        return query.where(User.id == current_user.id)
    scope_unit, cadre, cadre_unit = aliased(OrgUnit), aliased(Cadre), aliased(OrgUnit)
    unscoped_admin = and_(User.scope_org_unit_id.is_(None),
                          User.role_rows.any(UserRole.role == Role.admin.value))
    return (query.outerjoin(scope_unit, User.scope_org_unit_id == scope_unit.id)
            .outerjoin(cadre, User.cadre_id == cadre.id)
            .outerjoin(cadre_unit, cadre.org_unit_id == cadre_unit.id)
            .where(or_(User.scope_org_unit_id.is_not(None), User.cadre_id.is_not(None)),
                   or_(User.scope_org_unit_id.is_(None), in_subtree(root, scope_unit.path)),
                   or_(User.cadre_id.is_(None), in_subtree(root, cadre_unit.path)),
                   ~unscoped_admin))


def check_grant(actor: User, roles: set[Role], unit: OrgUnit | None) -> None:
    """Refuse a grant wider than the actor's own: a role the actor does not hold (admins hold all), or
    — for an actor scoped to a subtree — an admin role without a scope unit (a whole-tree admin).
    Units and cadres outside the subtree are refused when they are resolved."""
    if not actor.has_any_role(*roles):
        raise UserError("Bạn không thể cấp vai trò rộng hơn vai trò của mình.",
                        "You cannot grant a role wider than your own.", status=403, code="grant_too_wide")
    if Role.admin in roles and unit is None and not sees_everything(actor):
        raise UserError("Quản trị theo đơn vị không thể tạo quản trị toàn hệ thống: hãy nhập mã đơn vị phạm vi.",
                        "A scoped admin cannot create a whole-tree admin: enter a scope unit.",
                        status=403, code="grant_too_wide")


def get_managed_user_or_404(user_id: int) -> User:
    user = db.session.scalar(_visible_users().where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def _resolve_unit(code: str) -> OrgUnit | None:
    if not code:
        return None
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip()))
    if unit is None or not can_see_unit(current_user, unit):
        raise UserError(f"Không tìm thấy đơn vị “{code}” trong phạm vi của bạn.",
                        f"No unit “{code}” in your part of the tree.", code="unit_unknown")
    return unit


def _resolve_cadre(code: str, user: User | None) -> Cadre | None:
    if not code:
        return None
    cadre = db.session.scalar(select(Cadre).where(Cadre.code == code.strip()))
    if cadre is None or not can_see_unit(current_user, cadre.org_unit):
        raise UserError(f"Không tìm thấy cán bộ “{code}” trong phạm vi của bạn.",
                        f"No cadre “{code}” in your part of the tree.", code="cadre_unknown")
    holder = db.session.scalar(select(User).where(User.cadre_id == cadre.id))
    if holder is not None and holder is not user:
        raise UserError(f"Cán bộ “{code}” đã gắn với tài khoản “{holder.login}”.",
                        f"Cadre “{code}” is already linked to account “{holder.login}”.", code="cadre_taken")
    return cadre


def _apply(form: UserForm, user: User | None) -> User:
    """Check the form against the rules and write it; raises UserError (nothing written then)."""
    roles = {Role(r) for r in form.roles.data or []}
    if not roles:
        raise UserError("Hãy chọn ít nhất một vai trò.", "Choose at least one role.", code="roles_empty")
    unit = _resolve_unit(form.scope_code.data or "")
    cadre = _resolve_cadre(form.cadre_code.data or "", user)
    if not sees_everything(current_user) and unit is None and cadre is None:
        raise UserError("Bạn chỉ quản lý được tài khoản có đơn vị hoặc cán bộ trong phạm vi của mình.",
                        "You can only manage accounts with a unit or cadre in your part of the tree.",
                        code="scope_required")
    check_grant(current_user, roles, unit)
    if roles & {Role.manager, Role.lecturer} and unit is None:
        raise UserError("Cán bộ quản lý và giảng viên cần mã đơn vị phạm vi.",
                        "Managers and lecturers need a scope unit.", code="scope_required")
    if Role.learner in roles and cadre is None:
        raise UserError("Học viên cần được gắn với một cán bộ (mã cán bộ).",
                        "A learner must be linked to a cadre (cadre code).", code="cadre_required")
    password = form.password.data or ""
    if password:
        services.check_password_policy(password, form.login.data)
    if user is None:
        if not password:
            raise UserError("Hãy nhập mật khẩu.", "Enter a password.", code="password_required")
        return services.create_user(form.login.data, password, roles, full_name=nfc(form.full_name.data) or "",
                                    email=form.email.data or None, scope_org_unit_id=unit.id if unit else None,
                                    cadre_id=cadre.id if cadre else None)
    if user.id == current_user.id and (Role.admin not in roles or not form.active.data):
        raise UserError("Bạn không thể tự bỏ quyền quản trị hoặc tự khóa tài khoản của mình.",
                        "You cannot remove your own admin role or deactivate yourself.", code="self_lockout")
    user.full_name = nfc(form.full_name.data) or ""
    user.email = form.email.data or None
    user.scope_org_unit_id = unit.id if unit else None
    user.cadre_id = cadre.id if cadre else None
    user.set_roles(roles)
    if user.active and not form.active.data:
        services.end_all_sessions(user)
    user.active = bool(form.active.data)
    if password:  # an admin's reset: to be changed at the next login (not when admins set their own)
        services.set_password(user, password, temporary=user.id != current_user.id)
    db.session.flush()
    return user


@bp.route("", strict_slashes=False)
@roles_required(Role.admin)
def users():
    """Users the admin manages, searchable by login, name or email (without diacritics)."""
    q = request.args.get("q", "")[:100].strip()
    query = _visible_users()
    if q:
        folded = fold(q)
        query = query.where(or_(User.login.contains(q.lower(), autoescape=True),
                                User.full_name.contains(q, autoescape=True),
                                User.email.contains(q.lower(), autoescape=True),
                                User.login.contains(folded, autoescape=True)))
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(query.order_by(User.login), page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("accounts/admin_users.html", pagination=pagination, q=q,
                           page_url=lambda p: url_for("accounts_admin.users", q=q, page=p))


def _form_page(form: UserForm, user: User | None, status: int = 200):
    return render_template("accounts/admin_user_form.html", form=form, user=user), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def create():
    """Create a user."""
    form = UserForm()
    if request.method == "GET":
        form.active.data = True
    if form.validate_on_submit():
        try:
            user = _apply(form, None)
        except UserError as exc:
            flash(exc.message(), "danger")
            return _form_page(form, None, exc.status)
        flash(_("Đã tạo tài khoản %(login)s.", login=user.login), "success")
        return redirect(url_for("accounts_admin.users", q=user.login))
    return _form_page(form, None, 400 if request.method == "POST" else 200)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit(user_id: int):
    """Edit a user: roles, scope, linked cadre, active flag, password reset (blank keeps it)."""
    user = get_managed_user_or_404(user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.scope_code.data = user.scope_org_unit.code if user.scope_org_unit else ""
        form.cadre_code.data = user.cadre.code if user.cadre else ""
    form.login.data = user.login
    if form.validate_on_submit():
        try:
            _apply(form, user)
        except UserError as exc:
            db.session.rollback()
            flash(exc.message(), "danger")
            return _form_page(form, db.session.get(User, user_id), exc.status)
        flash(_("Đã lưu tài khoản %(login)s.", login=user.login), "success")
        return redirect(url_for("accounts_admin.edit", user_id=user.id))
    return _form_page(form, user, 400 if request.method == "POST" else 200)
