"""Getting into an account without a password: invitation and reset links, activation codes, "forgot
password"; and the forced password change after an admin's reset.

* ``/password/forgot`` — always the same answer, whether or not an account has the address (no
  enumeration); at most 5 requests a minute per client, one mail per account per two minutes.
* ``/password/set/<token>`` — the page of an invitation or reset link: 404 for a forged link, 410 for a
  used or expired one; the new password is asked twice.
* ``/activate`` — username + printed code + new password. A wrong code counts as a failed login for
  that username (the login throttle, :mod:`lms.accounts.throttle`), so codes cannot be guessed faster
  than passwords; the answer for a wrong username and a wrong code is the same.
* While ``User.must_change_password`` is set, every page but the password page, logout and the language
  switch redirects to the password page (the flag is mirrored in the session: no query per request).
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_loaded_from_cookie

from lms.accounts import invitations, services, throttle, tokens
from lms.accounts.forms import ActivateForm, ForgotForm, NewPasswordForm
from lms.core.db import commit_even_on_error
from lms.core.errors import UserError

bp = Blueprint("recovery", __name__)

#: the session key mirroring ``User.must_change_password``
MUST_CHANGE = "must_change_password"
#: what a user who must change their password may still open
ALLOWED_ENDPOINTS = {"accounts.password", "accounts.logout", "accounts.logout_everywhere", "accounts.set_language",
                     "static"}


@bp.before_app_request
def _force_password_change():
    if not session.get(MUST_CHANGE) or request.endpoint in ALLOWED_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        session.pop(MUST_CHANGE, None)
        return None
    flash(_("Đồng chí cần đổi mật khẩu trước khi tiếp tục."), "warning")
    return redirect(url_for("accounts.password"))


def remember_must_change(user) -> None:
    """After a login: mirror the user's flag in the session."""
    if getattr(user, "must_change_password", False) and not user.launch_only:
        session[MUST_CHANGE] = True


@user_loaded_from_cookie.connect
def _from_cookie(_app, user=None, **_extra) -> None:
    remember_must_change(user)


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.rate_limited("5 per minute", "password-forgot")
def forgot():
    """Ask for a reset link by e-mail; the same answer whatever the address."""
    form = ForgotForm()
    if form.validate_on_submit():
        invitations.request_reset(form.email.data, request.url_root)
        return render_template("accounts/forgot.html", form=form, sent=True)
    return render_template("accounts/forgot.html", form=form, sent=False), 400 if request.method == "POST" else 200


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@throttle.rate_limited("30 per minute", "password-set")
def set_password(token: str):
    """Choose a password through an invitation or reset link (single use)."""
    found = tokens.find_link(token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = tokens.redeem_link(token, form.new.data)
        except UserError as exc:
            flash(exc.message(), "danger")
            return _set_page(form, found, 400)
        flash(_("Đã đặt mật khẩu. Hãy đăng nhập với tên đăng nhập %(login)s.", login=user.login), "success")
        return redirect(url_for("accounts.login"))
    return _set_page(form, found, 400 if request.method == "POST" else 200)


def _set_page(form: NewPasswordForm, token, status: int):
    return render_template("accounts/set_password.html", form=form, login=token.user.login,
                           invite=token.kind == tokens.INVITE), status


@bp.route("/activate", methods=["GET", "POST"])
@throttle.rate_limited("10 per minute", "activate")
def activate():
    """Activate an account with the username and the printed one-time code."""
    form = ActivateForm()
    if not form.validate_on_submit():
        return _activate_page(form, 400 if request.method == "POST" else 200)
    login = services.normalize_login(form.login.data)
    verdict = throttle.check(login)
    if not verdict.allowed:
        response = make_response(_activate_page(form, 429, throttled=True))
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        ok = tokens.redeem_code(services.find_user(login), form.code.data, form.new.data)
    except UserError as exc:
        flash(exc.message(), "danger")
        return _activate_page(form, 400)
    services.record_attempt(login, throttle.client_address(), ok)
    if not ok:
        flash(_("Tên đăng nhập hoặc mã kích hoạt không đúng, hoặc mã đã được dùng hay đã hết hạn."), "danger")
        commit_even_on_error()  # the failed attempt counts although the answer is 400
        return _activate_page(form, 400)
    flash(_("Đã kích hoạt tài khoản. Hãy đăng nhập với mật khẩu mới."), "success")
    return redirect(url_for("accounts.login"))


def _activate_page(form: ActivateForm, status: int, throttled: bool = False):
    return render_template("accounts/activate.html", form=form, throttled=throttled), status
