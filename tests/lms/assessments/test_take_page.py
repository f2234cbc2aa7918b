"""The taking page as quiz-nav.js and quiz-submit.js use it: every question in the form (the browser shows one
per screen), no inline script (CSP ``script-src 'self'``), and the submission the page sends — again after
a lost connection — answered as the page expects: the result, or 409 when it already arrived; late ones
graded by the close rules (services.close)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.assessments.models import QuizAttempt
from lms.core.db import db
from tests.conftest import csrf_token_from
from tests.lms.assessments.conftest import right_answer
from tests.lms.assessments.test_submit_queries import form_fields


@pytest.fixture
def learner(tree, quiz, auth, clock):
    auth.login("hv.nhung")
    return tree


def start(client, quiz) -> tuple[QuizAttempt, str]:
    page = client.get(f"/quiz/{quiz.id}").get_data(as_text=True)
    resp = client.post(f"/quiz/{quiz.id}/start", data={"csrf_token": csrf_token_from(page)})
    assert resp.status_code == 302
    return db.session.scalar(select(QuizAttempt)), csrf_token_from(client.get(resp.headers["Location"]).get_data(as_text=True))


def send(client, attempt, token, fields):
    """The submission as quiz-submit.js posts it: the form's fields, form-encoded, asking for JSON errors."""
    data = MultiDict([("csrf_token", token), ("submit_token", attempt.submit_token), *fields, ("go", "submit")])
    return client.post(f"/quiz/attempt/{attempt.id}/submit", data=data,
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def all_right(attempt) -> list[tuple[str, str]]:
    return [f for item in sorted(attempt.items, key=lambda i: i.position) for f in form_fields(item)]


def test_the_taking_page_holds_every_question_and_no_inline_script(client, learner, quiz):
    quiz.one_per_page = True
    db.session.commit()
    attempt, _ = start(client, quiz)
    html = client.get(f"/quiz/attempt/{attempt.id}?page=9").get_data(as_text=True)
    assert len(re.findall(r'<fieldset class="card mb-3 quiz-item"', html)) == 5
    assert len(re.findall(r'class="btn btn-sm quiz-nav-item"', html)) == 5
    assert 'data-one-per-page="1"' in html and 'data-start-page="5"' in html  # clamped to the last question
    assert 'id="quiz-waiting"' in html and "Đang chờ kết nối…" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_a_submission_sent_twice_gets_the_result_then_409(client, learner, quiz):
    attempt, token = start(client, quiz)
    fields = all_right(attempt)
    first = send(client, attempt, token, fields)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/quiz/attempt/{attempt.id}/result")
    again = send(client, attempt, token, fields)  # the page did not hear the first answer
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_submitted"
    db.session.expire_all()
    assert str(db.session.get(QuizAttempt, attempt.id).score) == "100.00"


def test_a_submission_kept_offline_past_the_deadline_counts_what_was_saved_in_time(client, learner, quiz, clock):
    """services.close: after the deadline plus grace the answers sent are ignored; the saved ones are graded."""
    attempt, token = start(client, quiz)
    items = sorted(attempt.items, key=lambda i: i.position)
    for item in items[:2]:
        resp = client.post(f"/quiz/attempt/{attempt.id}/answer", json={"position": item.position, "response": right_answer(item)},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
        assert resp.status_code == 200
    clock.advance(minutes=quiz.time_limit_minutes + 10)  # the connection came back too late
    resp = send(client, attempt, token, all_right(attempt))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/result")
    db.session.expire_all()
    late = db.session.get(QuizAttempt, attempt.id)
    assert late.late and str(late.score) == "40.00"
