"""Issue 18: "Học tập của tôi" is the learner's home — requirements first (state, due date, the modules
that satisfy it, the records that counted), then modules in progress with resume, then the catalogue;
required and overdue marked; Vietnamese topic names, never codes."""

from __future__ import annotations

import re

from tests.lms.learning.conftest import add_standard


def _home(client) -> str:
    return client.get("/").get_data(as_text=True)


def _section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</div></div>", start)]


def test_home_lists_my_requirement_with_its_due_date_first(player, client):
    add_standard(["T12"], due="2099-06-30")
    html = _home(client)
    assert html.index('id="panel-requirements"') < html.index('id="panel-in-progress"') < html.index(
        'id="panel-catalogue"')
    req = _section(html, "panel-requirements")
    assert 'data-requirement="ATVSLD-01"' in req and 'data-state="not_yet_due"' in req
    assert "hạn 30/06/2099" in req and 'data-deadline="2099-06-30"' in req
    assert 'href="/player/modules/T12"' in req


def test_overdue_requirement_marks_its_module_overdue_in_the_catalogue(player, client):
    add_standard(["T12"], due="2024-06-30")
    html = _home(client)
    assert 'data-state="overdue"' in _section(html, "panel-requirements")
    assert "hạn 30/06/2024 đã qua" in html
    row = re.search(r'<li[^>]*data-module="T12".*?</li>', _section(html, "panel-catalogue"), re.S).group(0)
    assert "data-required" in row and "Quá hạn" in row


def test_topic_names_are_vietnamese_never_codes(player, client):
    add_standard(["T12"], hours={"hours": 8, "topic": "union_law", "period_months": 12})
    html = _home(client)
    assert "Pháp luật công đoàn" in html and "An toàn, vệ sinh lao động" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b(osh|union_law)\b", text)


def test_in_progress_module_offers_resume_and_a_met_requirement_says_why(player, client):
    add_standard(["T12"], due="2099-06-30")
    attempt_id = player.launch("T12")
    assert 'data-action="resume"' in _section(_home(client), "panel-in-progress")
    player.commit(attempt_id, 1, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90"}, terminate=True)
    html = _home(client)
    req = _section(html, "panel-requirements")
    assert 'data-state="compliant"' in req and "data-why" in req and "Học trực tuyến" in req
    assert 'id="finished"' in html and "Xem kết quả" in html


def test_the_standards_and_player_panels_are_not_shown_twice(player, client):
    add_standard(["T12"])
    html = _home(client)
    assert html.count('id="panel-requirements"') == 1
    assert 'id="my-modules"' not in html


def test_an_account_without_a_cadre_gets_a_plain_message(client, auth, tree):
    from lms.core.roles import Role
    from tests.factories import gen_user

    gen_user("hv.khong", (Role.learner,))
    from lms.core.db import db

    db.session.commit()
    auth.login("hv.khong")
    assert "chưa gắn với hồ sơ cán bộ" in _home(client)
    assert client.get("/player/modules/T12").status_code == 403

