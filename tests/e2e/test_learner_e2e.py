"""Issue 18, the learner's side in Chromium: "Học tập của tôi" shows the requirements that apply with their
due dates; a finished module opens on its result (never a silent new attempt); one certificate per
module; the phone player gives the content ≥ 90 % of a 360×740 screen, one navigation bar and a full-screen
toggle; axe-core finds 0 serious or critical WCAG 2.1 A/AA violations on every learner page (desktop and
phone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lms.core.db import db
from lms.player.models import Attempt
from lms.reports.models import Certificate
from tests.e2e.conftest import login
from tests.e2e.player_pages import idle, publish, sco_frame
from tests.e2e.test_quiz_phone import serious_violations
from tests.lms.learning.conftest import add_standard

pytestmark = pytest.mark.e2e
PHONE = {"width": 360, "height": 740}
#: the learner guide's screenshots, rewritten with LMS_UPDATE_SCREENSHOTS=1 (docs/guides/hoc-vien.md)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path) -> Path:
    return DOCS if os.environ.get("LMS_UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def studied(tree, tmp_path):
    """A published module E12 (SCORM 1.2, 4 hours of OSH) that a standard requires by 30/06/2099, and a
    second one, E2, that no requirement names."""
    publish(tmp_path, "scorm12_single", "E12")
    publish(tmp_path, "scorm12_single", "E2")
    add_standard(["E12"], due="2099-06-30", hours={"hours": 8, "topic": "union_law", "period_months": 12})
    return tree


def finish_in_browser(page, server, code="E12", score=90):
    """Start the module from "my learning", pass it in the SCO, leave through "Thoát"."""
    page.goto(f"{server.url}/")
    page.click(f'#catalogue [data-module="{code}"] button[data-action="start"]')
    page.wait_for_url("**/attempts/*/play**")
    frame = sco_frame(page)
    frame.evaluate(f"() => {{ sco.complete({score}); return sco.finish(); }}")
    idle(page)
    page.click("#nav-exit")
    page.wait_for_url("**/player/")


def test_my_learning_shows_the_requirements_with_due_dates_first(live_server, phone_page, studied, shots):
    page = phone_page
    login(page, live_server, "hv.nhung")
    req = page.locator('#panel-requirements [data-requirement="ATVSLD-01"]')
    assert "30/06/2099" in req.inner_text()
    assert req.locator('[data-state="not_yet_due"]').count() == 1
    assert "Pháp luật công đoàn" in req.inner_text()  # the hours alternative's topic, by name
    required = page.locator('#catalogue [data-module="E12"] [data-required]')
    assert required.inner_text() == "Bắt buộc"
    assert page.locator('#catalogue [data-module="E2"] [data-required]').count() == 0
    boxes = [page.locator(f"#{i}").bounding_box()["y"] for i in ("panel-requirements", "panel-in-progress",
                                                                  "panel-catalogue")]
    assert boxes == sorted(boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.screenshot(path=str(shots / "hoc-vien-01-hoc-tap-cua-toi.png"), full_page=True)


def test_a_finished_module_opens_on_its_result_with_one_certificate(live_server, page, studied, shots):
    login(page, live_server, "hv.nhung")
    finish_in_browser(page, live_server)
    page.goto(f"{live_server.url}/")
    page.click('#finished [data-module="E12"] a')
    page.wait_for_url("**/player/modules/E12")
    result = page.locator("#module-result")
    assert result.locator('[data-result="met"]').count() == 1
    assert result.locator("[data-score]").inner_text() == "90"
    assert result.locator("#module-certificate").count() == 1
    page.screenshot(path=str(shots / "hoc-vien-03-ket-qua.png"), full_page=True)
    # an old "Học tiếp"/launch form does not start an empty attempt: it lands on the result
    page.goto(f"{live_server.url}/player/")
    page.click('#my-modules [data-module="E12"] [data-action="result"]')
    page.wait_for_url("**/player/modules/E12")
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
    # "Xem lại" plays the attempt in review mode; nothing new is stored
    page.click('[data-action="review"]')
    page.wait_for_url("**/play?review=1")
    assert sco_frame(page).evaluate("() => sco.get('cmi.core.lesson_mode')") == "review"
    # "Làm lại" starts attempt 2 only when asked
    page.goto(f"{live_server.url}/player/modules/E12")
    page.click('[data-action="retake"]')
    page.wait_for_url("**/attempts/*/play**")
    assert db.session.scalar(select(func.count(Attempt.id))) == 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    page.goto(f"{live_server.url}/reports/my/certificates")
    assert page.locator("text=Học phần E12").count() == 1


def test_the_phone_player_gives_the_content_the_screen(live_server, phone_page, studied, shots):
    page = phone_page
    login(page, live_server, "hv.nhung")
    page.click('#catalogue [data-module="E12"] button[data-action="start"]')
    page.wait_for_url("**/attempts/*/play**")
    sco_frame(page)
    frame = page.locator("#sco-frame").bounding_box()
    assert frame["height"] >= 0.9 * PHONE["height"], frame
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    bar = page.locator(".player-bar").bounding_box()
    assert bar["y"] + bar["height"] <= PHONE["height"] + 1  # the bar is on screen, below the content
    for name in ("Trước", "Tiếp", "Thoát"):  # navigation in one place
        assert page.get_by_role("button", name=name).filter(visible=True).count() == 1, name
    page.screenshot(path=str(shots / "hoc-vien-02-trinh-phat-dien-thoai.png"))
    toggle = page.locator("#player-fullscreen")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    wrap = page.locator(".player-wrap").bounding_box()
    assert wrap["y"] == 0 and wrap["height"] >= PHONE["height"] - 1
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")


LEARNER_PAGES = ("/", "/player/", "/player/modules/E12", "/player/modules/E2", "/records/me",
                 "/reports/my/certificates", "/account/password")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_every_learner_page_has_no_serious_accessibility_violations(live_server, browser, studied, viewport):
    """WCAG 2.1 A/AA by axe-core: home, catalogue, module page, result page, transcript, certificates,
    player, password and login pages — 0 serious or critical violations."""
    ctx = browser.new_context(viewport=viewport, locale="vi-VN", reduced_motion="reduce")
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        assert serious_violations(page, live_server) == [], "/login"
        login(page, live_server, "hv.nhung")
        finish_in_browser(page, live_server)
        for path in LEARNER_PAGES:
            page.goto(f"{live_server.url}{path}")
            assert serious_violations(page, live_server) == [], path
        page.goto(f"{live_server.url}/player/modules/E2")
        page.click('[data-action="start"]')
        page.wait_for_url("**/attempts/*/play**")
        sco_frame(page)
        assert serious_violations(page, live_server) == [], "player"
    finally:
        ctx.close()
