"""A quiz submission is accepted in its request and graded by a job right after (issue #20).

Everyone presses "Nộp bài" when the time runs out, so the submit request does only what must be
synchronous: the one-time token and the owner (checked by the caller), the deadline, the posted answers
(400 before anything is written), then one UPDATE storing the answers and one marking the attempt
``received`` with ``submitted_at`` — and it joins the quiz's grading job (``lms.core.coalesce``: one job
per quiz, however many submissions arrive while it is queued). On PostgreSQL those three are one
statement (a data-modifying CTE; the answers are stored only when the attempt was received). A
submission after the deadline plus grace is graded in the request as before
(:func:`lms.assessments.closing.close`).

When the page carries its sealed layout (:mod:`lms.assessments.layout`), :func:`accept_sealed` does it
without reading the attempt: the answers are checked against the layout and one statement receives the
attempt (checking the owner, the token and the deadline itself), stores the changed answers and joins the
job; whatever it does not receive goes the reading way above, which says why.

:func:`grade_quiz` waits for the burst to settle (:func:`settle`), then grades the quiz's received
attempts, oldest first, a batch per run, each through the one grading path
(:func:`lms.assessments.closing.grade_received`, as of its ``submitted_at``) in a savepoint of its own:
an attempt that fails stays ``received`` without holding back the others. An attempt graded meanwhile is
skipped (a rerun changes nothing). Nothing is lost when Redis loses the job:
the periodic :func:`sweep_received` grades attempts left received for over :data:`STRANDED`, and the
result page grades such an attempt in its own request.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import JSON, Select, Text, bindparam, cast, func, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB

from lms.assessments import layout
from lms.assessments.clock import aware, deadline_passed, grace, now
from lms.assessments.closing import (
    Closing,
    already_submitted,
    answer_values,
    changed_answers,
    check_token,
    close,
    grade_received,
    read_for_closing,
    refresh_attempt,
)
from lms.assessments.models import AttemptItem, AttemptStatus, QuizAttempt
from lms.core import coalesce, jobs
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.jobs import Context, JobFailed, task
from lms.records import deferred

log = logging.getLogger(__name__)
TITLE = "Chấm các bài kiểm tra vừa nộp"
#: attempts graded by one run of the quiz's job (one transaction): the first learners see their score
#: without waiting for the whole burst; a further run is queued for the rest
BATCH = 50
#: a received attempt older than this has lost its job: the sweep and the result page grade it
STRANDED = timedelta(seconds=60)
_A, _I = QuizAttempt.__table__.c, AttemptItem.__table__.c
_RECEIVE = (update(QuizAttempt.__table__)
            .where(_A.id == bindparam("attempt"), _A.status == AttemptStatus.in_progress.value,
                   _A.submit_token == bindparam("token"))
            .values(status=AttemptStatus.received.value, submitted_at=bindparam("at"), submit_token=None))
#: the first and last submissions of a quiz waiting for its grading job (``quiz`` parameter)
_RECEIVED_SPAN = select(func.min(_A.submitted_at), func.max(_A.submitted_at)).where(
    _A.quiz_id == bindparam("quiz"), _A.status == AttemptStatus.received.value)
#: PostgreSQL: the attempt received and the quiz's queued grading run locked for share in one statement
#: (a data-modifying CTE): (1 when received, the queued run's id or NULL)
_RECEIVED = _RECEIVE.returning(_A.id).cte("received")
_JOINED = coalesce.JOIN.cte("joined")
_RECEIVE_AND_JOIN = select(select(func.count()).select_from(_RECEIVED).scalar_subquery(),
                           select(_JOINED.c.id).scalar_subquery())


def accept(closing: Closing, at: datetime, *, token: str | None, answers: dict[int, Any] | None = None) -> bool:
    """Accept the submission of an attempt read (and locked) by :func:`read_for_closing`: True when it is
    received and its grading job joined; False when it came after the deadline plus grace and was graded
    now on what was saved in time. 409 when already submitted, 400 for a bad token or answer."""
    check_token(closing, token)
    if deadline_passed(closing.deadline_at, at):
        close(closing, at, token=token, answers=answers)
        return False
    changed = changed_answers(closing, answers, at) if answers else {}
    params = {"attempt": closing.id, "token": token, "at": at}
    if db.engine.dialect.name == "postgresql":
        _receive_and_join(closing.quiz_id, params, changed)
        return True
    if db.session.execute(_RECEIVE, params).rowcount != 1:
        raise already_submitted()  # submitted by another request since it was read (SQLite: no row lock)
    if changed:
        db.session.execute(_store_answers(changed), {"attempt": closing.id})
    schedule_grading(closing.quiz_id)
    return True


def _store_answers(changed: dict[int, tuple[Any, datetime | None]]) -> Any:
    """``UPDATE`` of the attempt's changed answers (the attempt is the ``attempt`` parameter)."""
    return (update(AttemptItem.__table__).where(_I.attempt_id == bindparam("attempt"))
            .values(**answer_values(changed)))


def _receive_and_join(quiz_id: int, params: dict[str, Any], changed: dict[int, tuple[Any, datetime | None]]) -> None:
    """PostgreSQL: the attempt received, its changed answers stored (only when it was received) and the quiz's
    queued grading run joined in one round trip; the job's row is queued first when no run is queued."""
    statement: Select[Any] = _RECEIVE_AND_JOIN
    if changed:
        stored = _store_answers(changed).where(_I.attempt_id.in_(select(_RECEIVED.c.id))).cte("stored")
        statement = statement.add_cte(stored)
    key = _key(quiz_id)
    received, job = db.session.execute(statement, {**params, "key": key, "next": f"{key}:next"}).one()
    if received != 1:
        raise already_submitted()  # submitted by another request since it was read
    if job is None:
        schedule_grading(quiz_id)  # no run queued (the burst's first submission): the job's row and its lock


def accept_sealed(attempt_id: int, form: Any, at: datetime, owner: Any, owner_params: Mapping[str, Any]) -> bool:
    """PostgreSQL, a page carrying its sealed layout (:mod:`lms.assessments.layout`): the submission accepted
    in one statement, without reading the attempt — its answers checked against the layout, then the
    attempt received (in progress, the owner's, the token its one-time token, the deadline plus grace not
    passed), the answers that differ from the stored ones stored with the submission's time, and the
    quiz's queued grading run joined. True when received; False when the page has no layout, an answer
    does not fit, or the attempt was not received (nothing is then written): the caller takes the way
    that reads the attempt, which says why (404, 409, 400) or grades a late submission."""
    sealed = layout.unseal(form.get(layout.FIELD), attempt_id) if db.engine.dialect.name == "postgresql" else None
    if sealed is None:
        return False
    try:
        answers = layout.parse_answers(sealed.items, layout.raw_answers(sealed.items, form))
    except UserError:
        return False  # the reading way answers in the order it always has (404, 409 before a bad answer)
    key = _key(sealed.quiz_id)
    received, job = db.session.execute(_sealed_receiving(owner), {
        "attempt": attempt_id, "token": form.get("submit_token"), "at": at, "cutoff": at - grace(),
        "answers": {str(item.position): response for item, response in answers},
        "key": key, "next": f"{key}:next", **owner_params}).one()
    if received != 1:
        return False
    if job is None:
        schedule_grading(sealed.quiz_id)
    return True


@functools.lru_cache(maxsize=4)
def _sealed_receiving(owner: Any) -> Select[Any]:
    """The statement of :func:`accept_sealed` for an ``owner`` expression (built once): (1 when received,
    the quiz's queued grading run or NULL). ``answers`` is a JSON object {position: response}: no join to
    plan (the statement is planned at each execution: PostgreSQL keeps custom plans for it)."""
    received = (_RECEIVE.where(_A.cadre_id == owner, or_(_A.deadline_at.is_(None), _A.deadline_at >= bindparam("cutoff")))
                .returning(_A.id).cte("received"))
    posted = bindparam("answers", type_=JSONB)
    position = cast(_I.position, Text)
    response = posted.op("->")(position)
    stored = (update(AttemptItem.__table__)
              .where(_I.attempt_id.in_(select(received.c.id)), posted.op("?")(position),
                     or_(_I.saved_at.is_(None), cast(_I.response, JSONB).is_distinct_from(response)))
              .values(response=cast(response, JSON), saved_at=bindparam("at")).cte("stored"))
    return select(select(func.count()).select_from(received).scalar_subquery(),
                  select(_JOINED.c.id).scalar_subquery()).add_cte(stored)


def schedule_grading(quiz_id: int) -> None:
    """Make sure the quiz's grading job runs after this transaction commits (shared lock: a burst of
    submissions joins the queued job without waiting for each other)."""
    coalesce.schedule(grade_quiz, _key(quiz_id), title=TITLE, shared=True, quiz_id=quiz_id)


def _key(quiz_id: int) -> str:
    return f"quiz:grade:{quiz_id}"


@task
def grade_quiz(ctx: Context, quiz_id: int) -> str:
    """Grade the quiz's received attempts, oldest first, :data:`BATCH` of them (the rest in a further run),
    once the quiz's burst has settled (:func:`settle`)."""
    settle(quiz_id)
    ids = db.session.scalars(select(_A.id).where(_A.quiz_id == quiz_id, _A.status == AttemptStatus.received.value)
                             .order_by(_A.submitted_at, _A.id).limit(BATCH)).all()
    graded, failed = grade_each(ids)
    if len(ids) == BATCH and not failed:
        schedule_grading(quiz_id)
    return _outcome(graded, failed)


def settle(quiz_id: int) -> float:
    """Wait while the quiz's submissions still arrive: until none has arrived for
    ``LMS_QUIZ_GRADING_SETTLE_SECONDS`` (1 s), at most ``LMS_QUIZ_GRADING_MAX_WAIT_SECONDS`` (10 s) after the
    oldest one waiting. Everyone presses "Nộp bài" at the deadline; grading them (8–9 ms of CPU each, with
    the passes' records) while the rest of the burst is still being received would take the cores, and the
    database, that the submissions need (a worker on the app hosts). The learners' result pages say "being
    graded" meanwhile. Nothing is held while waiting (the transaction is ended first). Only with a queue
    (Redis): an eager job runs in the request that submitted. Returns the seconds waited."""
    config = current_app.config
    pause_for, limit = config["LMS_QUIZ_GRADING_SETTLE_SECONDS"], config["LMS_QUIZ_GRADING_MAX_WAIT_SECONDS"]
    waited = 0.0
    while waited < limit and pause_for > 0 and jobs.redis_url() and (pause := _still_arriving(quiz_id, pause_for, limit)):
        pause = min(pause, limit - waited)
        _sleep(pause)
        waited += pause
    return waited


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _still_arriving(quiz_id: int, pause_for: float, limit: float) -> float:
    """Seconds to wait before the quiz's received attempts are graded (0: now); ends the transaction."""
    oldest, newest = db.session.execute(_RECEIVED_SPAN, {"quiz": quiz_id}).one()
    db.session.commit()
    if newest is None:
        return 0.0
    at = now()
    return max(0.0, min(pause_for - (at - aware(newest)).total_seconds(), limit - (at - aware(oldest)).total_seconds()))


@task
def sweep_received(ctx: Context) -> str:
    """Periodic: grade the attempts left received for over :data:`STRANDED` (their job was lost)."""
    ids = db.session.scalars(select(_A.id).where(_A.status == AttemptStatus.received.value,
                                                 _A.submitted_at < now() - STRANDED)
                             .order_by(_A.submitted_at, _A.id).limit(10 * BATCH)).all()
    return _outcome(*grade_each(ids))


def grade_waiting() -> tuple[int, int]:
    """Grade every received attempt of every quiz now, oldest first: (graded, failed)."""
    return grade_each(db.session.scalars(select(_A.id).where(_A.status == AttemptStatus.received.value)
                                         .order_by(_A.submitted_at, _A.id)).all())


def _outcome(graded: int, failed: int) -> str:
    if failed and not graded:
        raise JobFailed(f"Không chấm được {failed} bài; sẽ thử lại.")  # retried after the queue's back-off
    return f"Đã chấm {graded} bài." + (f" {failed} bài lỗi, sẽ chấm lại sau." if failed else "")


def grade_each(ids: Iterable[int]) -> tuple[int, int]:
    """Grade each attempt in a savepoint of its own; (graded, failed)."""
    graded = failed = 0
    with deferred.for_learners():  # compliance and certificate: the per-cadre job, after the score
        for attempt_id in ids:
            try:
                with db.session.begin_nested():
                    graded += grade_attempt(attempt_id)
            except Exception:  # noqa: BLE001 - one attempt's failure must not hold back the others
                log.exception("grading quiz attempt %s failed", attempt_id)
                failed += 1
    return graded, failed


def grade_attempt(attempt_id: int) -> bool:
    """Grade one received attempt (row-locked while read); False when it is not waiting (graded meanwhile)."""
    closing = read_for_closing(attempt_id)
    if closing is None or closing.status != AttemptStatus.received.value:
        return False
    grade_received(closing)
    return True


def grade_if_stranded(attempt: QuizAttempt, at: datetime | None = None) -> bool:
    """Grade a received attempt of the learner's own page in the request when its job has not run within
    :data:`STRANDED` (True when it did; the object is refreshed)."""
    submitted = aware(attempt.submitted_at)
    if attempt.status != AttemptStatus.received.value or submitted is None or (at or now()) - submitted < STRANDED:
        return False
    db.session.flush()
    graded = grade_attempt(attempt.id)
    refresh_attempt(attempt)
    return graded
