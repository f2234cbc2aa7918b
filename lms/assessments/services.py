"""Quizzes and attempts: drawing and taking (plain values in; flush, never commit).

Closing, grading and the training record live in :mod:`lms.assessments.closing`, the clock and answer parsing
in :mod:`lms.assessments.clock`, question banks in :mod:`lms.assessments.banks`; their names callers use are
re-exported here."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lms.assessments import layout, qtypes
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
from lms.assessments.clock import (  # noqa: F401 - re-exported: callers use services.<name>
    DEFAULT_GRACE_SECONDS,
    LOCAL_TZ,
    aware,
    bad_answer,
    bad_position,
    deadline_passed,
    epoch_ms,
    grace,
    now,
    parse_answer,
    seconds_left,
    time_up,
)
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
from lms.core.db import db
from lms.core.errors import UserError

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
    if current is not None and not _finalize_if_overdue(current, at):
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


def _item(attempt: QuizAttempt, position: int) -> AttemptItem:
    for item in attempt.items:
        if item.position == position:
            return item
    raise bad_position()


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
    response = parse_answer(item.version.qtype, item.choice_map, raw)
    if item.saved_at is not None and response == item.response:
        return item  # the same answer again (a submission re-sends what autosave stored): keep its time
    item.response = response
    item.saved_at = at
    db.session.flush()
    return item


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


def sealed_layout(attempt: QuizAttempt) -> str:
    """The attempt's layout sealed for its taking page: the submission checks the answers against it
    without reading the items (:mod:`lms.assessments.layout`)."""
    return layout.seal(attempt.id, attempt.quiz_id,
                       [layout.LayoutItem(i.position, i.version.qtype, i.choice_map) for i in attempt.items])


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



def _finalize_if_overdue(attempt: QuizAttempt, at: datetime) -> bool:

    return finalize_if_overdue(attempt, at)


from lms.assessments.closing import (  # noqa: E402, F401 - re-exported: callers use services.<name>
    Closing,
    ClosingItem,
    close,
    finalize_if_overdue,
    form_answers,
    local_date,
    quiz_passed,
    read_for_closing,
    record_hours,
    record_pass,
    rule_kinds,
    submit_attempt,
)
