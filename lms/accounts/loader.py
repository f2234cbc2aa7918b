"""The session's user: Flask-Login's user loader (registered by :func:`lms.accounts.init_app`)."""

from __future__ import annotations

from flask import session
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.core.db import db
from lms.core.extensions import LAUNCH_SESSION_KEY


def load_user(session_id: str):
    """Load the user of a session id "<id>:<version>"; a stale version logs the session out. In a session
    opened by an XBlock launch the user holds the learner role only (``User.launch_only``)."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # one query: the roles joined in (the relationship's default, selectin, would be a second round trip)
    user = db.session.scalars(select(User).where(User.id == int(user_id))
                              .options(joinedload(User.role_rows))).unique().one_or_none()
    if user is None or not user.active or str(user.session_version) != version:
        return None
    if session.get(LAUNCH_SESSION_KEY):
        user.launch_only = True  # an XBlock launch never carries manager, lecturer or admin rights
    return user
