"""One real ``lms worker`` process on Redis: jobs pushed after commit, a retry after its back-off, the
database row as the outcome. Skipped (with the reason printed) only outside CI when Redis is down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.org.models import OrgUnit
from tests.lms.jobs import tasks
from tests.needs import require_redis

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def redis_queue(app):
    require_redis(REDIS_URL)
    tasks.CALLS.clear()  # calls made by earlier tests in this process (the order differs under xdist)
    name = f"lms-test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.config.get(k) for k in ("LMS_JOBS_REDIS_URL", "LMS_JOBS_QUEUE", "LMS_JOBS_RETRY_DELAYS")}
    app.config.update(LMS_JOBS_REDIS_URL=REDIS_URL, LMS_JOBS_QUEUE=name, LMS_JOBS_RETRY_DELAYS="1")
    yield name
    app.config.update(saved)
    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


def _worker(app, queue: str) -> None:
    env = {**os.environ, "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LMS_STORAGE_DIR": app.config["LMS_STORAGE_DIR"], "LMS_JOBS_REDIS_URL": REDIS_URL,
           "LMS_MAIL_OUTBOX": app.config["LMS_MAIL_OUTBOX"],
           "LMS_JOBS_QUEUE": queue, "LMS_JOBS_RETRY_DELAYS": "1", "LMS_SECRET_KEY": "worker-test",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "lms:create_app", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_worker_process_runs_jobs_from_redis_with_a_retry(app, redis_queue):
    first = jobs.enqueue(tasks.add_unit, code="W1", key="worker-W1")
    flaky = jobs.enqueue(tasks.flaky, code="W2", failures=1, max_attempts=2)
    db.session.commit()  # pushed to Redis now; nothing ran in this process
    assert tasks.CALLS == {}
    _worker(app, redis_queue)  # runs both; the flaky one fails once and is scheduled 1 s later
    db.session.expire_all()
    assert db.session.get(Job, first.id).state == "succeeded"
    assert (db.session.get(Job, flaky.id).state, db.session.get(Job, flaky.id).attempts) == ("queued", 1)
    time.sleep(1.5)
    _worker(app, redis_queue)  # the retry is due: the scheduler moves it to the queue, it succeeds
    db.session.expire_all()
    job = db.session.get(Job, flaky.id)
    assert (job.state, job.attempts, job.error) == ("succeeded", 2, None)
    codes = set(db.session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(["W1", "W2"]))))
    assert codes == {"W1", "W2"}


def test_the_scheduler_enqueues_each_periodic_job_on_its_cron_line(app, redis_queue):
    """``lms scheduler`` replaces cron: RQ's CronScheduler holds every entry of ``jobs.PERIODIC``."""
    from lms.core import jobs_rq

    cron = jobs_rq.scheduler(app)
    assert {(j.name, j.cron, j.args, j.queue_name) for j in cron.get_jobs()} == {
        (name, spec, (name,), redis_queue) for name, (_task, spec) in jobs.PERIODIC.items()}
    assert all(j.func_name == "lms.core.jobs_rq.run_periodic" for j in cron.get_jobs())


def test_jobs_left_queued_by_a_redis_outage_are_requeued_and_run(app, redis_queue, runner):
    from datetime import timedelta

    from lms.core.db import utcnow

    saved = app.config["LMS_JOBS_REDIS_URL"]
    app.config["LMS_JOBS_REDIS_URL"] = "redis://127.0.0.1:1/0"  # down at commit: the row stays queued
    job = jobs.enqueue(tasks.add_unit, code="W3")
    db.session.commit()
    app.config["LMS_JOBS_REDIS_URL"] = saved
    fresh = runner.invoke(args=["requeue-jobs"])
    assert fresh.exit_code == 0 and "0 jobs requeued" in fresh.output  # not stale yet
    db.session.get(Job, job.id).created_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    result = runner.invoke(args=["requeue-jobs"])
    assert result.exit_code == 0 and "1 jobs requeued" in result.output, result.output
    _worker(app, redis_queue)
    db.session.expire_all()
    assert db.session.get(Job, job.id).state == "succeeded"


def test_a_worker_runs_the_scheduled_reminders_once(app, redis_queue, world):
    """The scheduler's cron entry (``run_periodic``) enqueues the day's reminders on Redis; a second
    scheduler the same day adds nothing; the worker process sends them, logged once per person."""
    from lms.core import jobs_rq
    from lms.reports.models import ReminderLog

    jobs_rq.run_periodic("reminders")
    jobs_rq.run_periodic("reminders")
    (job,) = db.session.scalars(select(Job)).all()
    assert job.state == "queued" and job.key.startswith("periodic:reminders:")
    _worker(app, redis_queue)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts) == ("succeeded", 1) and job.summary.startswith("Đã gửi 2,")
    assert len(db.session.scalars(select(ReminderLog)).all()) == 2
