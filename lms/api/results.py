"""What a launch opens (the module's SCORM package or its quiz) and the learner's outcome on it, answered
by the signed results endpoint. Plain values in; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.api.models import ConsumerLearner, LinkStatus
from lms.catalog.models import Module
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms_xblock import signing


@dataclass
class Outcome:
    """What the results endpoint answers."""

    status: str
    completion: float = 0.0
    completed: bool = False
    success: str = "unknown"
    score: float | None = None
    updated_at: datetime | None = None
    attempts: int = 0
    #: what the outcome is of: "module" (the SCORM package's attempts) or "quiz"
    kind: str = "module"

    def as_dict(self) -> dict[str, Any]:
        """The JSON body (documented in openapi.yaml)."""
        stamp = self.updated_at
        if stamp is not None and stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return {"status": self.status, "completion": self.completion, "completed": self.completed,
                "success": self.success, "score": self.score, "attempts": self.attempts,
                "updated_at": stamp.isoformat() if stamp else None, "kind": self.kind}


def get_module_or_refuse(code: str) -> Module:
    """The active module with ``code`` (404 with a Vietnamese message otherwise)."""
    module = db.session.scalar(select(Module).where(Module.code == (nfc(code) or "").strip().upper()))
    if module is None or not module.active:
        raise UserError(f"Không tìm thấy học phần {code}.", f"No module {code}.", status=404, code="module_unknown")
    return module


@dataclass(frozen=True)
class Target:
    """What a launch opens: the module's SCORM package (``quiz`` None) or one of its quizzes."""

    kind: str
    module: Module
    quiz: Any = None


def resolve_target(module: Module, kind: str | None) -> Target:
    """What ``kind`` means for ``module``: "module" → its SCORM package; "quiz" → its first active quiz
    (404 when it has none); "auto"/absent → the package when one is published, else the quiz when the
    module has one, else the package (whose launch then says it is not published). 400 for another kind."""
    kind = (kind or "auto").strip().lower()
    if kind not in signing.KINDS:
        raise UserError(f"Loại nội dung không hợp lệ: {kind} (auto, module hoặc quiz).",
                        f"Unknown kind: {kind} (auto, module or quiz).", status=400, code="kind_invalid")
    if kind == "module":
        return Target("module", module)
    from lms.assessments.services import quizzes_of_module  # noqa: PLC0415 - assessments own quizzes

    quizzes = quizzes_of_module(module.id)
    if kind == "quiz" and not quizzes:
        raise UserError(f"Học phần {module.code} chưa có bài kiểm tra đang mở.",
                        f"The module {module.code} has no active quiz.", status=404, code="quiz_unknown")
    if kind == "quiz" or (module.published_version_id is None and quizzes):
        return Target("quiz", module, quizzes[0])
    return Target("module", module)


def quiz_outcome(learner: ConsumerLearner | None, target: Target) -> Outcome:
    """The learner's standing on the target's quiz: completed once an attempt is submitted; score 0–1 by
    the module's grading rule (highest, average, first, last) over the submitted attempts; success
    "passed" when any submitted attempt passed, else the last submitted attempt's verdict. An attempt in
    progress, or received and not graded yet, counts toward ``attempts`` only."""
    if learner is None:
        return Outcome(status="unknown", kind="quiz")
    if learner.status != LinkStatus.linked.value or learner.cadre_id is None:
        return Outcome(status=learner.status, kind="quiz")
    from lms.assessments.models import AttemptStatus  # noqa: PLC0415
    from lms.assessments.services import attempts_of  # noqa: PLC0415
    from lms.player import rules  # noqa: PLC0415 - the module grading rule

    attempts = attempts_of(target.quiz, learner.cadre_id)
    if not attempts:
        return Outcome(status="linked", kind="quiz")
    submitted = [a for a in attempts if a.status == AttemptStatus.submitted.value]
    stamps = [a.submitted_at or a.started_at for a in attempts]
    if not submitted:
        return Outcome(status="linked", kind="quiz", attempts=len(attempts), updated_at=max(stamps))
    grade = rules.grade([a.score for a in submitted], target.module.grading)
    success = "passed" if any(a.passed for a in submitted) else ("failed" if submitted[-1].passed is False
                                                                  else "unknown")
    return Outcome(status="linked", completion=1.0, completed=True, success=success,
                   score=None if grade is None else float(Decimal(grade) / 100),
                   updated_at=max(stamps), attempts=len(attempts), kind="quiz")


def outcome(learner: ConsumerLearner | None, module: Module) -> Outcome:
    """The learner's standing on ``module`` across their attempts (grade by the module's grading rule)."""
    if learner is None:
        return Outcome(status="unknown")
    if learner.status != LinkStatus.linked.value or learner.cadre_id is None:
        return Outcome(status=learner.status)
    from lms.player import rules  # noqa: PLC0415 - the player owns attempts and grading
    from lms.player.models import Attempt, ScoState  # noqa: PLC0415

    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.cadre_id == learner.cadre_id, Attempt.module_id == module.id).order_by(Attempt.number)))
    if not attempts:
        return Outcome(status="linked")
    completed = any(a.rule_met for a in attempts)
    grade = rules.grade([a.score for a in attempts], module.grading)
    latest = attempts[-1]
    states = list(db.session.scalars(select(ScoState.completion).where(ScoState.attempt_id == latest.id)))
    done = sum(1 for s in states if s == "completed")
    completion = 1.0 if completed else (round(done / len(states), 4) if states else 0.0)
    success = "passed" if any(a.success == "passed" for a in attempts) else latest.success
    return Outcome(status="linked", completion=completion, completed=completed, success=success,
                   score=None if grade is None else float(Decimal(grade) / 100),
                   updated_at=max(a.updated_at for a in attempts), attempts=len(attempts))
