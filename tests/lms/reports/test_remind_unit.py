"""Issue 19: from the dashboard, remind a unit's overdue cadres — preview and count, send; each mail links to
the module and is logged (at most once a day per cadre)."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.reports.models import ReminderLog
from tests.conftest import csrf_token_from
from tests.lms.reports.test_reminders import _clear, _outbox


def test_preview_then_send_reminders_to_a_units_overdue_cadres(app, client, auth, world):
    _clear(app)
    auth.login("ql.hanoi")
    listing = client.get("/reports/units/HN/not-meeting?which=overdue").get_data(as_text=True)
    assert 'id="remind-button"' in listing
    page = client.get("/reports/units/HN/remind?which=overdue")
    body = page.get_data(as_text=True)
    # Đức and Ánh are overdue; only Đức has an e-mail address
    assert page.status_code == 200 and "<strong>2</strong>" in body and "<strong>1</strong>" in body
    assert "duc@example.vn" in body and "/player/?module=ATVSLD" in body
    assert _outbox(app) == []  # the preview sends nothing
    response = client.post("/reports/units/HN/remind?which=overdue", data={"csrf_token": csrf_token_from(body)})
    assert response.status_code == 302
    messages = _outbox(app)
    assert [m["To"].addresses[0].addr_spec for m in messages] == ["duc@example.vn"]
    text = messages[0].get_content()
    assert "Học trực tuyến ngay" in text and "http://127.0.0.1:5000/player/?module=ATVSLD" in text
    logged = db.session.scalars(select(ReminderLog)).all()
    assert [(r.recipient, r.kind, r.email) for r in logged] == [(f"cadre:{world['duc'].id}", "cadre", "duc@example.vn")]
    again = client.post("/reports/units/HN/remind?which=overdue", data={"csrf_token": csrf_token_from(body)})
    assert again.status_code == 302 and len(_outbox(app)) == 1  # once a day
    assert client.get("/reports/units/CB/remind?which=overdue").status_code == 404  # outside the scope
    assert client.get("/reports/units/HN/remind?which=all").status_code == 404
    assert client.post("/reports/units/HN/remind?which=overdue").status_code == 400  # no CSRF token
