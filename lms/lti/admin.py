"""Admin pages: the platforms (register, enable/disable), the values to paste into a platform, and a
course's roster pulled through NRPS. Platforms are national: only the whole-tree admin changes them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user
from pylti1p3.exception import LtiException, LtiServiceException
from requests import RequestException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.scope import sees_everything
from lms.core.db import db
from lms.core.errors import localized
from lms.core.numbers import db_id
from lms.core.roles import Role, roles_required
from lms.lti import services
from lms.lti.forms import EmptyForm, PlatformForm
from lms.lti.models import LtiLaunch, LtiPlatform

bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")


def tool_values() -> dict[str, str]:
    """What an admin pastes into the platform's tool registration."""
    return {"login": url_for("lti.login", _external=True), "launch": url_for("lti.launch", _external=True),
            "deep_link": url_for("lti.launch", _external=True), "jwks": url_for("lti.jwks", _external=True)}


def _page(form: PlatformForm, status: int = 200):
    platforms = db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name)).all()
    return render_template("lti/platforms.html", platforms=platforms, form=form, values=tool_values(),
                           actions=EmptyForm(), can_manage=sees_everything(current_user)), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.admin)
def platforms():
    """The registered platforms and the form to register one."""
    form = PlatformForm()
    if request.method == "GET":
        return _page(form)
    if not sees_everything(current_user):
        abort(403)
    if not form.validate_on_submit():
        return _page(form, 422)
    platform = LtiPlatform(**{name: (getattr(form, name).data or "").strip() for name in (
        "name", "issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url", "key_set_url")},
                           auth_audience=(form.auth_audience.data or "").strip() or None)
    try:
        with db.session.begin_nested():
            db.session.add(platform)
    except IntegrityError:
        flash(localized("Nền tảng với issuer và client ID này đã được đăng ký.",
                        "A platform with this issuer and client ID is already registered."), "danger")
        return _page(form, 409)
    db.session.commit()
    flash(localized("Đã đăng ký nền tảng.", "Platform registered."), "success")
    return _page(PlatformForm(formdata=None), 201)


@bp.route("/<int:platform_id>/toggle", methods=["POST"])
@roles_required(Role.admin)
def toggle(platform_id: int):
    """Enable or disable a platform (a disabled one's launches are refused as unknown)."""
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        abort(404)
    if not sees_everything(current_user) or not EmptyForm().validate_on_submit():
        abort(403)
    platform.active = not platform.active
    db.session.commit()
    return _page(PlatformForm(formdata=None))


@bp.route("/<int:platform_id>/roster", methods=["GET", "POST"])
@roles_required(Role.admin)
def roster(platform_id: int):
    """The platform's courses seen in launches; POST pulls one course's roster through NRPS and shows
    its members as platform identities, linked or not."""
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        abort(404)
    members, chosen, status = None, None, 200
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        chosen = db.session.get(LtiLaunch, request.form.get("launch", type=db_id) or 0)
        if chosen is None or chosen.platform_id != platform.id or not chosen.memberships_url:
            abort(404)
        try:
            members = services.roster(platform, chosen.memberships_url)
        except (LtiException, LtiServiceException, RequestException):
            flash(localized("Nền tảng không trả về danh sách lớp; hãy thử lại sau.",
                            "The platform did not return the roster; try again later."), "danger")
            status = 502
    return render_template("lti/roster.html", platform=platform, contexts=services.course_contexts(platform),
                           members=members, chosen=chosen, actions=EmptyForm()), status
