"""Flask extension objects shared by the features."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

#: the session key of a session opened by an XBlock launch (``lms.api.launch_session``): such a session
#: acts with learner rights only, whatever roles the linked account holds
LAUNCH_SESSION_KEY = "lms_api_launch"


def session_identity() -> tuple[int, int] | None:
    """The ``(user id, session version)`` the signed session cookie claims, read without the database.

    For hot endpoints (the player's commits, the quiz submission) that check the claim inside their own
    query — the account exists, is active and has the same session version, exactly :func:`lms.accounts.loader.load_user`'s
    checks — instead of loading the user and roles first. When the session holds no login (only a
    remember-me cookie), Flask-Login loads the user and its claim is returned; ``None`` when nobody is
    logged in (the caller answers with ``login_manager.unauthorized()``).
    """
    from flask import session
    from flask_login import current_user

    from lms.core.request_checks import claim_of

    claim = claim_of(session)
    if claim is not None:
        return claim
    if current_user.is_authenticated:
        return current_user.id, current_user.session_version
    return None
