"""A real completion through the player (a SCORM 1.2 commit with passed and a score), committed; the
ledger listener registered."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.player.services import apply_commit, open_attempt
from lms.records.models import TrainingRecord


def complete(learner: dict, status: str = "passed", score: str = "85") -> TrainingRecord:
    attempt = open_attempt(learner["cadre"], learner["module"])
    db.session.commit()
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": status, "cmi.core.score.raw": score,
                                          "cmi.core.score.min": "0", "cmi.core.score.max": "100"}, terminate=True)
    db.session.commit()
    return db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.id.desc())).first()


def listen() -> None:
    """The ledger listener, as ``init_app`` registers it when LMS_XAPI_ENDPOINT is set (it does nothing
    while the endpoint is unset, so it may stay registered for later tests)."""
    from lms.records.services import on_record_appended
    from lms.xapi.outbox import queue_record

    on_record_appended(queue_record)
