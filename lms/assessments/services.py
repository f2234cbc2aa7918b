"""Quizzes and attempts: drawing, taking, closing and grading, records (plain values in; flush, never commit).

Question banks live in :mod:`lms.assessments.banks` (their names are re-exported here)."""

from __future__ import annotations

import functools
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import JSON, Float, Update, bindparam, case, func, select, type_coerce, update
from sqlalchemy.orm import joinedload, selectinload

from lms.assessments import qtypes
from lms.assessments.banks import (  # noqa: F401 - re-exported: callers use services.<name>
    ImportPlan,
    add_version,
    edit_question,
    export_dicts,
    get_or_create_bank,
    import_questions,
    plan_import,
    question_dict,
)
from lms.assessments.grading import percent
from lms.assessments.models import (
    AttemptItem,
    AttemptStatus,
    Question,
    QuestionBank,
    QuestionVersion,
    Quiz,
    QuizAttempt,
    ReviewPolicy,
)
from lms.catalog.models import Module
from lms.core.db import db
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


# -- quizzes ------------------------------------------------------------------------------------


def _candidates(quiz: Quiz) -> list[QuestionVersion]:
    """Current versions of the active questions a quiz may draw (its bank, or banks of a pool's topic)."""
    query = (select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
             .join(QuestionBank, Question.bank_id == QuestionBank.id).where(Question.active))
    topics = {p["topic"] for p in quiz.pools or [] if p.get("topic")}
    if topics:
        query = query.where((QuestionBank.id == quiz.bank_id) | QuestionBank.topic.in_(topics))
    else:
        query = query.where(QuestionBank.id == quiz.bank_id)
    return list(db.session.scalars(query.order_by(QuestionVersion.id)))


def _matches(version: QuestionVersion, bank_topic: str, pool: dict[str, Any], quiz: Quiz) -> bool:
    if pool.get("topic"):
        if bank_topic != pool["topic"]:
            return False
    elif version.question.bank_id != quiz.bank_id:
        return False
    if pool.get("difficulty") and version.difficulty != pool["difficulty"]:
        return False
    tags = pool.get("tags") or []
    return not tags or bool(set(tags) & set(version.tags or []))


def draw_questions(quiz: Quiz, rng: random.Random | None = None) -> list[QuestionVersion]:
    """Draw the attempt's questions at random, pool by pool, without repeats; UserError when short."""
    rng = rng or random.SystemRandom()
    candidates = _candidates(quiz)
    pools = quiz.pools or [{"count": quiz.question_count}]
    chosen: list[QuestionVersion] = []
    for pool in pools:
        count = int(pool.get("count", 0))
        fits = [v for v in candidates if v not in chosen and _matches(v, v.question.bank.topic, pool, quiz)]
        if len(fits) < count:
            raise UserError(
                f"Ngân hàng không đủ câu hỏi cho đề: cần {count}, chỉ có {len(fits)}.",
                f"The bank has too few questions for this quiz: {count} needed, {len(fits)} available.",
                status=409, code="bank_too_small",
            )
        chosen.extend(rng.sample(fits, count))
    rng.shuffle(chosen)
    return chosen


def check_quiz(quiz: Quiz) -> None:
    """Refuse a quiz whose pools cannot be filled or whose dates are inverted (UserError 422)."""
    if quiz.opens_at and quiz.closes_at and aware(quiz.closes_at) <= aware(quiz.opens_at):
        raise UserError("Ngày đóng phải sau ngày mở.", "The close date must be after the open date.", status=422)
    if quiz.review_policy == ReviewPolicy.after_close and not quiz.closes_at:
        raise UserError("Chính sách 'xem sau ngày đóng' cần có ngày đóng.",
                        "The 'after the close date' review policy needs a close date.", status=422)
    try:
        draw_questions(quiz, random.Random(0))
    except UserError as exc:
        exc.status = 422
        raise


def quizzes_of_module(module_id: int) -> list[Quiz]:
    """Active quizzes of a module."""
    return list(db.session.scalars(select(Quiz).where(Quiz.module_id == module_id, Quiz.active).order_by(Quiz.id)))


# -- attempts -----------------------------------------------------------------------------------


def _choice_map(version: QuestionVersion, shuffle: bool, rng: random.Random) -> list[list[Any]]:
    """Opaque random ids for the version's choices, in the order shown."""
    qtype = qtypes.get(version.qtype)
    if not qtype.has_choices:
        return []
    order = list(range(len(version.choices)))
    if shuffle or version.qtype == "ordering":
        rng.shuffle(order)
        if version.qtype == "ordering":
            while order == sorted(order):  # never show an ordering question already solved
                rng.shuffle(order)
    return [[secrets.token_hex(6), index] for index in order]


def attempts_of(quiz: Quiz, cadre_id: int) -> list[QuizAttempt]:
    """A cadre's attempts at a quiz, by number."""
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.cadre_id == cadre_id)
        .order_by(QuizAttempt.number)
    ))


def attempts_left(quiz: Quiz, cadre_id: int) -> int | None:
    """Attempts the cadre may still start (None = unlimited); an open attempt does not count as left."""
    if not quiz.attempts_allowed:
        return None
    return max(0, quiz.attempts_allowed - len(attempts_of(quiz, cadre_id)))


def window_problem(quiz: Quiz, at: datetime) -> tuple[str, str] | None:
    """Why the quiz cannot be taken at ``at`` (not open yet, closed, inactive), or None."""
    if not quiz.active:
        return ("Bài kiểm tra đang tạm đóng.", "The quiz is not available.")
    if quiz.opens_at and at < aware(quiz.opens_at):
        return ("Bài kiểm tra chưa mở.", "The quiz is not open yet.")
    if quiz.closes_at and at >= aware(quiz.closes_at):
        return ("Bài kiểm tra đã đóng.", "The quiz is closed.")
    return None


def open_attempt(quiz: Quiz, cadre_id: int) -> QuizAttempt | None:
    """The cadre's attempt in progress, if any."""
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.cadre_id == cadre_id,
        QuizAttempt.status == AttemptStatus.in_progress.value,
    ))


def start_attempt(quiz: Quiz, cadre_id: int, at: datetime | None = None,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt or start a new one (draw, shuffle, deadline, submit token)."""
    at = at or now()
    current = open_attempt(quiz, cadre_id)
    if current is not None and not finalize_if_overdue(current, at):
        return current
    problem = window_problem(quiz, at)
    if problem:
        raise UserError(*problem, status=409, code="quiz_closed")
    if attempts_left(quiz, cadre_id) == 0:
        raise UserError("Bạn đã dùng hết số lần làm bài.", "You have used all your attempts.", status=409,
                        code="no_attempts_left")
    rng = rng or random.SystemRandom()
    versions = draw_questions(quiz, rng)
    deadline = at + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    if quiz.closes_at and (deadline is None or deadline > aware(quiz.closes_at)):
        deadline = aware(quiz.closes_at)
    number = len(attempts_of(quiz, cadre_id)) + 1
    attempt = QuizAttempt(quiz_id=quiz.id, cadre_id=cadre_id, number=number, started_at=at, deadline_at=deadline,
                          submit_token=secrets.token_urlsafe(24), max_points=len(versions))
    db.session.add(attempt)
    db.session.flush()
    for position, version in enumerate(versions, start=1):
        db.session.add(AttemptItem(attempt_id=attempt.id, position=position, question_version_id=version.id,
                                   choice_map=_choice_map(version, quiz.shuffle_choices, rng)))
    db.session.flush()
    return attempt


def load_attempt(attempt_id: int, *, lock: bool = False) -> QuizAttempt | None:
    """The attempt with its quiz and module (one join) and its items with their question versions (one
    more query): taking, saving, grading and review then issue no query per question.

    ``lock`` (an answer being saved) takes the attempt's row lock first, as closing it does: a save and a
    submission of the same attempt then run one after the other, and the save after it gets 409."""
    return db.session.get(QuizAttempt, attempt_id, with_for_update={"of": QuizAttempt} if lock else None,
                          populate_existing=lock, options=[
        joinedload(QuizAttempt.quiz).joinedload(Quiz.module),
        selectinload(QuizAttempt.items).joinedload(AttemptItem.version),
    ])


def get_attempt_for(attempt_id: int, cadre_id: int | None, *, lock: bool = False) -> QuizAttempt:
    """The attempt if it belongs to ``cadre_id``; a 404 otherwise (never reveal others' attempts)."""
    attempt = load_attempt(attempt_id, lock=lock)
    if attempt is None or cadre_id is None or attempt.cadre_id != cadre_id:
        raise UserError("Không tìm thấy lượt làm bài.", "Attempt not found.", status=404, code="not_found")
    return attempt


def _deadline_passed(deadline_at: datetime | None, at: datetime) -> bool:
    """True once ``deadline_at`` (aware; None = no limit) plus grace has passed."""
    return deadline_at is not None and at > deadline_at + grace()


def time_up(attempt: QuizAttempt, at: datetime) -> bool:
    """True once the deadline plus grace has passed."""
    return _deadline_passed(aware(attempt.deadline_at), at)


def epoch_ms(value: datetime | None) -> int:
    """Milliseconds since the epoch of a stored time (0 for None): how the page compares save times."""
    return 0 if value is None else int(aware(value).timestamp() * 1000)


def seconds_left(attempt: QuizAttempt, at: datetime) -> int | None:
    """Whole seconds until the deadline (None without a limit; 0 when past)."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((aware(attempt.deadline_at) - at).total_seconds()))


def _bad_position() -> UserError:
    return UserError("Câu hỏi không thuộc lượt làm bài này.", "No such question in this attempt.", status=400,
                     code="bad_position")


def _bad_answer(exc: qtypes.ResponseError) -> UserError:
    return UserError(exc.message_vi, exc.message_en, status=400, code="bad_answer")


def _parse(qtype: str, choice_map: list[list[Any]], raw: Any) -> Any:
    """A raw answer (opaque choice ids, a bool, a number) as the stored response; 400 when it does not fit."""
    try:
        return qtypes.get(qtype).parse(raw, dict(choice_map))
    except qtypes.ResponseError as exc:
        raise _bad_answer(exc) from None


def _item(attempt: QuizAttempt, position: int) -> AttemptItem:
    for item in attempt.items:
        if item.position == position:
            return item
    raise _bad_position()


def _ensure_open(attempt: QuizAttempt, at: datetime) -> None:
    if attempt.status != AttemptStatus.in_progress.value:
        raise UserError("Bài đã nộp; không thể thay đổi.", "The attempt was already submitted.", status=409,
                        code="already_submitted")
    if time_up(attempt, at):
        raise UserError("Đã hết giờ làm bài; câu trả lời này không được lưu.",
                        "Time is up; this answer was not saved.", status=409, code="time_up")


def save_answer(attempt: QuizAttempt, position: int, raw: Any, at: datetime | None = None) -> AttemptItem:
    """Store one answer (autosave). 409 when submitted or out of time; 400 for a foreign choice id."""
    at = at or now()
    _ensure_open(attempt, at)
    item = _item(attempt, position)
    response = _parse(item.version.qtype, item.choice_map, raw)
    if item.saved_at is not None and response == item.response:
        return item  # the same answer again (a submission re-sends what autosave stored): keep its time
    item.response = response
    item.saved_at = at
    db.session.flush()
    return item


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


_A, _Q, _M = QuizAttempt.__table__.c, Quiz.__table__.c, Module.__table__.c
_I, _V = AttemptItem.__table__.c, QuestionVersion.__table__.c
#: Core (not ORM) statements: on the hot path the ORM's per-statement work cost more than the database's
_CLOSING = (select(_A.id, _A.status, _A.submit_token, _A.deadline_at, _A.cadre_id, _A.quiz_id, _Q.pass_mark, _M.id,
                   _M.topic, _M.hours, _M.completion_rule, _I.id, _I.position, _I.choice_map, _I.response,
                   _I.saved_at, _V.qtype, _V.choices, _V.key, _V.tolerance)
            .select_from(QuizAttempt.__table__.join(Quiz.__table__, _Q.id == _A.quiz_id)
                         .join(Module.__table__, _M.id == _Q.module_id)
                         .join(AttemptItem.__table__, _I.attempt_id == _A.id)
                         .join(QuestionVersion.__table__, _V.id == _I.question_version_id))
            .order_by(_I.position))


def read_for_closing(attempt_id: int, owner: Any = None) -> Closing | None:
    """The attempt with its items and their versions' grading fields: one SELECT (rows per item) that
    takes the attempt's row lock (PostgreSQL), so an answer being saved is either in what is read or
    refused after the attempt is closed.

    ``owner`` (a SQL expression for the cadre, e.g. the session's claim) restricts it to that cadre's
    attempt; None when there is no such attempt (or it is not the owner's)."""
    query = _CLOSING.where(_A.id == attempt_id).with_for_update(of=QuizAttempt.__table__)
    if owner is not None:
        query = query.where(_A.cadre_id == owner)
    rows = db.session.execute(query).all()
    if not rows:
        return None
    first = rows[0]
    items = [ClosingItem(r[11], r[12], r[13] or [], r[14], aware(r[15]), r[16], list(r[17] or []), r[18], float(r[19] or 0))
             for r in rows]
    return Closing(first[0], first[1], first[2], aware(first[3]), first[4], first[5], Decimal(str(first[6])),
                    first[7], first[8], Decimal(str(first[9] or 0)), first[10], items)


def _parse_answers(items: list[ClosingItem], answers: dict[int, Any]) -> list[tuple[ClosingItem, Any]]:
    """Raw answers (position → opaque ids / value, as the page sends them) with their items, as stored
    responses. 400 for a position not in the attempt or an answer that does not fit its question (before
    anything is written)."""
    by_position = {item.position: item for item in items}
    if not set(answers) <= set(by_position):
        raise _bad_position()
    return [(by_position[p], _parse(by_position[p].qtype, by_position[p].choice_map, raw))
            for p, raw in answers.items()]


def form_answers(attempt_id: int, form: Any, owner: Any = None) -> tuple[Closing | None, dict[int, Any]]:
    """The attempt (see :func:`read_for_closing`) and the raw answers its page's form posted for the
    positions it showed (``positions`` fields; 400 for a position not in the attempt, 409 when the
    attempt is already submitted)."""
    closing = read_for_closing(attempt_id, owner)
    if closing is None:
        return None, {}
    if closing.status != AttemptStatus.in_progress.value:
        raise _already_submitted()
    by_position = {item.position: item for item in closing.items}
    answers: dict[int, Any] = {}
    for raw_position in form.getlist("positions"):
        try:
            item = by_position[int(raw_position)]
        except (ValueError, KeyError):
            raise _bad_position() from None
        try:
            answers[item.position] = qtypes.get(item.qtype).raw_from_form(
                form, f"q{item.position}", [cid for cid, _ in item.choice_map])
        except qtypes.ResponseError as exc:
            raise _bad_answer(exc) from None
    return closing, answers


def _already_submitted() -> UserError:
    return UserError("Bài đã được nộp trước đó.", "The attempt was already submitted.", status=409,
                     code="already_submitted")


def close(closing: Closing, at: datetime, *, token: str | None = None, answers: dict[int, Any] | None = None,
          overdue: bool = False) -> None:
    """Grade and close an attempt read by :func:`read_for_closing`: the one grading path of the LMS.

    A submission (``overdue`` False) must carry the attempt's one-time ``token`` (400 otherwise; 409 when
    already submitted). Its ``answers`` (position → raw answer) are saved first while time remains;
    after the deadline plus grace they are ignored and the attempt is graded on what was saved in time,
    as is an abandoned attempt closed ``overdue``. Two statements — the items' credits (and changed
    answers) in one UPDATE, the attempt in another, guarded by its status and token so that a
    concurrent second submission closes nothing — and, for a pass, the ledger record.
    """
    if closing.status != AttemptStatus.in_progress.value:
        raise _already_submitted()
    if not overdue and (not token or not closing.submit_token
                        or not secrets.compare_digest(token, closing.submit_token)):
        raise UserError("Mã nộp bài không hợp lệ; hãy tải lại trang.", "Invalid submission token; reload the page.",
                        status=400, code="bad_token")
    late = _deadline_passed(closing.deadline_at, at)
    changed: dict[int, tuple[Any, datetime | None]] = {}  # position → (response, saved_at) to write
    if answers and not late:
        for item, response in _parse_answers(closing.items, answers):
            if item.saved_at is not None and response == item.response:
                continue  # the same answer again (a submission re-sends what autosave stored): keep its time
            item.response, item.saved_at = response, at
            changed[item.position] = (response, at)
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
    guard = [_A.id == closing.id, _A.status == AttemptStatus.in_progress.value]
    if not overdue:
        guard.append(_A.submit_token == token)
    closed = db.session.execute(update(QuizAttempt.__table__).where(*guard).values(
        status=AttemptStatus.submitted.value, submitted_at=at, submit_token=None, late=late, points=points,
        max_points=len(closing.items), score=score, passed=passed))
    if closed.rowcount != 1:
        raise _already_submitted()  # closed by another request since it was read (SQLite: no row lock)
    params = {"attempt": closing.id, **{f"c{p}": c for p, c in credits.items()}}
    if changed:  # answers sent with the submission (or dropped as too late): written with the credits
        db.session.execute(_credits_update(len(credits)).values(
            response=case({p: type_coerce(r, JSON) for p, (r, _) in changed.items()}, value=_I.position,
                          else_=_I.response),
            saved_at=case({p: t for p, (_, t) in changed.items()}, value=_I.position, else_=_I.saved_at)), params)
    else:
        db.session.execute(_credits_update(len(credits)), params)
    if passed:
        record_pass(closing, at, score)


@functools.lru_cache(maxsize=32)
def _credits_update(count: int) -> Update:
    """``UPDATE quiz_attempt_items SET credit = CASE position WHEN 1 THEN :c1 … END WHERE attempt_id =
    :attempt`` for attempts of ``count`` questions (built once: its SQL is compiled once per process)."""
    credit = case({p: bindparam(f"c{p}", type_=Float) for p in range(1, count + 1)}, value=_I.position)
    return update(AttemptItem.__table__).where(_I.attempt_id == bindparam("attempt")).values(credit=credit)


def _refresh(attempt: QuizAttempt) -> None:
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
    _refresh(attempt)
    return attempt


def finalize_if_overdue(attempt: QuizAttempt, at: datetime) -> bool:
    """Submit an abandoned attempt whose time is up (graded on what was saved); True when it did."""
    if attempt.status == AttemptStatus.in_progress.value and time_up(attempt, at):
        db.session.flush()
        closing = read_for_closing(attempt.id)
        if closing is not None and closing.status == AttemptStatus.in_progress.value:
            close(closing, at, overdue=True)
        _refresh(attempt)
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
    if "quiz_passed" in kinds and (kinds != {"quiz_passed"} or _reevaluate(closing.cadre_id, closing.module_id)):
        _reevaluate(closing.cadre_id, closing.module_id)
        return
    append_record(
        closing.cadre_id, source="assessment", completed_on=local_date(at), topic=closing.topic,
        hours=record_hours(closing.hours, closing.completion_rule),
        module_id=closing.module_id, score=float(score),
        evidence={"quiz_attempt_id": closing.id, "quiz_id": closing.quiz_id},
        dedupe_key=f"quiz_attempt:{closing.id}",
    )


def _reevaluate(cadre_id: int, module_id: int) -> bool:
    """The player's re-evaluation of the module's rule (False when the player feature is absent or the
    cadre has no attempt on the module)."""
    try:
        from lms.player.services import reevaluate
    except ImportError:  # pragma: no cover - a deployment without the player
        return False
    return reevaluate(cadre_id, module_id)


def quiz_passed(cadre_id: int, module: Module) -> tuple[bool, str]:
    """The "quiz_passed" completion condition: has the cadre passed a quiz of ``module``?"""
    passed = db.session.scalar(
        select(func.count(QuizAttempt.id)).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(Quiz.module_id == module.id, QuizAttempt.cadre_id == cadre_id, QuizAttempt.passed.is_(True))
    )
    if passed:
        return True, "Đã đạt bài kiểm tra của học phần."
    if not quizzes_of_module(module.id):
        return False, "Học phần chưa có bài kiểm tra."
    return False, "Chưa đạt bài kiểm tra của học phần."


# -- review ---------------------------------------------------------------------------------------


def can_review(attempt: QuizAttempt, at: datetime | None = None) -> bool:
    """May the learner see right answers, explanations and citations of this attempt now?"""
    if attempt.status != AttemptStatus.submitted.value:
        return False
    policy = attempt.quiz.review_policy
    if policy == ReviewPolicy.after_submit:
        return True
    if policy == ReviewPolicy.after_close:
        closes = aware(attempt.quiz.closes_at)
        return closes is not None and (at or now()) >= closes
    return False


def page_items(attempt: QuizAttempt, lang: str = "vi") -> list[dict[str, Any]]:
    """What the taking page shows: texts, opaque choice ids and saved answers — never a key."""
    out = []
    for item in attempt.items:
        version = item.version
        qtype = qtypes.get(version.qtype)
        choices = [(cid, version.choices[index]) for cid, index in item.choice_map]
        index_to_id = {index: cid for cid, index in item.choice_map}
        shown = qtype.shown(item.response, index_to_id)
        if version.qtype == "ordering" and not shown:
            shown = []
        out.append({"position": item.position, "qtype": version.qtype, "text": version.text(lang),
                    "choices": choices, "saved": shown, "answered": item.response is not None,
                    "saved_ms": epoch_ms(item.saved_at)})
    return out


def review_items(attempt: QuizAttempt, lang: str = "vi") -> list[dict[str, Any]]:
    """Per question after submission: the answer given, the right answer, explanation and citation."""
    out = []
    for item in attempt.items:
        v = item.version
        qtype = qtypes.get(v.qtype)
        choices = list(v.choices or [])
        out.append({
            "position": item.position, "text": v.text(lang), "qtype": v.qtype, "credit": item.credit or 0.0,
            "given": qtype.response_text(choices, item.response),
            "right": qtype.key_text(choices, v.key, float(v.tolerance or 0)),
            "explanation": v.explanation_vi, "citation": v.citation,
        })
    return out
