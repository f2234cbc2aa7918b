"""A learner takes a quiz on a phone-sized screen, loses the network midway, answers offline, comes back,
reloads (saved and pending answers are shown), submits; the result shows the score and a record exists."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import QuizAttempt
from lms.catalog.models import Module
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.lms.assessments.conftest import SAMPLE, make_quiz, parsed

pytestmark = pytest.mark.e2e


@pytest.fixture
def quiz(tree):
    module = Module(code="E2EQ", title_vi="Học phần thử", topic="union_law", hours=4,
                    completion_rule={"all": [{"kind": "quiz_passed"}]})
    db.session.add(module)
    db.session.flush()
    bank = services.get_or_create_bank("E2EQ", "Ngân hàng thử", "union_law")
    services.import_questions(bank, parsed(SAMPLE))
    q = make_quiz(module, bank)
    db.session.commit()
    return q


def answer(page, item) -> None:
    """Answer one attempt item right, through the page's inputs."""
    v = item.version
    to_id = {index: cid for cid, index in item.choice_map}
    name = f"q{item.position}"
    if v.qtype == "single":
        page.check(f"#{name}-{to_id[v.key]}")
    elif v.qtype == "multiple":
        for k in v.key:
            page.check(f"#{name}-{to_id[k]}")
    elif v.qtype == "true_false":
        page.check(f"#{name}-{'true' if v.key else 'false'}")
    elif v.qtype == "numeric":
        page.fill(f"#{name}", "98765.25")
        page.locator(f"#{name}").blur()
    else:
        for index in range(len(v.choices)):
            page.select_option(f"#{name}-{to_id[index]}", str(index + 1))


def saved_positions(attempt_id: int) -> set[int]:
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    return {i.position for i in attempt.items if i.response is not None}


def wait_until(predicate, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_quiz_on_a_phone_survives_a_lost_connection(live_server, phone_page, quiz, tree):
    page = phone_page
    login(page, live_server, "hv.nhung")
    page.goto(f"{live_server.url}/quiz/{quiz.id}")
    assert page.locator("#quiz-rules").is_visible()
    page.click("#start-quiz")
    page.wait_for_url("**/quiz/attempt/*")
    attempt = db.session.scalar(select(QuizAttempt))
    items = sorted(attempt.items, key=lambda i: i.position)
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1

    online, offline = items[:2], items[2:]
    for item in online:
        answer(page, item)
    assert wait_until(lambda: saved_positions(attempt.id) == {i.position for i in online})
    store = f"localStorage.getItem('lms-quiz-{attempt.id}') || '{{}}'"
    assert wait_until(lambda: page.evaluate(f"Object.keys(JSON.parse({store})).length") == 0)

    page.context.set_offline(True)
    for item in offline:
        answer(page, item)
    page.wait_for_timeout(1200)  # the numeric field saves after a short pause
    assert "Mất kết nối" in page.locator("#quiz-status").inner_text()
    assert saved_positions(attempt.id) == {i.position for i in online}  # nothing reached the server
    pending = page.evaluate(f"Object.keys(JSON.parse({store}))")
    assert sorted(int(p) for p in pending) == [i.position for i in offline]

    page.context.set_offline(False)
    page.reload()
    # every answer is shown again (saved ones from the server, pending ones from localStorage) and re-sent
    numeric = next(i for i in items if i.version.qtype == "numeric")
    assert page.input_value(f"#q{numeric.position}") == "98765.25"
    single = next(i for i in items if i.version.qtype == "single")
    single_id = {index: cid for cid, index in single.choice_map}[single.version.key]
    assert page.is_checked(f"#q{single.position}-{single_id}")
    assert wait_until(lambda: saved_positions(attempt.id) == {i.position for i in items})

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    page.wait_for_url("**/result")
    assert page.locator("#quiz-score").inner_text().strip() == "100.00%"
    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and record.source == "assessment" and str(record.score) == "100.00"
