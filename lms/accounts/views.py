"""Login, logout, language switch, password change, and the per-role home page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import services, throttle
from lms.accounts.forms import EmptyForm, LoginForm, PasswordForm
from lms.accounts.recovery_views import MUST_CHANGE, remember_must_change
from lms.core.db import commit_even_on_error, utcnow
from lms.core.errors import UserError
from lms.core.i18n import LANGUAGES
from lms.core.roles import Role
from lms.home import home_panels

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative redirects after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("accounts.home")


@bp.route("/")
@login_required
def home():
    """The home page: one panel per role the user holds."""
    return render_template("accounts/home.html", panels=home_panels(current_user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in. Failures get one generic message; too many failures get 429."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        login_name = services.normalize_login(form.login.data)
        verdict = throttle.check(login_name)
        if not verdict.allowed:
            response = make_response(render_template("accounts/login.html", form=form, throttled=True), 429)
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        user = services.find_user(login_name)
        ok = services.verify_password(user, form.password.data) and user is not None and user.active
        services.record_attempt(login_name, throttle.client_address(), ok)
        if ok:
            session.clear()
            session["lang"] = user.locale
            login_user(user, remember=form.remember.data)
            remember_must_change(user)
            user.last_login_at = utcnow()
            return throttle.remember_device(redirect(_safe_next(request.args.get("next"))), login_name)
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "danger")
        status = 401
        commit_even_on_error()  # the failed attempt is stored although the answer is 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form, throttled=False), status


def _end_sessions_and_redirect():
    """Revoke every session of the current user server-side (see ``services.end_all_sessions``), empty
    this session and delete the remember-me cookie; then the login page."""
    if current_user.is_authenticated:
        services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    response = redirect(url_for("accounts.login"))
    cfg = current_app.config
    response.delete_cookie(cfg.get("REMEMBER_COOKIE_NAME", "remember_token"), path=cfg.get("REMEMBER_COOKIE_PATH", "/"),
                           domain=cfg.get("REMEMBER_COOKIE_DOMAIN"), secure=cfg.get("REMEMBER_COOKIE_SECURE", False),
                           httponly=True, samesite=cfg.get("REMEMBER_COOKIE_SAMESITE"))
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST with CSRF, so a link cannot log someone out). The session version is bumped, so this
    session cookie — or a copy of it — and every remember-me cookie of the account stop working: the
    stateless signed cookies offer no per-device revocation, so logging out ends the account's sessions
    on every device."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.login"))
    return _end_sessions_and_redirect()


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """"Đăng xuất mọi nơi": end every session and remember-me cookie of the account, this one included."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.password"))
    response = _end_sessions_and_redirect()
    flash(_("Đã đăng xuất trên mọi thiết bị."), "success")  # into the fresh, empty session
    return response


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str):
    """Choose the UI language; saved on the user when logged in."""
    form = EmptyForm()
    if lang in LANGUAGES and form.validate_on_submit():
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.old.data, form.new.data)
        except UserError as exc:
            flash(exc.message(), "danger")
            return render_template("accounts/password.html", form=form, sessions_form=EmptyForm()), 400
        login_user(current_user)  # this session goes on under the new session version; the others end
        session.pop(MUST_CHANGE, None)
        flash(_("Đã đổi mật khẩu."), "success")
        return redirect(url_for("accounts.home"))
    return render_template("accounts/password.html", form=form, sessions_form=EmptyForm()), 400 if form.errors else 200


__all__ = ["bp", "Role"]
