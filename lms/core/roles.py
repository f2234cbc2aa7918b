"""Roles and the decorators that require them."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    """What a user may do. A user may hold several."""

    learner = "learner"
    lecturer = "lecturer"
    manager = "manager"
    admin = "admin"


ROLE_LABELS = {
    Role.learner: ("Học viên", "Learner"),
    Role.lecturer: ("Giảng viên", "Lecturer"),
    Role.manager: ("Cán bộ quản lý", "Manager"),
    Role.admin: ("Quản trị", "Administrator"),
}


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Require a logged-in user holding any of ``roles`` (admins pass every check): 403 otherwise."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
