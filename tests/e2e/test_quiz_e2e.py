"""A learner takes a quiz on a phone-sized screen, loses the network midway, answers offline, comes back,
reloads (saved and pending answers are shown), submits; the result shows the score and a record exists.

No sleeps and no polling: the test waits on what the page shows (``#quiz-form[data-pending]`` = unsent
answers, ``data-state``, the status line) and on navigations. Going back online makes the old page send
its unsent answers while the reload is requested; the server may render the new page before those saves
commit. The page must still show (and submit) every answer — formerly it showed a blank there and the
submission overwrote the saved answer (score 80 % instead of 100 %, about one run in three)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import QuizAttempt
from lms.catalog.models import Module
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.lms.assessments.conftest import SAMPLE, make_quiz, parsed

pytestmark = pytest.mark.e2e
#: how long a condition may take to appear (the machine is shared; a condition, never a fixed pause)
WAIT_MS = 15_000


@pytest.fixture
def quiz(tree):
    return make_e2e_quiz()


def make_e2e_quiz():
    """A committed quiz of the five sample questions (one of each type), 30 minutes."""
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
    """Answer one attempt item right, through the page's inputs (going to its screen with the navigator: a
    phone shows one question per screen)."""
    page.click(f'#quiz-nav .quiz-nav-item[data-position="{item.position}"]')
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
    form = page.locator("#quiz-form")
    status = page.locator("#quiz-status")
    store = f"localStorage.getItem('lms-quiz-{attempt.id}') || '{{}}'"

    online, offline = items[:2], items[2:]
    for item in online:
        answer(page, item)
    # every answer acknowledged (the server commits before it answers)
    expect(form).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    expect(form).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect(status).to_have_text("Đã lưu", timeout=WAIT_MS)
    assert saved_positions(attempt.id) == {i.position for i in online}
    assert page.evaluate(f"Object.keys(JSON.parse({store})).length") == 0

    page.context.set_offline(True)
    for item in offline:
        answer(page, item)  # the numeric field is blurred: saved at once, not after the typing pause
    expect(form).to_have_attribute("data-pending", str(len(offline)), timeout=WAIT_MS)
    expect(form).to_have_attribute("data-state", "offline", timeout=WAIT_MS)
    expect(status).to_contain_text("Mất kết nối", timeout=WAIT_MS)
    assert saved_positions(attempt.id) == {i.position for i in online}  # nothing reached the server
    pending = page.evaluate(f"Object.keys(JSON.parse({store}))")
    assert sorted(int(p) for p in pending) == [i.position for i in offline]

    page.context.set_offline(False)  # the page re-sends on "online" while we reload: the race above
    page.reload()
    # every answer is shown again (saved ones from the server or the acknowledged store, unsent ones from
    # localStorage) and re-sent
    for item in items:
        assert_shown(page, item)
    expect(form).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    assert saved_positions(attempt.id) == {i.position for i in items}

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    page.wait_for_url("**/result")
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)
    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and record.source == "assessment" and str(record.score) == "100.00"


def assert_shown(page, item) -> None:
    """The page's inputs show the right answer given to ``item``."""
    v = item.version
    to_id = {index: cid for cid, index in item.choice_map}
    name = f"q{item.position}"
    if v.qtype == "single":
        expect(page.locator(f"#{name}-{to_id[v.key]}")).to_be_checked(timeout=WAIT_MS)
    elif v.qtype == "multiple":
        for k in v.key:
            expect(page.locator(f"#{name}-{to_id[k]}")).to_be_checked(timeout=WAIT_MS)
    elif v.qtype == "true_false":
        expect(page.locator(f"#{name}-{'true' if v.key else 'false'}")).to_be_checked(timeout=WAIT_MS)
    elif v.qtype == "numeric":
        expect(page.locator(f"#{name}")).to_have_value("98765.25", timeout=WAIT_MS)
    else:
        for index in range(len(v.choices)):
            expect(page.locator(f"#{name}-{to_id[index]}")).to_have_value(str(index + 1), timeout=WAIT_MS)


def test_a_page_rendered_before_the_last_saves_still_shows_them(live_server, phone_page, quiz, tree):
    """The race of the test above, forced: the reloaded page's HTML is rendered while the answers are still
    unsaved on the server, and reaches the browser after the old page had them acknowledged."""
    page = phone_page
    login(page, live_server, "hv.nhung")
    page.goto(f"{live_server.url}/quiz/{quiz.id}")
    page.click("#start-quiz")
    page.wait_for_url("**/quiz/attempt/*")
    take_url = page.url
    attempt = db.session.scalar(select(QuizAttempt))
    items = sorted(attempt.items, key=lambda i: i.position)
    form = page.locator("#quiz-form")

    page.context.set_offline(True)
    for item in items:
        answer(page, item)
    expect(form).to_have_attribute("data-pending", str(len(items)), timeout=WAIT_MS)
    stale = page.context.request.get(take_url)  # what the server renders now: nothing saved yet
    assert stale.ok and saved_positions(attempt.id) == set()

    page.context.set_offline(False)  # the old page sends everything and gets it acknowledged
    expect(form).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    assert saved_positions(attempt.id) == {i.position for i in items}
    served = []

    def stale_once(route):
        if served:
            route.continue_()
        else:
            served.append(route.request.url)
            route.fulfill(response=stale)

    page.route(take_url, stale_once)
    page.reload()
    assert served == [take_url]
    for item in items:
        assert_shown(page, item)
    expect(form).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    page.unroute(take_url)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    page.wait_for_url("**/result")
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)
