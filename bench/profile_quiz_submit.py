"""Where a quiz submission's time goes: cProfile of ``--learners`` submissions through the test client.

Same data as ``bench/bench_quiz.py`` (its ``seed``: the example standards, one attempt in progress per
learner with every answer saved); each learner's taking page is opened with the minted session cookie
and its form posted as the browser does on "Nộp bài" — only the POSTs are profiled. Prints the top
``--top`` lines by cumulative time and the share of the profiled time in a few named parts.

    .venv/bin/python bench/profile_quiz_submit.py [--db postgresql://postgres@127.0.0.1:5432/test] [--learners 150]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_quiz  # noqa: E402

from tests.pgdb import make_database  # noqa: E402

#: (label, function name as pstats shows it) of the parts reported as shares
PARTS = [
    ("the whole POST (test client)", "open"),
    ("the module's rule re-evaluated (player)", "reevaluate"),
    ("grading path (closing.close)", "close"),
    ("ledger append + listeners", "append_record"),
    ("compliance listener", "update_for_record"),
    ("certificate listener", "issue_for_record"),
    ("the cadre's job enqueued (deferred.schedule)", "schedule"),
    ("trained-years listener", "on_record"),
    ("reading the attempt (read_for_closing)", "read_for_closing"),
    ("commit", "commit"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_DATABASE_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--learners", type=int, default=150)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="profile CPU time (time.process_time): waits drop out")
    parser.add_argument("--no-jobs", action="store_true",
                        help="never run the jobs (as in a burst: the quiz's grading job stays queued)")
    args = parser.parse_args()
    url, drop = make_database(args.db, "lms_bench")
    os.environ.update({"LMS_JOBS_EAGER": "1", "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secrets.token_hex(32),
                       "LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="profile-quiz-"), "LMS_SECURE_COOKIES": "0"})
    try:
        from lms import create_app

        app = create_app()
        from lms.core import jobs

        seeded, _expected = bench_quiz.seed(app, args.learners)
        bodies = []
        for attempt_id, _login, cookie in seeded:
            client = app.test_client()
            client.set_cookie("session", cookie, domain="localhost")
            page = client.get(f"/quiz/attempt/{attempt_id}")
            form = bench_quiz.FormFields()
            form.feed(page.get_data(as_text=True))
            bodies.append((client, attempt_id, urllib.parse.urlencode([*form.fields, ("go", "submit")])))
        timer = (time.process_time,) if args.cpu else ()
        profiler, after = cProfile.Profile(*timer), cProfile.Profile(*timer)
        statuses = []
        drain = jobs.drain

        def drain_apart() -> int:
            """The jobs eager mode runs after the request (the pass's compliance and certificate: a worker's
            work with Redis) are profiled apart."""
            if args.no_jobs:
                from flask import g

                g.pop("lms_jobs_ready", None)
                return 0
            profiler.disable()
            after.enable()
            try:
                return drain()
            finally:
                after.disable()
                profiler.enable()

        jobs.drain = drain_apart
        profiler.enable()
        for client, attempt_id, body in bodies:
            statuses.append(client.post(f"/quiz/attempt/{attempt_id}/save", data=body,
                                        content_type="application/x-www-form-urlencoded").status_code)
        profiler.disable()
        jobs.drain = drain
        print(f"{len(statuses)} submissions, statuses {sorted(set(statuses))}")
        job_time = 0.0 if args.no_jobs else sum(v[2] for v in pstats.Stats(after).stats.values())
        print(f"  the cadres' jobs after the requests (not profiled with them) {job_time / len(statuses) * 1000:6.2f}"
              " ms/submission")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        total = max(v[3] for k, v in stats.stats.items() if k[2] == "open")
        for label, name in PARTS:
            spent = max((v[3] for k, v in stats.stats.items() if k[2] == name
                         and ("/lms/" in k[0] or (name == "commit" and "scoping" in k[0]))), default=0.0)
            if name == "open":
                spent = total
            print(f"  {label:<42} {spent / len(statuses) * 1000:6.2f} ms/submission ({spent / total:5.1%})")
        stats.sort_stats("cumulative").print_stats(args.top)
        if not args.no_jobs:
            print("The cadres' jobs (run after the requests):")
            pstats.Stats(after, stream=sys.stdout).sort_stats("cumulative").print_stats("/lms/", 25)
        if os.environ.get("LMS_PROFILE_DUMP"):
            stats.dump_stats(os.environ["LMS_PROFILE_DUMP"])
        if os.environ.get("LMS_PROFILE_TOTTIME"):
            stats.sort_stats("tottime").print_stats(args.top)
        with app.app_context():
            from sqlalchemy import text

            from lms.core.db import db

            tracked = db.session.execute(text(
                "SELECT count(DISTINCT s.cadre_id) FROM compliance_statuses s JOIN quiz_attempts a"
                " ON a.cadre_id = s.cadre_id AND a.passed")).scalar()
            should = db.session.execute(text(
                "SELECT count(*) FROM quiz_attempts a JOIN cadres c ON c.id = a.cadre_id WHERE a.passed"
                " AND (c.employment = 'full_time' OR c.is_key)")).scalar()
            print(f"compliance statuses for {tracked} of the {should} passing full-time or key cadres")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
