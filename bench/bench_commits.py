"""Commit throughput and latency of the player's run-time endpoint (issue #4).

Starts the app hosts' server on 127.0.0.1 — Granian, 2 workers × 2 threads (docs/decisions/http-server.md);
``--server gunicorn``: gunicorn, 4 workers × gthread 2 threads — against a fresh PostgreSQL database, seeds N learners each
with an attempt on a 1.2 module, logs them in and launches (a few at a time), then runs N simulated
learners for ``--seconds`` with ``bench/_load.py``: each learner on its own keep-alive connection,
one commit at a time (as the player page does), sending ``--rate`` commits/s in total on a fixed
schedule (open model; latency counted from the scheduled time). ``--rate 0`` is the closed model:
every learner commits again as soon as it is answered (the saturation throughput). Prints commits/s,
p50/p90/p99 latency, CPU per commit of the server, PostgreSQL and the load generator, and the load.

    .venv/bin/python bench/bench_commits.py --learners 200 --rate 800 --seconds 30
    .venv/bin/python bench/bench_commits.py --learners 200 --rate 0 --seconds 30     # saturation
    .venv/bin/python bench/bench_commits.py --in-process 3000   # CPU of the Flask request path alone
    .venv/bin/python bench/bench_commits.py --in-process 3000 --profile /tmp/commit.prof   # where it goes

``--in-process N`` runs no server: one learner logs in through the test client, then N commits are
made by calling ``app.wsgi_app`` with the same request the load generator sends; it prints the CPU time
per commit (``time.process_time``, the PostgreSQL client included, after 100 warm-up commits) and the
CPU of the database's PostgreSQL backends over the same commits (``/proc``, 10 ms ticks). It is
the figure to compare two versions on a busy machine: it does not depend on the other processes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import threading
import time
from multiprocessing.pool import ThreadPool
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _load import User, add_server_arguments, app_server, cpu_seconds, descendants, run, server_settings  # noqa: E402

from tests.pgdb import backend_pids, make_database  # noqa: E402

SETUP_SLOTS = threading.Semaphore(8)


def seed(instance: str, learners: int, tmp: Path) -> None:
    """Schema, a tree, ``learners`` learner accounts and a published 1.2 module."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.catalog.services import create_module, import_package
    from lms.core.db import db
    from lms.core.roles import Role
    from tests.e2e.sco_fixtures import build_zip
    from tests.factories import gen_cadre, gen_unit, gen_user

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        unit = gen_unit("BENCH", "Công đoàn thử tải", "CĐCS")
        for i in range(learners):
            gen_user(f"bench{i}", (Role.learner,), cadre=gen_cadre(unit, f"BC{i:05d}"))
        module = create_module("BENCH12", "Học phần thử tải", topic="osh", hours=1)
        import_package(module, build_zip("scorm12_single", tmp))
        db.session.commit()


def log_in_and_launch(base: str, index: int) -> tuple[str, str, str]:
    """(commit URL path, CSRF token, cookie header) of learner ``index`` after logging in and launching."""
    with SETUP_SLOTS:  # argon2 logins are slow by design: a few at a time
        s = requests.Session()
        page = s.get(f"{base}/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        s.post(f"{base}/login", data={"login": f"bench{index}", "password": "matkhau-123", "csrf_token": token})
        page = s.get(f"{base}/player/").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        r = s.post(f"{base}/player/modules/BENCH12/launch", data={"csrf_token": token}, allow_redirects=False)
        attempt = r.headers["Location"].split("/attempts/")[1].split("/")[0]
        return (f"/player/attempts/{attempt}/scos/sco1/commit", token,
                "; ".join(f"{k}={v}" for k, v in s.cookies.items()))


def commit_body(n: int) -> bytes:
    """The n-th commit of a learner: bookmark, 200+ characters of suspend_data, the session time so far."""
    return json.dumps({"seq": n, "session": "bench", "cmi": {
        "cmi.core.lesson_location": f"page-{n}", "cmi.suspend_data": "s" * 200 + str(n),
        "cmi.core.session_time": f"00:{n // 60 % 60:02d}:{n % 60:02d}"}}).encode()


def in_process(commits: int, profile: str = "") -> None:
    """CPU per commit of the Flask request path (see the module); the schema and one learner seeded."""
    from werkzeug.test import EnvironBuilder

    from lms import create_app

    app = create_app()
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"login": "bench0", "password": "matkhau-123", "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/player/").text).group(1)
    launched = client.post("/player/modules/BENCH12/launch", data={"csrf_token": token})
    path = f"/player/attempts/{launched.headers['Location'].split('/attempts/')[1].split('/')[0]}/scos/sco1/commit"
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    headers = {"Content-Type": "application/json", "X-CSRFToken": token, "Cookie": cookie,
               "Accept-Encoding": "gzip, deflate, br, zstd"}
    environs = [EnvironBuilder(path=path, method="POST", data=commit_body(n), headers=headers).get_environ()
                for n in range(1, commits + 101)]
    answers = [b"".join(app.wsgi_app(e, lambda *a: None)) for e in environs[:100]]
    assert b'"stored"' in answers[-1], answers[-1]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    backends = backend_pids(os.environ["LMS_DATABASE_URL"])
    server = sum(cpu_seconds(pid) for pid in backends)
    started, wall = time.process_time(), time.perf_counter()
    for environ in environs[100:]:
        b"".join(app.wsgi_app(environ, lambda *a: None))
    cpu, wall = time.process_time() - started, time.perf_counter() - wall
    server = sum(cpu_seconds(pid) for pid in backends) - server
    if profiler is not None:
        import pstats

        profiler.disable()
        profiler.dump_stats(profile)
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
    lean = app.extensions.get("lms_lean")
    if lean is not None:
        print(f"lean path (lms.core.lean) answered {lean.answered} of {commits + 100} commits")
    print(f"in-process: {commits} commits, {cpu / commits * 1000:.3f} ms CPU per commit (Flask request path; "
          f"wall {wall / commits * 1000:.3f} ms, load average {os.getloadavg()[0]:.2f}); "
          f"PostgreSQL {server / commits * 1000:.3f} ms CPU per commit ({len(backends)} backends)")


def stored(status: int, body: bytes) -> bool:
    return status == 200 and b'"status":"stored"' in body.replace(b" ", b"")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--rate", type=float, default=800, help="commits/s offered in total; 0 = closed model")
    parser.add_argument("--seconds", type=int, default=30)
    add_server_arguments(parser)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--commit-log", choices=("all", "problems"), default="all",
                        help="LMS_PLAYER_COMMIT_LOG of the server")
    parser.add_argument("--in-process", type=int, default=0, metavar="N",
                        help="no server: N commits through app.wsgi_app, CPU per commit (see above)")
    parser.add_argument("--profile", metavar="FILE", default="",
                        help="with --in-process: cProfile the commits (process CPU), stats to FILE, top 40 printed")
    args = parser.parse_args()
    served_by = server_settings(args)

    tmp = Path(tempfile.mkdtemp(prefix="bench-commits-"))
    url, drop = make_database(args.database, "lms_bench")
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_INSTANCE_PATH=str(tmp), LMS_SECRET_KEY="bench",
               LMS_ENV="production", LMS_SECURE_COOKIES="0", LMS_PLAYER_COMMIT_LOG=args.commit_log)
    os.environ.update(env)
    servers = contextlib.ExitStack()
    try:
        seed(str(tmp), 1 if args.in_process else args.learners, tmp)
        if args.in_process:
            in_process(args.in_process, args.profile)
            return
        server, port = servers.enter_context(app_server(
            args.server, "lms:create_app", env, workers=args.workers, worker_class=args.worker_class,
            threads=args.threads))
        base = f"http://127.0.0.1:{port}"
        with ThreadPool(16) as pool:
            sessions = pool.map(lambda i: log_in_and_launch(base, i), range(args.learners))
        users = [User(path, f"Content-Type: application/json\r\nX-CSRFToken: {token}\r\nCookie: {cookie}\r\n",
                      commit_body, stored) for path, token, cookie in sessions]
        time.sleep(2)
        load_before = os.getloadavg()[0]
        result = run(port, users, seconds=args.seconds, rate=args.rate, cpu_pids={
            args.server: [server.pid, *descendants(server.pid)], "postgresql": backend_pids(url)})
        model = f"open model, {args.rate:.0f}/s offered" if args.rate else "closed model (saturation)"
        print(f"learners={args.learners} {model}; {served_by}; commit_log={args.commit_log}")
        print(result.summary("commits"))
        print(f"load average before={load_before:.2f} after={os.getloadavg()[0]:.2f} cpus={os.cpu_count()}")
    finally:
        servers.close()
        drop()


if __name__ == "__main__":
    main()
