"""A cadre takes a quiz on a 360×740 phone: one question per screen with a navigator (answered / flagged /
unanswered), Previous/Next, a timer that never scrolls out of view, a reload that comes back to the same
question with every answer and flag, and an offline-safe submission ("Đang chờ kết nối…" instead of the
browser's error page; sent when the connection is back; a double send shows the result).

No sleeps: the tests wait on what the page shows (``#quiz-form[data-submit]``, ``#quiz-waiting``, the
navigator's ``data-state``) and on navigations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.assessments import services
from lms.assessments.models import AttemptStatus, QuizAttempt
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.e2e.test_quiz_e2e import WAIT_MS, answer, assert_shown, make_e2e_quiz
from tests.lms.assessments.conftest import T0, Clock

pytestmark = pytest.mark.e2e
PHONE_HEIGHT = 740
#: the learner guide's screenshots, rewritten with LMS_UPDATE_SCREENSHOTS=1
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go (docs/screenshots with LMS_UPDATE_SCREENSHOTS=1, else a temporary folder)."""
    return DOCS if os.environ.get("LMS_UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def quiz(tree):
    return make_e2e_quiz()


@pytest.fixture
def clock(app):
    """The assessments' clock, injected (LMS_ASSESSMENT_CLOCK): what the server believes the time is."""
    c = Clock(T0)
    app.config["LMS_ASSESSMENT_CLOCK"] = c
    yield c
    app.config.pop("LMS_ASSESSMENT_CLOCK", None)


def start(page, server, quiz_, *, log_in: bool = True) -> tuple[QuizAttempt, list]:
    """Log in as the learner (unless ``log_in`` is False), start the quiz; the attempt and its items by position."""
    if log_in:
        login(page, server, "hv.nhung")
    page.goto(f"{server.url}/quiz/{quiz_.id}")
    page.click("#start-quiz")
    page.wait_for_url("**/quiz/attempt/*")
    attempt = db.session.scalar(select(QuizAttempt))
    return attempt, sorted(attempt.items, key=lambda i: i.position)


def nav_state(page, position: int):
    return page.locator(f'#quiz-nav .quiz-nav-item[data-position="{position}"]')


def shown_positions(page) -> list[int]:
    return page.evaluate("Array.from(document.querySelectorAll('.quiz-item')).filter(f => !f.hidden)"
                         ".map(f => Number(f.dataset.position))")


def assert_timer_in_view(page) -> None:
    box = page.locator("#quiz-timer").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE_HEIGHT, box


def test_a_phone_takes_the_quiz_page_by_page_with_the_navigator(live_server, phone_page, quiz, tree, shots):
    page = phone_page
    attempt, items = start(page, live_server, quiz)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1  # no horizontal scrolling
    assert shown_positions(page) == [1]
    expect(page.locator("#quiz-prev")).to_be_hidden()
    for item in items:
        expect(nav_state(page, item.position)).to_have_attribute("data-state", "unanswered")

    # page by page with "Câu sau", answering the first two
    answer(page, items[0])
    page.click("#quiz-next")
    assert shown_positions(page) == [2]
    answer(page, items[1])
    expect(nav_state(page, 1)).to_have_attribute("data-state", "answered")
    expect(nav_state(page, 2)).to_have_attribute("aria-current", "step")
    expect(page.locator("#quiz-progress")).to_have_text("Đã trả lời 2/5")
    # the navigator jumps; the third question is flagged for review
    nav_state(page, 3).click()
    assert shown_positions(page) == [3]
    page.click("#item-3 .quiz-flag")
    expect(page.locator("#item-3 .quiz-flag")).to_have_attribute("aria-pressed", "true")
    expect(nav_state(page, 3)).to_have_attribute("data-state", "flagged")
    page.click("#quiz-prev")
    assert shown_positions(page) == [2]
    expect(page.locator("#quiz-form")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    page.screenshot(path=str(shots / "bai-kiem-tra-phone.png"))

    # the timer stays on screen however far the learner scrolls, one question or all of them
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert_timer_in_view(page)
    page.click("#quiz-mode")
    assert shown_positions(page) == [1, 2, 3, 4, 5]
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    assert_timer_in_view(page)
    page.click("#quiz-mode")

    # a reload comes back to question 2 with the answers (from the server) and the flag (from the browser)
    page.reload()
    assert shown_positions(page) == [2]
    assert_shown(page, items[0])
    assert_shown(page, items[1])
    expect(nav_state(page, 1)).to_have_attribute("data-state", "answered")
    expect(nav_state(page, 3)).to_have_attribute("data-state", "flagged")

    for item in items[2:]:
        answer(page, item)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    page.wait_for_url("**/result")
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)


def test_submitting_offline_waits_for_the_connection_then_arrives(live_server, phone_page, quiz, tree, shots):
    page = phone_page
    attempt, items = start(page, live_server, quiz)
    take_url = page.url
    for item in items[:2]:
        answer(page, item)
    expect(page.locator("#quiz-form")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)

    page.context.set_offline(True)
    for item in items[2:]:
        answer(page, item)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    # the page waits, in Vietnamese, instead of showing the browser's error page; nothing reached the server
    expect(page.locator("#quiz-waiting")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#quiz-waiting")).to_contain_text("Đang chờ kết nối")
    expect(page.locator("#quiz-form")).to_have_attribute("data-submit", "waiting")
    assert page.url == take_url
    page.screenshot(path=str(shots / "cho-ket-noi-phone.png"))
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('lms-quiz-{attempt.id}-submit'))")
    assert ["go", "submit"] in kept and sorted({int(v) for k, v in kept if k == "positions"}) == [1, 2, 3, 4, 5]
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == AttemptStatus.in_progress.value

    page.context.set_offline(False)  # the "online" event sends the kept submission
    page.wait_for_url("**/result", timeout=WAIT_MS)
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)
    db.session.expire_all()
    done = db.session.get(QuizAttempt, attempt.id)
    assert done.status == AttemptStatus.submitted.value and str(done.score) == "100.00" and not done.late
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and str(record.score) == "100.00"
    assert page.evaluate(f"Object.keys(localStorage).filter(k => k.startsWith('lms-quiz-{attempt.id}'))") == []


def test_a_submission_that_already_arrived_shows_the_result(live_server, phone_page, quiz, tree):
    """A double send (the first reached the server, its answer did not reach the page): 409, shown as done."""
    page = phone_page
    attempt, items = start(page, live_server, quiz)
    for item in items:
        answer(page, item)
    expect(page.locator("#quiz-form")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    page.context.set_offline(True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    expect(page.locator("#quiz-waiting")).to_be_visible(timeout=WAIT_MS)
    services.submit_attempt(db.session.get(QuizAttempt, attempt.id), attempt.submit_token)  # the first send
    db.session.commit()

    page.context.set_offline(False)
    page.wait_for_url("**/result", timeout=WAIT_MS)
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)
    count = select(func.count()).select_from(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id)
    assert db.session.scalar(count) == 1


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page, server) -> list[str]:
    """axe-core (lms/static/vendor, loaded from the app's origin so that a ``script-src 'self'`` CSP allows
    it) on the page as shown: the serious and critical WCAG 2.1 A/AA violations, with their elements."""
    if not page.evaluate("!!window.axe"):
        page.add_script_tag(url=f"{server.url}/static/vendor/axe-core/axe.min.js")
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary).join(', ')))", AXE_TAGS)
    return found


def test_the_quiz_pages_have_no_serious_accessibility_violations(live_server, phone_page, quiz, tree):
    """WCAG 2.1 AA through axe-core: 0 serious or critical violations on the quiz list, start, taking (one
    question, all questions, flagged, waiting for a connection) and result pages at 360×740."""
    page = phone_page
    page.emulate_media(reduced_motion="reduce")  # no half-way colours of Bootstrap's button transitions
    login(page, live_server, "hv.nhung")
    page.goto(f"{live_server.url}/quiz/")
    assert serious_violations(page, live_server) == []
    page.goto(f"{live_server.url}/quiz/{quiz.id}")
    assert serious_violations(page, live_server) == []
    attempt, items = start(page, live_server, quiz, log_in=False)
    assert serious_violations(page, live_server) == []  # before any answer
    answer(page, items[0])
    page.click("#item-1 .quiz-flag")
    assert serious_violations(page, live_server) == []
    page.click("#quiz-mode")
    assert serious_violations(page, live_server) == []
    page.context.set_offline(True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#submit-quiz")
    expect(page.locator("#quiz-waiting")).to_be_visible(timeout=WAIT_MS)
    assert serious_violations(page, live_server) == []
    page.context.set_offline(False)
    page.wait_for_url("**/result", timeout=WAIT_MS)
    assert serious_violations(page, live_server) == []


def test_the_taking_page_works_under_a_script_src_self_policy(live_server, phone_page, quiz, tree):
    """The app-wide CSP (``script-src 'self'``) blocks inline scripts and handlers: the page has none. The
    policy is added to the taking page's response here, whatever the app sends."""
    page = phone_page
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "(window.cspBlocked = window.cspBlocked || []).push(e.violatedDirective))")

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers,
                                                  "content-security-policy": "script-src 'self'; object-src 'none'"})

    page.route("**/quiz/attempt/*", with_csp)
    attempt, items = start(page, live_server, quiz)
    page.reload()  # a redirect's target is not routed: the page again, through the route
    assert page.evaluate("window.LMSQuiz !== undefined")
    nav_state(page, 4).click()
    assert shown_positions(page) == [4]
    answer(page, items[3])
    expect(nav_state(page, 4)).to_have_attribute("data-state", "answered")
    expect(page.locator("#quiz-form")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    assert page.evaluate("window.cspBlocked || []") == []


def test_the_time_running_out_offline_submits_once_the_connection_is_back(live_server, phone_page, quiz, tree, clock):
    """The countdown reaching 0 submits like "Nộp bài" (no question asked): offline it waits, then arrives.
    The server's clock (injected) still reads before the deadline, so the answer given offline counts."""
    page = phone_page
    attempt, items = start(page, live_server, quiz)
    for item in items[:-1]:
        answer(page, item)
    expect(page.locator("#quiz-form")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    clock.advance(minutes=quiz.time_limit_minutes, seconds=-20)
    page.reload()
    expect(page.locator("#quiz-timer")).to_have_text("0:20")
    page.context.set_offline(True)
    answer(page, items[-1])
    expect(page.locator("#quiz-waiting")).to_be_visible(timeout=40_000)  # the countdown ran out
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == AttemptStatus.in_progress.value

    page.context.set_offline(False)
    page.wait_for_url("**/result", timeout=WAIT_MS)
    expect(page.locator("#quiz-score")).to_have_text("100.00%", timeout=WAIT_MS)
