"""The quizzes' clock and the answers' parsing, shared by taking (services) and closing (closing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from lms.assessments import qtypes
from lms.assessments.models import (
    QuizAttempt,
)
from lms.core.errors import UserError

#: seconds after the deadline during which saves and submissions still count (network latency)
DEFAULT_GRACE_SECONDS = 30
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


# -- time ---------------------------------------------------------------------------------------


def now() -> datetime:
    """The current time; tests inject a clock with ``app.config["LMS_ASSESSMENT_CLOCK"]`` (a callable)."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.config.get("LMS_ASSESSMENT_CLOCK")
        if clock is not None:
            return aware(clock())
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """A datetime in UTC with tzinfo (SQLite gives naive UTC back)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def grace() -> timedelta:
    """The grace period after a deadline."""
    seconds = DEFAULT_GRACE_SECONDS
    if has_app_context():
        seconds = current_app.config.get("LMS_QUIZ_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)
    return timedelta(seconds=seconds)


def deadline_passed(deadline_at: datetime | None, at: datetime) -> bool:
    """True once ``deadline_at`` (aware; None = no limit) plus grace has passed."""
    return deadline_at is not None and at > deadline_at + grace()


def time_up(attempt: QuizAttempt, at: datetime) -> bool:
    """True once the deadline plus grace has passed."""
    return deadline_passed(aware(attempt.deadline_at), at)


def epoch_ms(value: datetime | None) -> int:
    """Milliseconds since the epoch of a stored time (0 for None): how the page compares save times."""
    return 0 if value is None else int(aware(value).timestamp() * 1000)


def seconds_left(attempt: QuizAttempt, at: datetime) -> int | None:
    """Whole seconds until the deadline (None without a limit; 0 when past)."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((aware(attempt.deadline_at) - at).total_seconds()))


def bad_position() -> UserError:
    return UserError("Câu hỏi không thuộc lượt làm bài này.", "No such question in this attempt.", status=400,
                     code="bad_position")


def bad_answer(exc: qtypes.ResponseError) -> UserError:
    return UserError(exc.message_vi, exc.message_en, status=400, code="bad_answer")


def parse_answer(qtype: str, choice_map: list[list[Any]], raw: Any) -> Any:
    """A raw answer (opaque choice ids, a bool, a number) as the stored response; 400 when it does not fit."""
    try:
        return qtypes.get(qtype).parse(raw, dict(choice_map))
    except qtypes.ResponseError as exc:
        raise bad_answer(exc) from None


