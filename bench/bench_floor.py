"""The floor under issue #5's target: 500 requests released together that do (almost) nothing.

Same machine, database, learners, session cookies, gunicorn (4 workers × gthread, 2 threads) and load
generator (``bench/_load.py``, burst mode) as ``bench/bench_quiz.py``. The app gets three views that
exist in this script only, and the 500 learners hit each of them all at once, ``--repeat`` times:

* ``hello`` — the app's request handling (session cookie, hooks) and a 200: no database;
* ``write`` — one UPDATE of the learner's own attempt, the session's claim checked in its WHERE (as
  the submission does), in the request's transaction: BEGIN, UPDATE, COMMIT;
* ``read+write`` — the attempt's 20 items read (positions, choice maps, answers), then that UPDATE:
  the least a submission graded on the server must do.

The form body is the real one (every answer of the taking page), so reading it is part of each request.
Prints p50/p99 and the CPU per request of gunicorn, PostgreSQL and the load generator, per run.

    .venv/bin/python bench/bench_floor.py [--db postgresql://postgres@127.0.0.1:5432/test] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _load  # noqa: E402
import bench_quiz  # noqa: E402

from tests.pgdb import backend_pids, make_database  # noqa: E402

VIEWS = ("hello", "write", "read+write")


def make_app():
    """The LMS with the three floor views (gunicorn: ``bench_floor:make_app()``)."""
    from flask import request
    from sqlalchemy import text

    from lms import create_app
    from lms.core.db import db
    from lms.core.extensions import csrf, session_identity

    app = create_app()
    update = text("UPDATE quiz_attempts SET late = late WHERE id = :a AND cadre_id = (SELECT u.cadre_id FROM users u"
                  " WHERE u.id = :u AND u.active AND u.session_version = :v)")
    items = text("SELECT position, choice_map, response FROM quiz_attempt_items WHERE attempt_id = :a"
                 " ORDER BY position")

    def claim() -> tuple[int, int]:
        who = session_identity()
        if who is None:
            raise PermissionError("no login in the session")
        request.form.getlist("positions")  # the body is read, as a submission reads it
        return who

    @app.post("/floor/hello/<int:attempt_id>")
    @csrf.exempt
    def floor_hello(attempt_id: int):
        claim()
        return "ok"

    @app.post("/floor/write/<int:attempt_id>")
    @csrf.exempt
    def floor_write(attempt_id: int):
        who = claim()
        done = db.session.execute(update, {"a": attempt_id, "u": who[0], "v": who[1]}).rowcount
        return ("ok", 200) if done == 1 else ("not found", 404)

    @app.post("/floor/read+write/<int:attempt_id>")
    @csrf.exempt
    def floor_read_write(attempt_id: int):
        who = claim()
        if len(db.session.execute(items, {"a": attempt_id}).all()) != 20:
            return "not found", 404
        done = db.session.execute(update, {"a": attempt_id, "u": who[0], "v": who[1]}).rowcount
        return ("ok", 200) if done == 1 else ("not found", 404)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    url, drop = make_database(args.db, "lms_bench")
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secrets.token_hex(32),
           "LMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-floor-"), "LMS_SECURE_COOKIES": "0"}
    os.environ.update({k: env[k] for k in ("LMS_DATABASE_URL", "LMS_SECRET_KEY", "LMS_INSTANCE_PATH", "LMS_SECURE_COOKIES")})
    servers = contextlib.ExitStack()
    try:
        from lms import create_app

        seeded, _ = bench_quiz.seed(create_app(), args.learners)
        server, port = servers.enter_context(_load.gunicorn(
            "bench_floor:make_app()", env, workers=args.workers, threads=args.threads, pythonpath=str(ROOT / "bench")))
        base = f"http://127.0.0.1:{port}"
        rows = [bench_quiz.log_in(base, attempt_id, login, cookie) for attempt_id, login, cookie in seeded]
        print(f"{len(rows)} learners logged in; gunicorn {args.workers} workers × gthread ({args.threads} threads)")
        pids = {"gunicorn": [server.pid, *_load.children(server.pid)], "postgresql": backend_pids(url)}
        p99s: dict[str, list[float]] = {view: [] for view in VIEWS}
        for run in range(args.repeat + 1):  # run 0 warms every worker up (imports, compiled statements)
            for view in VIEWS:
                users = [_load.User(f"/floor/{view}/{attempt_id}",
                                    f"Content-Type: application/x-www-form-urlencoded\r\nCookie: session={cookie}\r\n",
                                    (lambda n, body=body: body.encode()), lambda status, body: status == 200)
                         for attempt_id, cookie, body in rows]
                result = _load.run(port, users, burst=True, cpu_pids=pids)
                if result.errors:
                    raise SystemExit(f"{view}: failures {dict(result.errors)}")
                if run:
                    p99s[view].append(result.percentile(99) * 1000)
                    print(f"run {run} {view:10} " + result.summary().replace("\n", " | "), flush=True)
        for view in VIEWS:
            print(f"{view:10} p99 over {args.repeat} runs: median {statistics.median(p99s[view]):.0f} ms "
                  f"(min {min(p99s[view]):.0f}, max {max(p99s[view]):.0f})")
    finally:
        servers.close()
        drop()


if __name__ == "__main__":
    main()
