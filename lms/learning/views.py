"""The learner's pages: the "my learning" home panel's context and the module page (served by the player
blueprint as ``player.module``, the address the requirement lists link to)."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import select

from lms.catalog.models import Module
from lms.core.db import db
from lms.learning import services
from lms.player.models import ATTEMPT_STATUS_LABELS
from lms.standards.models import STATE_COLOURS, STATE_LABELS


def home_context(user) -> dict:
    """The "my learning" panel: requirements first, then modules in progress, then the catalogue."""
    cadre = user.cadre if user.cadre_id is not None else None
    return {"home": services.home(cadre) if cadre is not None else None, "state_labels": STATE_LABELS,
            "state_colours": STATE_COLOURS, "status_labels": ATTEMPT_STATUS_LABELS}


def module_page(code: str):
    """Một học phần: what it teaches, hours, my requirements it satisfies, my attempts and the result,
    start / resume / review / retake. 403 for an account without a cadre; 404 for an unknown or
    inactive module."""
    if current_user.cadre_id is None:
        abort(403)
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None or not module.active:
        abort(404)
    page = services.module_page(current_user.cadre, module)
    return render_template("learning/module.html", page=page, module=module, state_labels=STATE_LABELS,
                           state_colours=STATE_COLOURS, status_labels=ATTEMPT_STATUS_LABELS)
