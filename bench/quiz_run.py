"""bench_quiz.py's moving parts: the floor burst (bench_floor.py's read+write view), the `lms worker`
processes and the wait for the job queue to drain."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import _load
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]


def floor(port: int, rows: list[tuple[int, str, str]], pids: dict) -> float:
    """p99 (s) of bench_floor.py's ``read+write`` view (the attempt's items read, one UPDATE) for the same
    learners, cookies and form bodies, released together — a warm-up burst, then the measured one."""
    users = [_load.User(f"/floor/read+write/{attempt_id}",
                        f"Content-Type: application/x-www-form-urlencoded\r\nCookie: session={cookie}\r\n",
                        (lambda n, body=body: body.encode()), lambda status, body: status == 200)
             for attempt_id, cookie, body in rows]
    for run in ("warm-up", "measured"):
        result = _load.run(port, users, burst=True, cpu_pids=pids)
        if result.errors:
            raise SystemExit(f"floor: failures {dict(result.errors)}")
        print(f"floor (read + one write, {run}): " + result.summary().replace("\n", " | "), flush=True)
    return result.percentile(99)


@contextlib.contextmanager
def job_worker(env: dict[str, str], nice: int = 0):
    """One ``lms worker`` (RQ, on the bench's private queue) at niceness ``nice``, stopped afterwards."""
    import signal
    import subprocess

    worker = subprocess.Popen([str(Path(sys.executable).with_name("lms")), "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, preexec_fn=(lambda: os.nice(nice)) if nice else None)
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_for_jobs(app, workers: list, timeout: float = 1800) -> int:
    """Wait until no job is queued or running (with workers; eager mode has run them); the failed count."""
    from lms.core.db import db

    end = time.monotonic() + timeout
    with app.app_context():
        try:
            while workers:
                busy = db.session.execute(text("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")).scalar()
                db.session.rollback()
                if not busy:
                    break
                if time.monotonic() > end or any(w.poll() is not None for w in workers):
                    raise SystemExit(f"jobs: {busy} still queued or running (worker gone or timeout)")
                time.sleep(0.2)
            return db.session.execute(text("SELECT count(*) FROM jobs WHERE state = 'failed'")).scalar() or 0
        finally:
            db.session.remove()
