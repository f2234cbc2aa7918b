"""Background jobs on RQ (Redis), or in-process when no Redis is configured (docs/decisions/job-queue.md).

A task is a function decorated with :func:`task`; :func:`enqueue` adds a row to ``jobs`` in the
caller's transaction and hands the job to the engine only **after that transaction commits** (a job
never sees data its caller rolled back). Each attempt runs in a transaction of its own: the task's
writes and the job's outcome commit together, and a failure rolls everything back, records the reason
(Vietnamese) and is retried with back-off until ``max_attempts``.

Modes:
- **redis** (``LMS_JOBS_REDIS_URL``, else ``LMS_REDIS_URL``): jobs go to the RQ queue; ``lms worker``
  runs them on any host, RQ retries them after ``LMS_JOBS_RETRY_DELAYS`` seconds; ``lms scheduler``
  enqueues the periodic ones (:data:`PERIODIC`) with RQ's cron scheduler.
- **eager** (no Redis, or ``LMS_JOBS_EAGER=1``): jobs run in the same process right after the request
  or command that enqueued them (retries at once), so ``make demo`` needs nothing more.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import update
from sqlalchemy.orm import Session

from lms.core.db import db, insert_once, listen_once, utcnow
from lms.core.jobs_models import Job

log = logging.getLogger(__name__)
QUEUE = "lms"
_PENDING = "lms_jobs_pending"
#: key → job enqueued in the open transaction (a listener enqueueing per row costs a dict lookup; the
#: object itself is kept: the session's identity map holds it weakly, and a read would autoflush)
_KEYS = "lms_jobs_keys"
#: progress of running jobs where it cannot be written by a second connection (SQLite)
_LIVE_PROGRESS: dict[int, int] = {}

#: periodic jobs run by ``lms scheduler`` (cron in UTC: 00:00 UTC is 07:00 in Viet Nam)
PERIODIC: dict[str, tuple[str, str]] = {
    "reminders": ("lms.reports.jobs:send_reminders", "0 0 * * *"),
    #: Monday 07:15 Viet Nam time
    "digest": ("lms.reports.jobs:send_digests", "15 0 * * 1"),
    "standards-recompute": ("lms.standards.jobs:recompute_all", "30 17 * * *"),
    #: the xAPI outbox to the LRS (also enqueued after each commit that queues statements)
    "xapi-send": ("lms.xapi.jobs:send_statements", "* * * * *"),
    #: 01:45 in Viet Nam: the last month end's compliance snapshot when missing (a no-op otherwise)
    "standards-snapshot": ("lms.standards.jobs:take_snapshots", "45 18 * * *"),
    #: quiz submissions left received for over a minute (their grading job lost with Redis)
    "quiz-grading": ("lms.assessments.receiving:sweep_received", "* * * * *"),
}
#: periodic jobs that keep one row, queued again at each run (a row a day would be 1,440 rows for a
#: duty running every minute); the others keep one row per day, their key naming the day
RECURRING = frozenset({"xapi-send", "quiz-grading"})


def periodic_key(name: str, day: str) -> str:
    """The idempotency key of a periodic job's run on ``day`` (``YYYY-MM-DD``); one key for a recurring one."""
    return f"periodic:{name}" if name in RECURRING else f"periodic:{name}:{day}"


class JobFailed(Exception):  # noqa: N818 - reads as "the job failed: <reason>"
    """A failure whose Vietnamese reason is shown to the user as it is."""

    def __init__(self, reason_vi: str, *, retry: bool = True) -> None:
        super().__init__(reason_vi)
        self.reason_vi = reason_vi
        self.retry = retry


@dataclass(frozen=True)
class JobFile:
    """A task's result file: moved into the storage and offered for download to the job's owner."""

    path: Path
    name: str
    mime: str = "application/octet-stream"


@dataclass
class Context:
    """What a running task gets besides its arguments."""

    job_id: int
    key: str | None
    #: 1 for the first attempt, 2 for the first retry …
    attempt: int = 1

    def progress(self, percent: float) -> None:
        """Report progress (0–100) where the polling page sees it before the job's transaction commits."""
        set_progress(self.job_id, max(0, min(100, int(percent))))


def task(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``func(ctx, **kwargs)`` as a job task (it must be importable as ``module:function``)."""
    func.lms_task = f"{func.__module__}:{func.__qualname__}"  # type: ignore[attr-defined]
    return func


def task_name(func: Callable[..., Any] | str) -> str:
    name = func if isinstance(func, str) else getattr(func, "lms_task", None)
    if not name:
        raise ValueError(f"{func!r} is not a job task (decorate it with @task)")
    return name


def enqueue(func: Callable[..., Any] | str, *, title: str = "", user_id: int | None = None,
            key: str | None = None, max_attempts: int = 3, again: bool = False, **kwargs: Any) -> Job:
    """Add a job in the current transaction; it starts when that transaction commits.

    With ``key``, a job already holding that key is returned instead: a failed one is queued again, and
    with ``again`` a succeeded one too (a recurring duty: one row, and a burst of enqueues while it is
    queued or running adds nothing). Only one of two concurrent transactions queues it again.
    """
    known = db.session.info.setdefault(_KEYS, {})
    if key in known:
        return known[key]
    values = {"task": task_name(func), "args": json.dumps(kwargs, default=str), "key": key, "title": title,
              "user_id": user_id, "max_attempts": max_attempts, "state": "queued", "progress": 0,
              "attempts": 0, "created_at": utcnow()}
    job = insert_once(Job, "key", values) if key else _insert(values)
    if job is None:
        job = db.session.scalars(db.select(Job).where(Job.key == key)).one()
        if not _queue_again(job, ("failed", "succeeded") if again else ("failed",)):
            if job.state in ("queued", "running"):
                known[key] = job
            return job
    if key:
        known[key] = job
    db.session.info.setdefault(_PENDING, []).append((job.id, job.max_attempts))
    return job


def _queue_again(job: Job, finished: tuple[str, ...]) -> bool:
    """Set a finished job back to ``queued`` (its ``created_at`` becomes the time it was queued again, which
    :func:`lms.core.jobs_rq.requeue_stale` reads). False when it is not finished, or another transaction
    queued it first (the row's state is tested in the UPDATE itself)."""
    if job.state not in finished:
        return False
    changed = db.session.execute(
        update(Job).where(Job.id == job.id, Job.state.in_(finished)).values(
            state="queued", attempts=0, error=None, progress=0, summary=None, result_sha256=None,
            result_name=None, result_mime=None, started_at=None, finished_at=None, created_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(job)
    return bool(changed)


def _insert(values: dict[str, Any]) -> Job:
    job = Job(**values)
    db.session.add(job)
    db.session.flush()
    return job


def run(job_id: int) -> bool:
    """One attempt of a job, in its own transaction. True when done (succeeded, or failed for good)."""
    job = db.session.get(Job, job_id)
    if job is None or job.state == "succeeded":
        return True  # unknown, or already done: running it again must change nothing
    job.state, job.attempts, job.started_at = "running", job.attempts + 1, utcnow()
    db.session.commit()
    try:
        outcome = _call(job.task, json.loads(job.args), Context(job_id, job.key, job.attempts))
        _succeed(db.session.get(Job, job_id), outcome)
        db.session.commit()
        return True
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        db.session.rollback()
        log.warning("job %s (%s) failed", job_id, job.task, exc_info=True)
        return _fail(job_id, exc)
    finally:
        _LIVE_PROGRESS.pop(job_id, None)


def _call(name: str, kwargs: dict[str, Any], ctx: Context) -> Any:
    module, _, attr = name.partition(":")
    func = getattr(importlib.import_module(module), attr)
    if getattr(func, "lms_task", None) != name:
        raise JobFailed("Tác vụ không hợp lệ.", retry=False)
    return func(ctx, **kwargs)


def _succeed(job: Job, outcome: Any) -> None:
    if isinstance(outcome, JobFile):
        from lms.core.storage import get_storage

        digest, _size = get_storage().put_file(outcome.path, move=True)
        job.result_sha256, job.result_name, job.result_mime = digest, outcome.name, outcome.mime
    elif outcome is not None:
        job.summary = str(outcome)
    job.state, job.progress, job.error, job.finished_at = "succeeded", 100, None, utcnow()


def _fail(job_id: int, exc: Exception) -> bool:
    job = db.session.get(Job, job_id)
    final = job.attempts >= job.max_attempts or (isinstance(exc, JobFailed) and not exc.retry)
    job.error = reason(exc)
    job.state = "failed" if final else "queued"
    if final:
        job.finished_at = utcnow()
    db.session.commit()
    return final


def reason(exc: Exception) -> str:
    """The Vietnamese reason shown for a failure."""
    if isinstance(exc, JobFailed):
        return exc.reason_vi
    message_vi = getattr(exc, "message_vi", None)  # a UserError from a service
    if message_vi:
        return str(message_vi)
    return f"Lỗi không mong đợi ({type(exc).__name__}); quản trị viên đã được ghi nhận trong nhật ký."


def set_progress(job_id: int, percent: int) -> None:
    """Write progress with a second connection (its own short transaction); in memory on SQLite."""
    if db.engine.dialect.name == "sqlite":
        _LIVE_PROGRESS[job_id] = percent
        return
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(progress=percent))


def live_progress(job: Job) -> int:
    return _LIVE_PROGRESS.get(job.id, job.progress) if job.state == "running" else job.progress


# --- handing jobs to the engine after commit --------------------------------------------------------


def redis_url(app: Flask | None = None) -> str | None:
    config = (app or current_app).config
    if config.get("LMS_JOBS_EAGER"):
        return None
    return config.get("LMS_JOBS_REDIS_URL") or config.get("LMS_REDIS_URL")


def _after_commit(session: Session) -> None:
    session.info.pop(_KEYS, None)
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    if redis_url():
        from lms.core import jobs_rq

        try:
            jobs_rq.push(pending)
        except Exception:  # noqa: BLE001 - the commit stands; the rows stay queued (enqueue again by key)
            log.exception("jobs %s committed but not handed to Redis", [job_id for job_id, _ in pending])
    else:
        g.setdefault("lms_jobs_ready", []).extend(job_id for job_id, _attempts in pending)


def _after_rollback(session: Session, previous_transaction) -> None:
    """The transaction's jobs are dropped with it. A savepoint's rollback keeps those of the outer
    transaction (one enqueued inside the savepoint is gone from the database: ``run`` skips its id) and
    forgets the keys cache (it may name such a job)."""
    session.info.pop(_KEYS, None)
    if previous_transaction.nested:
        return
    session.info.pop(_PENDING, None)


def drain() -> int:
    """Eager mode: run the jobs whose transactions committed (and the jobs they enqueue). Returns the count."""
    if g.get("lms_jobs_draining"):
        return 0
    g.lms_jobs_draining = True
    count = 0
    try:
        while ready := g.get("lms_jobs_ready"):
            job_id = ready.pop(0)
            while not run(job_id):
                pass  # retried at once: nothing to wait for in-process
            count += 1
    finally:
        g.lms_jobs_draining = False
    return count


def init_app(app: Flask) -> None:
    """The jobs table, the after-commit hand-over, the status pages and the ``lms worker`` command."""
    from lms.core import jobs_cli, jobs_views

    listen_once(Session, {"after_commit": _after_commit, "after_soft_rollback": _after_rollback})

    @app.teardown_request
    def _drain_after_request(exc: BaseException | None) -> None:
        if exc is None and g.get("lms_jobs_ready") and not redis_url(app):
            drain()

    @app.teardown_appcontext
    def _drain_after_command(exc: BaseException | None) -> None:
        # most requests and commands commit no job: then nothing to drain (one lookup, not drain's four)
        if exc is None and g.get("lms_jobs_ready") and not redis_url(app):
            drain()

    app.register_blueprint(jobs_views.bp)
    for command in jobs_cli.commands:
        app.cli.add_command(command)
