"""The submission request's own checks: it loads no user (the session's claim is checked in the query
that reads the attempt, or in the statement that receives it), so an ended session, a foreign attempt, an
account without a cadre and a second submission racing the first are each refused here, with nothing
written — both with the page's sealed layout (PostgreSQL: the attempt received in one statement without
reading it, lms.assessments.layout) and without it (an old page; SQLite)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from lms.accounts.models import User
from lms.assessments import services
from lms.assessments.models import QuizAttempt
from lms.core.db import db
from lms.core.errors import UserError
from lms.records.models import TrainingRecord
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.lms.assessments.conftest import right_answer

LAYOUT = re.compile(r'name="layout" value="([^"]+)"')


@pytest.fixture(params=["sealed layout", "no layout"])
def sealed(request) -> bool:
    """Whether the submissions carry the taking page's sealed layout."""
    return request.param == "sealed layout"


def started(client, auth, quiz, sealed: bool, login: str = "hv.nhung") -> tuple[QuizAttempt, dict[str, str]]:
    """The learner starts the quiz and opens its taking page: the attempt and the page's form tokens (its
    CSRF token, with its sealed layout when ``sealed``)."""
    auth.login(login)
    page = client.get(f"/quiz/{quiz.id}").get_data(as_text=True)
    client.post(f"/quiz/{quiz.id}/start", data={"csrf_token": csrf_token_from(page)})
    attempt = db.session.scalar(select(QuizAttempt).order_by(QuizAttempt.id.desc()))
    html = client.get(f"/quiz/attempt/{attempt.id}").get_data(as_text=True)
    return attempt, {"csrf_token": csrf_token_from(html), **({"layout": LAYOUT.search(html)[1]} if sealed else {})}


def submit(client, attempt: QuizAttempt, page: dict[str, str], csrf: str | None = None, **fields):
    """POST the submission with the page's tokens, the attempt's one-time token and any answer ``fields``
    (``csrf``: another session's token)."""
    tokens = {**page, **({"csrf_token": csrf} if csrf else {})}
    return client.post(f"/quiz/attempt/{attempt.id}/submit",
                       data={**tokens, "submit_token": attempt.submit_token, **fields})


def still_open(attempt: QuizAttempt) -> bool:
    db.session.expire_all()
    fresh = db.session.get(QuizAttempt, attempt.id)
    return (fresh.status == "in_progress" and fresh.score is None and fresh.submit_token is not None
            and all(item.credit is None for item in fresh.items))


def test_a_session_ended_elsewhere_is_sent_to_log_in_and_nothing_is_graded(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    user = db.session.scalar(select(User).where(User.login == "hv.nhung"))
    user.session_version += 1  # a password change (or an admin's "log out everywhere")
    db.session.commit()
    resp = submit(client, attempt, page)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert still_open(attempt)


def test_a_deactivated_account_cannot_submit(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    db.session.scalar(select(User).where(User.login == "hv.nhung")).active = False
    db.session.commit()
    resp = client.post(f"/quiz/attempt/{attempt.id}/save", data={**page, "go": "submit",
                                                                 "submit_token": attempt.submit_token})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert still_open(attempt)


def test_without_a_login_the_submission_goes_to_the_login_page(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    auth.logout()
    resp = submit(client, attempt, page, auth.csrf("/login"))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert still_open(attempt)


def test_another_learner_with_the_token_gets_404(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    gen_user("hv.dung", cadre=tree["cb_cadre"])
    db.session.commit()
    auth.logout()
    auth.login("hv.dung")
    resp = submit(client, attempt, page, auth.csrf("/"))
    assert resp.status_code == 404
    assert still_open(attempt)


def test_an_account_without_a_cadre_gets_404(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    auth.logout()
    auth.login("gv.hanoi")  # a lecturer: no cadre, owns no attempt
    resp = submit(client, attempt, page, auth.csrf("/"))
    assert resp.status_code == 404
    assert still_open(attempt)


def test_a_bad_answer_in_the_submission_writes_nothing(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    numeric = next(i for i in attempt.items if i.version.qtype == "numeric")
    resp = submit(client, attempt, page, positions=[str(numeric.position)], **{f"q{numeric.position}": "mười hai"})
    assert resp.status_code == 400 and "số" in resp.get_data(as_text=True)
    assert still_open(attempt) and db.session.get(QuizAttempt, attempt.id).items[0].response is None


def test_answers_sent_with_the_submission_are_saved_and_graded_with_it(client, tree, quiz, auth, clock, sealed):
    attempt, page = started(client, auth, quiz, sealed)
    items = {i.version.qtype: i for i in attempt.items}
    single, numeric = items["single"], items["numeric"]
    resp = submit(client, attempt, page, positions=[str(single.position), str(numeric.position)],
                  **{f"q{single.position}": right_answer(single), f"q{numeric.position}": "98765,0"})
    assert resp.status_code == 302
    db.session.expire_all()
    fresh = db.session.get(QuizAttempt, attempt.id)
    by_position = {i.position: i for i in fresh.items}
    assert by_position[single.position].response == single.version.key and by_position[single.position].credit == 1
    assert by_position[numeric.position].response == 98765.0 and by_position[numeric.position].credit == 1
    assert by_position[numeric.position].saved_at is not None
    assert all(i.credit == 0 and i.response is None for p, i in by_position.items()
               if p not in (single.position, numeric.position))
    assert fresh.points == 2 and str(fresh.score) == "40.00" and fresh.passed is False


def test_a_submission_that_lost_the_race_closes_nothing(quiz, tree, clock):
    attempt = services.start_attempt(quiz, tree["hn_cadre"].id)
    for item in attempt.items:
        services.save_answer(attempt, item.position, right_answer(item))
    token = attempt.submit_token
    stale = services.read_for_closing(attempt.id)  # read by a second request before the first one committed
    services.submit_attempt(attempt, token)
    points, submitted_at = attempt.points, attempt.submitted_at
    clock.advance(minutes=1)
    try:
        services.close(stale, services.now(), token=token)
    except UserError as exc:
        assert exc.status == 409 and exc.code == "already_submitted"
    else:
        raise AssertionError("the second submission was accepted")
    db.session.expire_all()
    fresh = db.session.get(QuizAttempt, attempt.id)
    assert fresh.points == points and fresh.submitted_at == submitted_at
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == 1


def test_a_save_and_a_submission_of_one_attempt_take_turns(quiz, tree, clock):
    """Both take the attempt's row lock (PostgreSQL): an answer saved while the submission runs waits for
    it, then is refused (409) instead of changing an answer already graded."""
    attempt = services.start_attempt(quiz, tree["hn_cadre"].id)
    first = attempt.items[0]
    attempt_id, position, raw = attempt.id, first.position, right_answer(first)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as submission:  # another request, in its own transaction, holds the attempt
            submission.execute(text("SELECT id FROM quiz_attempts WHERE id = :a FOR UPDATE"), {"a": attempt_id})
            for waits in (lambda: services.load_attempt(attempt_id, lock=True),
                          lambda: services.read_for_closing(attempt_id)):
                db.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    waits()
                db.session.rollback()
            submission.execute(text("UPDATE quiz_attempts SET status = 'submitted', submit_token = NULL"
                                    " WHERE id = :a"), {"a": attempt_id})
            submission.commit()
    else:  # SQLite runs one writer at a time: the submission simply comes first
        services.submit_attempt(attempt, attempt.submit_token)
        db.session.commit()
    locked = services.load_attempt(attempt_id, lock=True)
    with pytest.raises(UserError) as refused:
        services.save_answer(locked, position, raw)
    assert refused.value.status == 409 and refused.value.code == "already_submitted"
