"""Closing a quiz attempt (submission, time-out), grading it, and its training record (plain values in;
flush, never commit)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    Select,
    Update,
    bindparam,
    case,
    func,
    literal_column,
    select,
    type_coerce,
    update,
)

from lms.assessments import layout, qtypes
from lms.assessments.clock import (
    LOCAL_TZ,
    aware,
    deadline_passed,
    grace,
    now,
    time_up,
)
from lms.assessments.grading import percent
from lms.assessments.models import (
    AttemptItem,
    AttemptStatus,
    QuestionVersion,
    Quiz,
    QuizAttempt,
)
from lms.catalog.models import Module
from lms.core.db import db
from lms.core.errors import UserError


@dataclass(slots=True)
class ClosingItem:
    """One question of an attempt being closed: what parsing and grading need (no ORM objects)."""

    id: int
    position: int
    choice_map: list[list[Any]]
    response: Any
    saved_at: datetime | None
    qtype: str
    choices: list[str]
    key: Any
    tolerance: float


@dataclass(slots=True)
class Closing:
    """An attempt as read for closing: the attempt, its quiz's pass mark, its module, its items."""

    id: int
    status: str
    submit_token: str | None
    deadline_at: datetime | None
    cadre_id: int
    quiz_id: int
    pass_mark: Decimal
    module_id: int
    topic: str
    hours: Decimal
    completion_rule: Any
    items: list[ClosingItem]
    #: when the submission was received (a ``received`` attempt: the time it is graded as of)
    submitted_at: datetime | None = None
    #: False when read without the grading fields (``read_for_closing(complete=False)``)
    complete: bool = True


_A, _Q, _M = QuizAttempt.__table__.c, Quiz.__table__.c, Module.__table__.c
_I, _V = AttemptItem.__table__.c, QuestionVersion.__table__.c
#: Core (not ORM) statements: on the hot path the ORM's per-statement work cost more than the database's
_CLOSING = (select(_A.id, _A.status, _A.submit_token, _A.deadline_at, _A.cadre_id, _A.quiz_id, _Q.pass_mark, _M.id,
                   _M.topic, _M.hours, _M.completion_rule, _I.id, _I.position, _I.choice_map, _I.response,
                   _I.saved_at, _V.qtype, _V.choices, _V.key, _V.tolerance, _A.submitted_at)
            .select_from(QuizAttempt.__table__.join(Quiz.__table__, _Q.id == _A.quiz_id)
                         .join(Module.__table__, _M.id == _Q.module_id)
                         .join(AttemptItem.__table__, _I.attempt_id == _A.id)
                         .join(QuestionVersion.__table__, _V.id == _I.question_version_id))
            .order_by(_I.position))
#: the same rows without what only grading reads (the module's rule, the versions' choices, key, tolerance:
#: 80 JSON values fewer to decode for 20 questions): what accepting a submission and saving a page need
_ACCEPTING = _CLOSING.with_only_columns(*[
    literal_column("NULL").label(f"skipped_{c.name}") if c in (_M.completion_rule, _V.choices, _V.key, _V.tolerance)
    else c for c in _CLOSING.selected_columns])


@functools.lru_cache(maxsize=8)
def _reading(complete: bool, owner: Any) -> Select[Any]:
    """The read of :func:`read_for_closing` (the attempt is the ``attempt_id`` parameter), built once per
    ``owner`` expression (a constant one, e.g. ``CLAIMED_CADRE``: its parameters are passed with the id)."""
    query = ((_CLOSING if complete else _ACCEPTING).where(_A.id == bindparam("attempt_id"))
             .with_for_update(of=QuizAttempt.__table__))
    return query if owner is None else query.where(_A.cadre_id == owner)


def read_for_closing(attempt_id: int, owner: Any = None, *, complete: bool = True,
                     owner_params: Mapping[str, Any] | None = None) -> Closing | None:
    """The attempt with its items and their versions' grading fields: one SELECT (rows per item) that
    takes the attempt's row lock (PostgreSQL), so an answer being saved is either in what is read or
    refused after the attempt is closed.

    ``owner`` (a SQL expression for the cadre, e.g. the session's claim) restricts it to that cadre's
    attempt; None when there is no such attempt (or it is not the owner's). Not ``complete``: without the
    grading fields (:attr:`Closing.complete` False), enough to check and store answers. A constant
    ``owner`` with ``owner_params`` (its parameters) lets the statement be built once."""
    if owner is not None and owner_params is None:
        query = _reading(complete, None).where(_A.cadre_id == owner)  # an owner built for this call
    else:
        query = _reading(complete, owner)
    rows = db.session.execute(query, {"attempt_id": attempt_id, **(owner_params or {})}).all()
    if not rows:
        return None
    first = rows[0]
    items = [ClosingItem(r[11], r[12], r[13] or [], r[14], aware(r[15]), r[16], list(r[17] or []), r[18], float(r[19] or 0))
             for r in rows]
    return Closing(first[0], first[1], first[2], aware(first[3]), first[4], first[5], Decimal(str(first[6])),
                    first[7], first[8], Decimal(str(first[9] or 0)), first[10], items, aware(first[20]), complete)


def form_answers(attempt_id: int, form: Any, owner: Any = None,
                 owner_params: Mapping[str, Any] | None = None) -> tuple[Closing | None, dict[int, Any]]:
    """The attempt (see :func:`read_for_closing`, without its grading fields) and the raw answers its page's form posted for the
    positions it showed (``positions`` fields; 400 for a position not in the attempt, 409 when the
    attempt is already submitted)."""
    closing = read_for_closing(attempt_id, owner, complete=False, owner_params=owner_params)
    if closing is None:
        return None, {}
    if closing.status != AttemptStatus.in_progress.value:
        raise already_submitted()
    return closing, layout.raw_answers(closing.items, form)


def already_submitted() -> UserError:
    return UserError("Bài đã được nộp trước đó.", "The attempt was already submitted.", status=409,
                     code="already_submitted")


def close(closing: Closing, at: datetime, *, token: str | None = None, answers: dict[int, Any] | None = None,
          overdue: bool = False) -> None:
    """Grade and close an attempt read by :func:`read_for_closing` in the request (a submission after the
    deadline plus grace, an abandoned attempt); a submission in time is accepted by
    :func:`lms.assessments.receiving.accept` and graded by :func:`grade_received` in a job.

    A submission (``overdue`` False) must carry the attempt's one-time ``token`` (400 otherwise; 409 when
    already submitted). Its ``answers`` (position → raw answer) are saved first while time remains;
    after the deadline plus grace they are ignored and the attempt is graded on what was saved in time,
    as is an abandoned attempt closed ``overdue``.
    """
    check_token(closing, token, overdue=overdue)
    if not closing.complete:
        closing = read_for_closing(closing.id) or closing
    late = deadline_passed(closing.deadline_at, at)
    changed = changed_answers(closing, answers, at) if answers and not late else {}
    guard = [_A.status == AttemptStatus.in_progress.value] + ([] if overdue else [_A.submit_token == token])
    _grade(closing, at, late, changed, guard)


def grade_received(closing: Closing) -> None:
    """Grade an attempt accepted by the submit request (status ``received``; its answers are stored) as of
    its ``submitted_at``: a submission received in time is not late however late the job runs, and the
    record is dated the day it was received. 409 when it is not waiting (graded meanwhile)."""
    if closing.status != AttemptStatus.received.value or closing.submitted_at is None:
        raise already_submitted()
    at = closing.submitted_at
    _grade(closing, at, deadline_passed(closing.deadline_at, at), {}, [_A.status == AttemptStatus.received.value])


def check_token(closing: Closing, token: str | None, *, overdue: bool = False) -> None:
    """409 unless the attempt is in progress; unless closed by the server (``overdue``), 400 unless
    ``token`` is the attempt's one-time submission token."""
    if closing.status != AttemptStatus.in_progress.value:
        raise already_submitted()
    if not overdue and (not token or not closing.submit_token
                        or not secrets.compare_digest(token, closing.submit_token)):
        raise UserError("Mã nộp bài không hợp lệ; hãy tải lại trang.", "Invalid submission token; reload the page.",
                        status=400, code="bad_token")


def changed_answers(closing: Closing, answers: dict[int, Any], at: datetime) -> dict[int, tuple[Any, datetime | None]]:
    """The posted answers that differ from the stored ones, as position → (response, saved_at) to write (400
    for a position not in the attempt or an answer that does not fit, before anything is written)."""
    changed: dict[int, tuple[Any, datetime | None]] = {}
    for item, response in layout.parse_answers(closing.items, answers):
        if item.saved_at is not None and response == item.response:
            continue  # the same answer again (a submission re-sends what autosave stored): keep its time
        item.response, item.saved_at = response, at
        changed[item.position] = (response, at)
    return changed


def _grade(closing: Closing, at: datetime, late: bool, changed: dict[int, tuple[Any, datetime | None]],
           guard: list[Any]) -> None:
    """The one grading path: two statements — the items' credits (and changed answers) in one UPDATE, the
    attempt in another, guarded (``guard``: its status, the token) so that a concurrent second close
    closes nothing — and, for a pass, the ledger record."""
    cutoff = closing.deadline_at + grace() if closing.deadline_at else None
    credits: dict[int, float] = {}
    for item in closing.items:
        if cutoff is not None and item.saved_at is not None and item.saved_at > cutoff:
            item.response = None  # saved too late: does not count
            changed[item.position] = (None, item.saved_at)
        credits[item.position] = qtypes.get(item.qtype).grade(item.choices, item.key, item.tolerance, item.response)
    points = sum(credits.values())
    score = percent(points, len(closing.items))
    passed = score >= closing.pass_mark
    closed = db.session.execute(update(QuizAttempt.__table__).where(_A.id == closing.id, *guard).values(
        status=AttemptStatus.submitted.value, submitted_at=at, submit_token=None, late=late, points=points,
        max_points=len(closing.items), score=score, passed=passed))
    if closed.rowcount != 1:
        raise already_submitted()  # closed by another request since it was read (SQLite: no row lock)
    params = {"attempt": closing.id, **{f"c{p}": c for p, c in credits.items()}}
    if changed:  # answers sent with the submission (or dropped as too late): written with the credits
        db.session.execute(_credits_update(len(credits)).values(**answer_values(changed)), params)
    else:
        db.session.execute(_credits_update(len(credits)), params)
    if passed:
        record_pass(closing, at, score)


def answer_values(changed: dict[int, tuple[Any, datetime | None]]) -> dict[str, Any]:
    """SET clauses writing the changed answers and their times (CASE on the item's position)."""
    return {"response": case({p: type_coerce(r, JSON) for p, (r, _) in changed.items()}, value=_I.position,
                             else_=_I.response),
            "saved_at": case({p: t for p, (_, t) in changed.items()}, value=_I.position, else_=_I.saved_at)}


@functools.lru_cache(maxsize=32)
def _credits_update(count: int) -> Update:
    """``UPDATE quiz_attempt_items SET credit = CASE position WHEN 1 THEN :c1 … END WHERE attempt_id =
    :attempt`` for attempts of ``count`` questions (built once: its SQL is compiled once per process)."""
    credit = case({p: bindparam(f"c{p}", type_=Float) for p in range(1, count + 1)}, value=_I.position)
    return update(AttemptItem.__table__).where(_I.attempt_id == bindparam("attempt")).values(credit=credit)


def refresh_attempt(attempt: QuizAttempt) -> None:
    """Expire an ORM attempt (and its loaded items) after :func:`close` wrote it with Core statements."""
    for item in attempt.__dict__.get("items", []):
        db.session.expire(item)
    db.session.expire(attempt)


def submit_attempt(attempt: QuizAttempt, token: str | None, at: datetime | None = None,
                   answers: dict[int, Any] | None = None) -> QuizAttempt:
    """Grade and close the attempt (see :func:`close`); the object is refreshed from the database."""
    db.session.flush()
    closing = read_for_closing(attempt.id)
    if closing is None:
        raise UserError("Không tìm thấy lượt làm bài.", "Attempt not found.", status=404, code="not_found")
    close(closing, aware(at) or now(), token=token, answers=answers)
    refresh_attempt(attempt)
    return attempt


def finalize_if_overdue(attempt: QuizAttempt, at: datetime) -> bool:
    """Submit an abandoned attempt whose time is up (graded on what was saved); True when it did."""
    if attempt.status == AttemptStatus.in_progress.value and time_up(attempt, at):
        db.session.flush()
        closing = read_for_closing(attempt.id)
        if closing is not None and closing.status == AttemptStatus.in_progress.value:
            close(closing, at, overdue=True)
        refresh_attempt(attempt)
        return True
    return False


# -- the ledger and the completion rule ----------------------------------------------------------------


def rule_kinds(rule: Any) -> set[str]:
    """Every condition kind in a completion rule ({"all"/"any": [...]} nested)."""
    if isinstance(rule, dict):
        kinds = {rule["kind"]} if "kind" in rule else set()
        for key in ("all", "any"):
            for sub in rule.get(key, []) or []:
                kinds |= rule_kinds(sub)
        return kinds
    return set()


def record_hours(hours: Decimal | int | None, completion_rule: Any) -> Decimal:
    """Hours a quiz pass records: the module's ``hours`` when its completion rule is only "quiz_passed",
    else 0 (the SCORM completion records the hours; the pass adds the score)."""
    return Decimal(hours or 0) if rule_kinds(completion_rule) == {"quiz_passed"} else Decimal("0")


def local_date(at: datetime) -> date:
    """The Vietnamese calendar day of ``at``."""
    return aware(at).astimezone(LOCAL_TZ).date()


def record_pass(closing: Closing, at: datetime, score: Decimal) -> None:
    """Append the pass to the ledger (idempotent by ``quiz_attempt:<id>``) — unless the quiz is a part of
    its module's completion rule: then the module's rule is re-evaluated (``lms.player.services.reevaluate``)
    and the module's completion record, with the module's hours, is the only record (one record and one
    certificate per module completion). A module completed by the quiz alone (rule ``quiz_passed`` only,
    no SCORM attempt) gets the pass's record with the module's hours."""
    from lms.records.services import append_record

    kinds = rule_kinds(closing.completion_rule)
    if "quiz_passed" in kinds and (_reevaluate(closing.cadre_id, closing.module_id, closing.completion_rule)
                                   or kinds != {"quiz_passed"}):
        return  # the player recorded the completion (or a quiz-only module's is recorded today already)
    append_record(
        closing.cadre_id, source="assessment", completed_on=local_date(at), topic=closing.topic,
        hours=record_hours(closing.hours, closing.completion_rule),
        module_id=closing.module_id, score=float(score),
        evidence={"quiz_attempt_id": closing.id, "quiz_id": closing.quiz_id},
        dedupe_key=f"quiz_attempt:{closing.id}",
    )


def _reevaluate(cadre_id: int, module_id: int, completion_rule: Any) -> bool:
    """The player's re-evaluation of the module's rule, read with the attempt (False when the player
    feature is absent or the cadre has no attempt on the module)."""
    try:
        from lms.player.services import reevaluate
    except ImportError:  # pragma: no cover - a deployment without the player
        return False
    return reevaluate(cadre_id, module_id, completion_rule)


def quiz_passed(cadre_id: int, module: Module) -> tuple[bool, str]:
    """The "quiz_passed" completion condition: has the cadre passed a quiz of ``module``?"""
    passed = db.session.scalar(
        select(func.count(QuizAttempt.id)).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.module_id == module.id, QuizAttempt.cadre_id == cadre_id, QuizAttempt.passed.is_(True))
    )
    if passed:
        return True, "Đã đạt bài kiểm tra của học phần."
    if not _quizzes_of_module(module.id):
        return False, "Học phần chưa có bài kiểm tra."
    return False, "Chưa đạt bài kiểm tra của học phần."




def _quizzes_of_module(module_id: int) -> list[Quiz]:
    from lms.assessments.services import quizzes_of_module

    return quizzes_of_module(module_id)
