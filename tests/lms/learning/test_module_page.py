"""Issue 18: the learner's module page (no more 403), and a finished module opens on its result with
"Xem lại" and — when the attempt policy allows — "Làm lại"; never a silent new attempt."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from lms.core.db import db
from lms.player.models import Attempt
from lms.reports.models import Certificate
from tests.lms.learning.conftest import add_standard, finish


def _page(client, code="T12") -> str:
    response = client.get(f"/player/modules/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_learner_sees_what_the_module_teaches_and_which_requirement_it_satisfies(player, client):
    add_standard(["T12"], due="2099-06-30")
    html = _page(client)
    assert "Học phần T12" in html and "An toàn, vệ sinh lao động · 4 giờ" in html
    assert 'data-requirement="ATVSLD-01"' in html and "hạn 30/06/2099" in html
    assert 'data-action="start"' in html and "Bắt đầu học" in html


def test_unknown_module_is_404(player, client):
    assert client.get("/player/modules/NOPE").status_code == 404


def test_attempts_are_in_plain_words_without_raw_cmi(player, client):
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p2", "cmi.suspend_data": "x"})
    html = _page(client)
    assert 'data-action="resume"' in html and "Học tiếp" in html
    assert 'data-attempt="1"' in html and "Đang học" in html
    assert "cmi." not in html and "suspend_data" not in html


def test_finished_module_opens_on_its_result_never_a_silent_new_attempt(player, client):
    finish(player)
    response = client.post("/player/modules/T12/launch", data={"csrf_token": player.token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/player/modules/T12")
    assert db.session.scalar(select(func.count(Attempt.id))) == 1
    html = _page(client)
    result = html[html.index('id="module-result"'):]
    assert 'data-result="met"' in result and "90" in result
    cert = db.session.scalar(select(Certificate))
    assert cert.grouped_code in result and f"/reports/certificates/{cert.code}.pdf" in result
    assert 'data-action="review"' in result and 'data-action="retake"' in result


def test_retake_starts_a_new_attempt_only_when_asked(player, client):
    first = finish(player)
    second = player.launch("T12", new="1")
    assert second != first
    assert [a.number for a in db.session.scalars(select(Attempt).order_by(Attempt.number))] == [1, 2]
    # the retake is in progress: launching resumes it (the module's earlier result is kept)
    assert player.launch("T12") == second


def test_no_retake_when_the_attempts_are_used_up(player, client, module12):
    module12.attempts_allowed = 1
    db.session.commit()
    finish(player)
    html = _page(client)
    assert 'data-action="retake"' not in html and "hết số lượt học" in html


def test_review_plays_the_stored_data_in_review_mode_and_stores_nothing(player, client):
    """SCORM 1.2 RTE 3.4.4 (cmi.core.credit "no-credit", cmi.core.lesson_mode "review"); 2004 RTE 4.2.6, 4.2.16."""
    attempt_id = finish(player)
    html = client.get(f"/player/attempts/{attempt_id}/play?review=1").get_data(as_text=True)
    config = json.loads(re.search(r'id="player-config">(.*?)</script>', html, re.S).group(1))
    assert config["commitUrl"] is None and config["review"] is True
    assert config["state"]["cmi.core.lesson_mode"] == "review"
    assert config["state"]["cmi.core.credit"] == "no-credit"
    assert config["state"]["cmi.core.lesson_status"] == "passed"
    assert config["exitUrl"] == "/player/modules/T12"


def test_my_modules_sends_a_finished_module_to_its_result(player, client):
    finish(player)
    html = client.get("/player/").get_data(as_text=True)
    row = re.search(r'<tr data-module="T12".*?</tr>', html, re.S).group(0)
    assert 'data-action="result"' in row and 'href="/player/modules/T12"' in row
    assert 'data-action="resume"' not in row


def test_dates_are_vietnamese_days():
    """A time stored in UTC late in the evening is the next day in Hà Nội (UTC+7), as the ledger counts it."""
    from datetime import UTC, datetime

    from lms.learning.services import local_day

    assert local_day(datetime(2026, 12, 4, 17, 30, tzinfo=UTC)).isoformat() == "2026-12-05"
    assert local_day(datetime(2026, 12, 4, 16, 59)).isoformat() == "2026-12-04"
    assert local_day(None) is None
