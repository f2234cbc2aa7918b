"""Statements queued in the outbox in the ledger record's own transaction; sending with back-off."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lms.core.db import db, utcnow
from lms.core.roles import Role
from lms.records.classes import ClassData, add_attendee, close_class, create_class
from lms.records.services import append_record, revoke_record
from lms.xapi import sender
from lms.xapi.models import XapiOutbox
from tests.factories import gen_user
from tests.lms.xapi.helpers import complete, listen


def _outbox() -> list[XapiOutbox]:
    return list(db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)))


def test_a_completion_queues_completed_and_passed(xapi_on, learner):
    record = complete(learner)
    rows = _outbox()
    assert [r.verb for r in rows] == ["completed", "passed"]
    assert {r.record_id for r in rows} == {record.id} and {r.status for r in rows} == {"pending"}
    body = rows[0].statement
    assert body["actor"]["account"] == {"homePage": "https://lms.congdoan.test", "name": "HN0042"}
    assert "mai.le@congdoan.vn" not in str(body)
    assert body["object"]["id"] == "https://lms.congdoan.test/xapi/activities/modules/ATVSLD"
    assert body["result"]["score"]["scaled"] == 0.85


def test_the_statement_shares_the_record_transaction(xapi_on, learner):
    append_record(learner["cadre"].id, source="in_person", completed_on=date(2026, 12, 1), topic="osh",
                  hours=2, module_id=learner["module"].id, evidence={"class_id": 1, "title": "Lớp 1"})
    assert len(_outbox()) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(XapiOutbox)) == 0


def test_nothing_is_queued_without_an_lrs(app, learner):
    listen()  # registered earlier in the session, or by an app started with an LRS: it must do nothing
    complete(learner)
    assert _outbox() == []


def test_attendance_at_a_closed_class_is_attended(xapi_on, learner):
    manager = gen_user("ql.may", (Role.manager,), scope=learner["unit"])
    klass = create_class(ClassData("Lớp ATVSLD quý IV", date(2026, 12, 1), date(2026, 12, 2), "8",
                                   learner["unit"], module=learner["module"]), actor=manager)
    add_attendee(klass, learner["cadre"], actor=manager)
    close_class(klass, actor=manager)
    db.session.commit()
    (row,) = _outbox()
    assert row.verb == "attended"
    assert row.statement["object"]["id"] == f"https://lms.congdoan.test/xapi/activities/classes/{klass.id}"


def test_a_revocation_voids_the_statements(xapi_on, learner):
    record = complete(learner)
    revoke_record(record, reason="Hoàn thành nhầm tài khoản", actor=None)
    db.session.commit()
    voided = [r for r in _outbox() if r.verb == "voided"]
    assert {v.statement["object"]["id"] for v in voided} == {r.statement_id for r in _outbox() if r.verb != "voided"}


def test_an_unreachable_lrs_backs_off_then_gives_up(xapi_on, learner):
    complete(learner)
    now = utcnow()
    result = sender.send_pending(now=now)
    db.session.commit()
    assert (result.sent, result.retrying) == (0, 2)
    row = _outbox()[0]
    assert row.tries == 1 and row.status == "pending" and "ConnectionError" in row.last_error
    assert sender.send_pending(now=now + timedelta(seconds=29)).retrying == 0  # not due yet
    for _ in range(sender.MAX_TRIES - 1):
        now += sender.LONGEST_DELAY
        sender.send_pending(now=now)
    db.session.commit()
    assert {r.status for r in _outbox()} == {"failed"}
    assert sender.retry_failed() == 2
    assert {(r.status, r.tries) for r in _outbox()} == {("pending", 0)}


def test_backoff_doubles_up_to_six_hours():
    assert [sender.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert sender.backoff(20) == timedelta(hours=6)


def test_send_refuses_without_an_endpoint(runner):
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code != 0 and "LMS_XAPI_ENDPOINT" in result.output
