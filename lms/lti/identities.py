"""Linking a platform's learner to a cadre: only the cadre's own account, logged in, can do it."""

from __future__ import annotations

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.lti.models import LtiIdentity


def link(identity: LtiIdentity, user: User) -> LtiIdentity:
    """Link ``identity`` to ``user``'s cadre (the logged-in account proves it is theirs)."""
    if user.cadre_id is None:
        raise UserError("Tài khoản của bạn chưa gắn với hồ sơ cán bộ nên chưa liên kết được.",
                        "Your account has no cadre record, so it cannot be linked.", status=409,
                        code="lti_no_cadre")
    if identity.user_id is not None and identity.user_id != user.id:
        raise UserError("Danh tính này đã được liên kết với một tài khoản khác.",
                        "This identity is already linked to another account.", status=409, code="lti_linked")
    identity.user_id, identity.cadre_id, identity.linked_at = user.id, user.cadre_id, utcnow()
    db.session.flush()
    return identity


def unlink(identity: LtiIdentity) -> None:
    identity.user_id = identity.cadre_id = identity.linked_at = None
    db.session.flush()
