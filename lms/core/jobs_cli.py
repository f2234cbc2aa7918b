"""``lms worker`` (runs queued jobs) and ``lms scheduler`` (enqueues the periodic ones), both on RQ."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
@click.option("--with-scheduler/--no-scheduler", default=True, help="Also move retries due to the queue.")
@with_appcontext
def worker_command(burst: bool, with_scheduler: bool) -> None:
    """Run background jobs from Redis (LMS_JOBS_REDIS_URL or LMS_REDIS_URL); start one per CPU."""
    from rq import SimpleWorker

    from lms.core import jobs_rq

    queue = _queue_or_exit(jobs_rq)
    # SimpleWorker: no fork per job; the app, its pools and its imports are made once per process
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=with_scheduler)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Enqueue the periodic jobs (reminders, daily recompute) on RQ's cron schedule; run one per site."""
    from lms.core import jobs_rq

    _queue_or_exit(jobs_rq)
    jobs_rq.scheduler(current_app).start()


@click.command("requeue-jobs")
@click.option("--queued-minutes", type=float, default=10, show_default=True)
@click.option("--running-minutes", type=float, default=120, show_default=True)
@with_appcontext
def requeue_command(queued_minutes: float, running_minutes: float) -> None:
    """Hand again to Redis the jobs left queued (Redis was down) or running (their worker was killed)."""
    from lms.core import jobs_rq

    _queue_or_exit(jobs_rq)
    count = jobs_rq.requeue_stale(queued_minutes, running_minutes)
    click.echo(f"Đã đưa lại {count} tác vụ vào hàng đợi / {count} jobs requeued.")


def _queue_or_exit(jobs_rq):
    try:
        return jobs_rq.queue(current_app)
    except RuntimeError as exc:
        raise click.ClickException(
            "Chưa cấu hình Redis cho tác vụ nền (LMS_JOBS_REDIS_URL hoặc LMS_REDIS_URL) / " + str(exc)) from exc


commands = [worker_command, scheduler_command, requeue_command]
