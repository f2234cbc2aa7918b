"""The outbox is sent by a job (issue #20): enqueued by the commit that queues statements and every
minute by the schedule; one row for the duty, idempotent, and an LRS failure backs off per statement and
shows on the job with the LRS's answer. Against Ralph, a real LRS."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.core import jobs, jobs_rq
from lms.core.db import db, utcnow
from lms.core.jobs_models import Job
from lms.records.services import append_record
from lms.xapi import jobs as xapi_jobs
from lms.xapi import sender
from lms.xapi.models import XapiOutbox
from tests.lms.xapi.helpers import complete
from tests.lms.xapi.ralph import PASSWORD


@pytest.fixture
def lrs(lrs_on, app, monkeypatch):
    """Ralph, and a base URL of this test's own: statement ids are uuid5 of the base URL and the record id,
    and record ids start again in each test, so this keeps its statements apart from earlier tests' ones."""
    monkeypatch.setitem(app.config, "LMS_BASE_URL", f"https://lms-{uuid.uuid4().hex[:8]}.congdoan.test")
    return lrs_on


def _rows() -> list[XapiOutbox]:
    return list(db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)))


def _jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job)))


def _attend(learner, classes: int) -> None:
    for day in range(1, classes + 1):
        append_record(learner["cadre"].id, source="in_person", completed_on=utcnow().date() - timedelta(days=day),
                      topic="osh", hours=2, module_id=learner["module"].id,
                      evidence={"class_id": day, "title": f"Lớp {day}"})


def test_a_commit_that_queues_statements_starts_the_send_job(lrs, learner):
    complete(learner, score="90")  # two statements in one commit: one job
    (job,) = _jobs()
    assert (job.task, job.key, job.state) == ("lms.xapi.jobs:send_statements", "periodic:xapi-send", "queued")
    assert jobs.drain() == 1
    (job,) = _jobs()
    assert (job.state, job.summary) == ("succeeded", "Đã gửi 2 câu lệnh, chờ gửi lại 0, bỏ qua 0.")
    rows = _rows()
    assert {r.status for r in rows} == {"sent"}
    assert lrs.statement(rows[1].statement_id)["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"


def test_the_schedule_reuses_one_row_and_sends_nothing_twice(lrs, learner):
    assert jobs.PERIODIC["xapi-send"] == ("lms.xapi.jobs:send_statements", "* * * * *")
    complete(learner)
    jobs_rq.run_periodic("xapi-send")  # the queued row is the one the commit enqueued: it runs once
    jobs_rq.run_periodic("xapi-send")  # finished: queued again, runs, finds nothing due
    (job,) = _jobs()
    assert (job.state, job.attempts, job.summary) == ("succeeded", 1, "Đã gửi 0 câu lệnh, chờ gửi lại 0, bỏ qua 0.")
    rows = _rows()
    assert [r.tries for r in rows] == [1, 1]
    stored = [s["id"] for s in lrs.statements(limit="500")["statements"]]
    assert all(stored.count(r.statement_id) == 1 for r in rows)
    assert jobs.drain() == 0


def test_many_records_in_one_transaction_enqueue_one_job(xapi_on, learner):
    _attend(learner, 5)
    assert len(_rows()) == 5
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    assert len(db.session.info[jobs._PENDING]) == 1


def test_an_lrs_refusal_fails_the_job_with_its_answer_and_backs_off(lrs, learner, monkeypatch, app):
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", "sai-mat-khau")
    complete(learner)
    jobs.drain()
    (job,) = _jobs()
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.error.startswith("LRS không nhận câu lệnh (HTTP 401") and "chờ gửi lại 2" in job.error
    assert {r.status for r in _rows()} == {"pending"} and sender.due_count() == 0  # 30 s back-off
    assert sender.due_count(utcnow() + sender.backoff(1)) == 2
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", PASSWORD)
    jobs_rq.run_periodic("xapi-send")  # the next minute: the failed row runs again; nothing is due yet
    (job,) = _jobs()
    assert job.state == "succeeded" and job.summary.startswith("Đã gửi 0 ")
    for row in _rows():
        row.next_try_at = utcnow() - timedelta(seconds=1)  # the back-off is over
    db.session.commit()
    jobs_rq.run_periodic("xapi-send")
    assert _jobs()[0].summary.startswith("Đã gửi 2 ") and {r.status for r in _rows()} == {"sent"}


def test_an_lrs_that_is_down_is_not_tried_once_per_statement(xapi_on, learner):
    _attend(learner, 6)
    db.session.commit()
    jobs.drain()
    (job,) = _jobs()
    assert job.state == "failed" and "ConnectionError" in job.error
    assert [r.tries for r in _rows()] == [1] * sender.STOP_AFTER + [0] * (6 - sender.STOP_AFTER)
    assert sender.due_count() == 6 - sender.STOP_AFTER


def test_the_job_sends_in_batches_until_nothing_is_due(lrs, learner):
    _attend(learner, 4)
    job = jobs.enqueue(xapi_jobs.send_statements, key="in-batches-of-one", limit=1)
    db.session.commit()
    assert jobs.run(job.id) is True
    job = db.session.get(Job, job.id)
    assert (job.state, job.summary) == ("succeeded", "Đã gửi 4 câu lệnh, chờ gửi lại 0, bỏ qua 0.")
    assert [r.status for r in _rows()] == ["sent"] * 4
