"""The RQ side of :mod:`lms.core.jobs`: pushing committed jobs, the worker's entry point, the cron schedule.

Only the job's id travels through Redis; the database row is the truth (state, attempts, result), so a
job pushed twice, or retried after it succeeded, does nothing the second time.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry

from lms.core import jobs
from lms.core.db import db, utcnow
from lms.core.jobs_models import Job

DEFAULT_DELAYS = (10, 60, 300)


@cache
def _connection(url: str) -> Redis:
    return Redis.from_url(url)


def queue(app: Flask | None = None) -> Queue:
    app = app or current_app
    url = jobs.redis_url(app)
    if not url:
        raise RuntimeError("no Redis configured for jobs (LMS_JOBS_REDIS_URL / LMS_REDIS_URL)")
    return Queue(app.config.get("LMS_JOBS_QUEUE") or jobs.QUEUE, connection=_connection(url))


def retry_delays(app: Flask | None = None) -> list[int]:
    raw = (app or current_app).config.get("LMS_JOBS_RETRY_DELAYS")
    if not raw:
        return list(DEFAULT_DELAYS)
    return [int(part) for part in str(raw).split(",") if part.strip()]


def push(pending: list[tuple[int, int]]) -> None:
    """Hand committed jobs (id, max_attempts) to RQ; each is retried ``max_attempts - 1`` times after the delays."""
    q = queue()
    delays = retry_delays()
    for job_id, max_attempts in pending:
        retries = max(0, max_attempts - 1)
        q.enqueue(execute, job_id, retry=Retry(max=retries, interval=delays) if retries else None,
                  description=f"lms job {job_id}")


def execute(job_id: int) -> None:
    """The worker's entry point: one attempt; raises while retries are left so RQ schedules the next."""
    with _app_context():
        try:
            done = jobs.run(job_id)
            state = db.session.get(Job, job_id)
            if not done:
                raise RuntimeError(f"job {job_id} attempt failed; retrying: {state.error if state else ''}")
        finally:
            db.session.remove()


def run_periodic(name: str) -> None:
    """Cron entry: enqueue the day's job of a periodic task (its key makes a second scheduler, or a
    redelivery, harmless), or queue a recurring one's row again unless it is still queued or running;
    it then runs like any job, with its retries. Eager mode runs it here."""
    with _app_context():
        try:
            task, _cron = jobs.PERIODIC[name]
            jobs.enqueue(task, key=jobs.periodic_key(name, f"{utcnow():%Y-%m-%d}"), title=name,
                         again=name in jobs.RECURRING)
            db.session.commit()
            if not jobs.redis_url():
                jobs.drain()
        finally:
            db.session.remove()


def requeue_stale(queued_minutes: float = 10, running_minutes: float = 120) -> int:
    """Hand to RQ again the jobs left behind: ``queued`` longer than ``queued_minutes`` (Redis was down at
    commit, or lost its data), ``running`` longer than ``running_minutes`` (their worker was killed).
    Returns how many; a job that ran meanwhile does nothing the second time (its row says so)."""
    now = utcnow()
    stale = db.session.scalars(db.select(Job).where(
        ((Job.state == "queued") & (Job.created_at < now - timedelta(minutes=queued_minutes)))
        | ((Job.state == "running") & (Job.started_at < now - timedelta(minutes=running_minutes))))).all()
    for job in stale:
        job.state = "queued"
    pending = [(job.id, max(1, job.max_attempts - job.attempts)) for job in stale]
    db.session.commit()
    if pending:
        push(pending)
    return len(pending)


class _app_context:  # noqa: N801 - used as a context manager
    """The current app's context, or a new app's when the worker was started by ``rq worker`` directly."""

    def __enter__(self) -> None:
        self._ctx = None
        if not has_app_context():
            self._ctx = _worker_app().app_context()
            self._ctx.push()

    def __exit__(self, *exc: object) -> None:
        if self._ctx is not None:
            self._ctx.pop()


@cache
def _worker_app() -> Flask:
    from lms import create_app

    return create_app()


def scheduler(app: Flask):
    """RQ's cron scheduler with :data:`lms.core.jobs.PERIODIC` registered (``lms scheduler`` starts it)."""
    from rq.cron import CronScheduler

    q = queue(app)
    cron = CronScheduler(connection=q.connection)
    for name, (_task, spec) in jobs.PERIODIC.items():
        cron.register(run_periodic, q.name, args=(name,), cron=spec, name=name)
    return cron
