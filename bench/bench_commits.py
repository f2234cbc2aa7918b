"""Commit throughput and latency of the player's run-time endpoint.

Starts gunicorn (4 workers) on 127.0.0.1 against a fresh PostgreSQL database, seeds N learners each
with an attempt on a 1.2 module, logs them in and launches (threads, a few at a time), then runs N
concurrent simulated learners for ``--seconds``: one asyncio task per learner on its own keep-alive
connection (raw HTTP/1.1, so that the load generator — on the same 2 cores — costs little), each
committing in a loop; prints commits/s, p50 and p99 latency and the load average.

    .venv/bin/python bench/bench_commits.py --learners 200 --seconds 30 \
        --database postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SETUP_SLOTS = threading.Semaphore(8)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_database(base: str) -> tuple[str, callable]:
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"lms_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=:n"), {"n": name})
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    return url.set(database=name).render_as_string(hide_password=False), drop


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


class Learner(threading.Thread):
    def __init__(self, base: str, index: int, until: float, latencies: list, errors: list, ready: threading.Barrier):
        super().__init__(daemon=True)
        self.base, self.index, self.until = base, index, until
        self.latencies, self.errors, self.ready = latencies, errors, ready

    def run(self) -> None:
        with SETUP_SLOTS:  # log in and launch a few at a time (argon2 logins are slow by design)
            s, url, headers = self.setup()
        self.session = (url, headers["X-CSRFToken"], "; ".join(f"{k}={v}" for k, v in s.cookies.items()))

    def setup(self):
        s = requests.Session()
        page = s.get(f"{self.base}/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        s.post(f"{self.base}/login", data={"login": f"bench{self.index}", "password": "matkhau-123",
                                          "csrf_token": token})
        page = s.get(f"{self.base}/player/").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        r = s.post(f"{self.base}/player/modules/BENCH12/launch", data={"csrf_token": token}, allow_redirects=False)
        attempt = r.headers["Location"].split("/attempts/")[1].split("/")[0]
        url = f"{self.base}/player/attempts/{attempt}/scos/sco1/commit"
        return s, url, {"X-CSRFToken": token}

    def loop(self, s, url, headers) -> None:
        seq = 0
        while time.time() < self.until:
            seq += 1
            body = {"seq": seq, "session": "bench", "cmi": {
                "cmi.core.lesson_location": f"page-{seq}", "cmi.suspend_data": "s" * 200 + str(seq),
                "cmi.core.session_time": f"00:{seq // 60 % 60:02d}:{seq % 60:02d}"}}
            t0 = time.perf_counter()
            try:
                resp = s.post(url, json=body, headers=headers, timeout=10)
                ok = resp.status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - t0
            (self.latencies if ok else self.errors).append(elapsed)


async def learner(port: int, session: tuple[str, str, str], until: float, latencies: list, errors: list) -> None:
    """Commit in a loop on one keep-alive connection until ``until``."""
    url, token, cookie = session
    path = url.split(f":{port}", 1)[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    seq = 0
    try:
        while time.time() < until:
            seq += 1
            body = json.dumps({"seq": seq, "session": "bench", "cmi": {
                "cmi.core.lesson_location": f"page-{seq}", "cmi.suspend_data": "s" * 200 + str(seq),
                "cmi.core.session_time": f"00:{seq // 60 % 60:02d}:{seq % 60:02d}"}}).encode()
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                    f"X-CSRFToken: {token}\r\nCookie: {cookie}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            t0 = time.perf_counter()
            try:
                writer.write(head + body)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                ok = status_line.split()[1] == b"200"
            except (OSError, asyncio.IncompleteReadError, IndexError):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            (latencies if ok else errors).append(time.perf_counter() - t0)
    finally:
        writer.close()


async def run_load(port: int, sessions: list, seconds: int, latencies: list, errors: list) -> float:
    begin = time.time()
    await asyncio.gather(*(learner(port, s, begin + seconds, latencies, errors) for s in sessions))
    return time.time() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--commit-log", choices=("all", "problems"), default="all",
                        help="LMS_PLAYER_COMMIT_LOG of the server")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-commits-"))
    url, drop = make_database(args.database)
    env = dict(os.environ, LMS_DATABASE_URL=url, LMS_INSTANCE_PATH=str(tmp), LMS_SECRET_KEY="bench",
               LMS_ENV="development", LMS_SECURE_COOKIES="0", LMS_PLAYER_COMMIT_LOG=args.commit_log)
    os.environ.update(env)
    gunicorn = None
    try:
        seed(str(tmp), args.learners, tmp)
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--worker-class", "gthread", "--threads", "8", "--log-level", "warning", "lms:create_app()"],
            env=env, cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        latencies: list[float] = []
        errors: list[float] = []
        threads = [Learner(base, i, 0, latencies, errors, None) for i in range(args.learners)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_before = os.getloadavg()
        elapsed = asyncio.run(run_load(port, [t.session for t in threads], args.seconds, latencies, errors))
        lat = sorted(latencies)
        print(f"learners={args.learners} workers={args.workers} seconds={elapsed:.1f} commit_log={args.commit_log}")
        print(f"commits ok={len(lat)} errors={len(errors)} throughput={len(lat) / elapsed:.0f} commits/s")
        if lat:
            print(f"latency p50={statistics.median(lat) * 1000:.1f} ms "
                  f"p99={lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms max={lat[-1] * 1000:.1f} ms")
        print(f"load average before={load_before[0]:.2f} after={os.getloadavg()[0]:.2f} cpus={os.cpu_count()}")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(10)
        drop()


if __name__ == "__main__":
    main()
