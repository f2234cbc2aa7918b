"""Flask extension objects shared by the features."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.core.db import db

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


@login_manager.user_loader
def _load_user(session_id: str):
    """Load the user of a session id "<id>:<version>"; a stale version logs the session out. In a session
    opened by an XBlock launch the user holds the learner role only (``User.launch_only``)."""
    from lms.accounts.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # one query: the roles joined in (the relationship's default, selectin, would be a second round trip)
    user = db.session.scalars(select(User).where(User.id == int(user_id))
                              .options(joinedload(User.role_rows))).unique().one_or_none()
    if user is None or not user.active or str(user.session_version) != version:
        return None
    from flask import session

    if session.get(LAUNCH_SESSION_KEY):
        user.launch_only = True  # an XBlock launch never carries manager, lecturer or admin rights
    return user


def session_identity() -> tuple[int, int] | None:
    """The ``(user id, session version)`` the signed session cookie claims, read without the database.

    For hot endpoints (the player's commits, the quiz submission) that check the claim inside their own
    query — the account exists, is active and has the same session version, exactly :func:`_load_user`'s
    checks — instead of loading the user and roles first. When the session holds no login (only a
    remember-me cookie), Flask-Login loads the user and its claim is returned; ``None`` when nobody is
    logged in (the caller answers with ``login_manager.unauthorized()``).
    """
    from flask import session
    from flask_login import current_user

    user_id, _, version = str(session.get("_user_id") or "").partition(":")
    if user_id.isdigit() and version.isdigit():
        return int(user_id), int(version)
    if current_user.is_authenticated:
        return current_user.id, current_user.session_version
    return None
