"""A quiz submission's CPU, in-process and one at a time: the floor view, the submission with the taking page's
sealed layout, and the submission without it (the way that reads the attempt), alternating learner by learner.

Same data as ``bench/bench_quiz.py`` (its ``seed``); the app is ``bench_floor.make_app`` (the LMS plus the
floor views). Each learner's taking page is opened with the minted session cookie and its form kept as the
browser posts it on "Nộp bài"; learner n goes to way n mod 3: the floor's ``read+write`` view, the
submission with its ``layout`` field, the submission without it. Jobs are not run (as in a burst, the
quiz's grading job stays queued). Prints per way the median and mean CPU of the request in this process
(the test client's share included, the same for the three) and the PostgreSQL backends' CPU per request
(from /proc, in 10 ms ticks: summed over the way's requests).

    .venv/bin/python bench/bench_quiz_ways.py [--db postgresql://postgres@127.0.0.1:5432/test] [--learners 900]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_floor  # noqa: E402
import bench_quiz  # noqa: E402

from tests.pgdb import make_database  # noqa: E402

WAYS = ("floor (read + one write)", "submission, sealed layout", "submission, reading the attempt")


def ticks(pids: list[int]) -> int:
    """User + system clock ticks of the live processes among ``pids``."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def requests_by_way(app, seeded) -> list[tuple[int, object, str, str]]:
    """(way, client, path, body) per learner: the taking page's form as the browser posts it."""
    out = []
    for n, (attempt_id, _login, cookie) in enumerate(seeded):
        client = app.test_client()
        client.set_cookie("session", cookie, domain="localhost")
        form = bench_quiz.FormFields()
        form.feed(client.get(f"/quiz/attempt/{attempt_id}").get_data(as_text=True))
        way = n % 3
        fields = [f for f in form.fields if not (way == 2 and f[0] == "layout")]
        path = f"/floor/read+write/{attempt_id}" if way == 0 else f"/quiz/attempt/{attempt_id}/save"
        out.append((way, client, path, urllib.parse.urlencode([*fields, ("go", "submit")])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--learners", type=int, default=900)
    args = parser.parse_args()
    url, drop = make_database(args.db, "lms_bench")
    os.environ.update({"LMS_JOBS_EAGER": "1", "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secrets.token_hex(32),
                       "LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-ways-"), "LMS_SECURE_COOKIES": "0"})
    try:
        from flask import g
        from sqlalchemy import text

        from lms.core import jobs
        from lms.core.db import db

        app = bench_floor.make_app()
        seeded, _expected = bench_quiz.seed(app, args.learners)
        planned = requests_by_way(app, seeded)

        def leave_queued() -> int:
            g.pop("lms_jobs_ready", None)  # the jobs stay queued, as in a burst
            return 0

        jobs.drain = leave_queued
        with app.app_context():
            backends = db.session.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars().all()
            db.session.commit()
        cpu: dict[int, list[float]] = {way: [] for way in range(3)}
        database = dict.fromkeys(range(3), 0)
        for way, client, path, body in planned:
            before, started = ticks(backends), time.process_time()
            status = client.post(path, data=body, content_type="application/x-www-form-urlencoded").status_code
            cpu[way].append(time.process_time() - started)
            database[way] += ticks(backends) - before
            if status not in (200, 302):
                raise SystemExit(f"{WAYS[way]}: {path} answered {status}")
        hz = os.sysconf("SC_CLK_TCK")
        for way, label in enumerate(WAYS):
            spent = cpu[way]
            print(f"{label:<32} this process: median {statistics.median(spent) * 1e6:5.0f} µs, mean "
                  f"{statistics.mean(spent) * 1e6:5.0f} µs; PostgreSQL {database[way] / hz / len(spent) * 1e6:4.0f} µs"
                  f" per request ({len(spent)} requests)")
    finally:
        drop()


if __name__ == "__main__":
    main()
