"""The job queue in eager mode: after-commit start, retries, idempotency keys, failure reasons, results."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.org.models import OrgUnit
from tests.factories import gen_user
from tests.lms.jobs import tasks


@pytest.fixture(autouse=True)
def _reset():
    tasks.CALLS.clear()


def _units(*codes: str) -> list[str]:
    return list(db.session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(codes))))


def test_job_starts_only_after_its_transaction_commits(app):
    job = jobs.enqueue(tasks.add_unit, code="J1", title="Thêm đơn vị")
    assert jobs.drain() == 0 and tasks.CALLS == {}  # not committed yet: nothing runs
    db.session.commit()
    assert jobs.drain() == 1
    job = db.session.get(Job, job.id)
    assert (job.state, job.progress, job.attempts, job.summary) == ("succeeded", 100, 1, "1 đơn vị")
    assert _units("J1") == ["J1"]


def test_rolled_back_enqueue_never_runs(app):
    jobs.enqueue(tasks.add_unit, code="J2")
    db.session.rollback()
    db.session.commit()
    assert jobs.drain() == 0
    assert tasks.CALLS == {} and db.session.scalar(select(Job)) is None


def test_idempotency_key_returns_the_same_job_and_a_rerun_changes_nothing(app):
    first = jobs.enqueue(tasks.add_unit, code="J3", key="add-J3")
    second = jobs.enqueue(tasks.add_unit, code="J3", key="add-J3")
    assert first.id == second.id
    db.session.commit()
    assert jobs.drain() == 1
    assert jobs.run(first.id) is True  # pushed again (a redelivery): already succeeded, not run
    assert tasks.CALLS == {"add_unit": 1}
    assert jobs.enqueue(tasks.add_unit, code="J3", key="add-J3").id == first.id
    assert len(list(db.session.scalars(select(Job)))) == 1


def test_failed_attempts_are_retried_and_leave_nothing_half_written(app):
    job = jobs.enqueue(tasks.flaky, code="J4", failures=2, max_attempts=3)
    db.session.commit()
    jobs.drain()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.error) == ("succeeded", 3, None)
    assert _units("J4") == ["J4"]  # two failed attempts wrote the same unit: both rolled back


def test_a_job_failing_every_attempt_ends_failed_with_a_vietnamese_reason(app):
    job = jobs.enqueue(tasks.flaky, code="J5", failures=5, max_attempts=2)
    db.session.commit()
    jobs.drain()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts) == ("failed", 2)
    assert job.error.startswith("Lỗi không mong đợi (ConnectionError)")
    assert _units("J5") == []


def test_a_job_failed_for_a_user_reason_is_not_retried(app):
    job = jobs.enqueue(tasks.refuse, code="J6", max_attempts=3)
    db.session.commit()
    jobs.drain()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.error) == ("failed", 1, "Tệp nhập có dòng trùng mã.")
    assert _units("J6") == []


def test_a_failed_job_enqueued_again_with_its_key_runs_again(app):
    job = jobs.enqueue(tasks.refuse, code="J7", key="k7", max_attempts=1)
    db.session.commit()
    jobs.drain()
    again = jobs.enqueue(tasks.refuse, code="J7", key="k7", max_attempts=1)
    assert again.id == job.id and again.state == "queued"
    db.session.commit()
    jobs.drain()
    assert tasks.CALLS == {"refuse": 2}


def test_only_decorated_functions_run(app):
    with pytest.raises(ValueError):
        jobs.enqueue(tasks.not_a_task)
    job = jobs.enqueue("tests.lms.jobs.tasks:not_a_task")
    db.session.commit()
    jobs.drain()
    assert db.session.get(Job, job.id).state == "failed" and tasks.CALLS == {}


def test_the_owner_sees_progress_and_downloads_the_result(app, client, auth):
    owner, other = gen_user("chu"), gen_user("khac")
    job = jobs.enqueue(tasks.make_file, text="mã,tên\nA,Bình\n", user_id=owner.id, title="Xuất báo cáo")
    db.session.commit()
    jobs.drain()
    auth.login("chu")
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-status-url="/jobs/{job.id}/status"' in html and "js/jobs.js" in html
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "succeeded" and status["progress"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200 and download.get_data(as_text=True) == "mã,tên\nA,Bình\n"
    assert "bao-cao.csv" in download.headers["Content-Disposition"]
    auth.logout()
    auth.login(other.login)
    assert client.get(f"/jobs/{job.id}/status").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404


def test_a_redis_outage_after_commit_keeps_the_commit_and_the_job_queued(app, caplog):
    app.config["LMS_JOBS_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        job = jobs.enqueue(tasks.add_unit, code="J8")
        tasks_unit = jobs.enqueue(tasks.add_unit, code="J8b")
        db.session.commit()
    finally:
        app.config["LMS_JOBS_REDIS_URL"] = None
    assert db.session.get(Job, job.id).state == "queued" and db.session.get(Job, tasks_unit.id)
    assert "not handed to Redis" in caplog.text


def test_a_key_enqueued_in_a_rolled_back_savepoint_is_enqueued_again(app):
    with pytest.raises(RuntimeError), db.session.begin_nested():
        jobs.enqueue(tasks.add_unit, code="J9", key="add-J9")
        raise RuntimeError("the row's savepoint rolls back")
    job = jobs.enqueue(tasks.add_unit, code="J9", key="add-J9")
    assert jobs.enqueue(tasks.add_unit, code="J9", key="add-J9") is job  # the same transaction: cached
    db.session.commit()
    jobs.drain()
    assert db.session.get(Job, job.id).state == "succeeded" and _units("J9") == ["J9"]


def test_a_savepoint_rolled_back_keeps_the_jobs_enqueued_before_it(app):
    job = jobs.enqueue(tasks.add_unit, code="J10")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        raise RuntimeError("one row of an import is refused")
    db.session.commit()
    assert jobs.drain() == 1 and db.session.get(Job, job.id).state == "succeeded"
