"""Against Ralph, a real LRS started for the test: a completion in the app reaches the LRS through
``lms xapi send`` and can be queried back (xAPI 1.0.3 Communication §2.1: PUT then GET /statements);
resending is idempotent (same statement ids); wrong credentials leave the statements pending."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.xapi.models import XapiOutbox
from tests.lms.xapi.helpers import complete


def test_a_completion_arrives_in_ralph(lrs_on, learner, runner):
    complete(learner, score="72")
    result = runner.invoke(args=["xapi", "send"])
    rows = list(db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)))
    assert "sent 2, retrying 0, failed 0" in result.output, [r.last_error for r in rows]
    assert {r.status for r in rows} == {"sent"}
    stored = lrs_on.statement(rows[0].statement_id)
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert stored["actor"]["account"] == {"homePage": "https://lms.congdoan.test", "name": "HN0042"}
    assert stored["object"]["id"] == "https://lms.congdoan.test/xapi/activities/modules/ATVSLD"
    assert stored["result"]["score"]["scaled"] == 0.72
    passed = lrs_on.statement(rows[1].statement_id)
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed" and passed["result"]["success"] is True


def test_resending_is_idempotent(lrs_on, learner, runner):
    complete(learner, status="failed", score="40")
    runner.invoke(args=["xapi", "send"])
    rows = list(db.session.scalars(select(XapiOutbox)))
    assert [r.verb for r in rows] == ["completed", "failed"]
    for row in rows:  # as after a crash before the commit: the same statements go again
        row.status = "pending"
    db.session.commit()
    assert "sent 2" in runner.invoke(args=["xapi", "send"]).output
    stored = [s["id"] for s in lrs_on.statements(limit="500")["statements"]]
    assert stored.count(rows[0].statement_id) == 1 and stored.count(rows[1].statement_id) == 1
    assert lrs_on.statement(rows[1].statement_id)["result"]["success"] is False


def test_wrong_credentials_keep_the_statements_pending(lrs_on, learner, runner, monkeypatch, app):
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", "sai-mat-khau")
    complete(learner)
    assert "sent 0, retrying 2" in runner.invoke(args=["xapi", "send"]).output
    row = db.session.scalars(select(XapiOutbox)).first()
    assert row.status == "pending" and "HTTP 401" in row.last_error
