"""500 learners submitting a quiz at once, on PostgreSQL behind gunicorn (4 workers).

Seeds a private database (500 cadres + users, one quiz of 20 questions, 500 attempts in progress with
every answer saved) directly, builds each learner's signed session cookie and CSRF token, starts
gunicorn on loopback, fires the 500 submit requests from a bounded thread pool and reports p50/p99
latency and the total time. The database is dropped at the end.

    .venv/bin/python bench/bench_quiz.py --db postgresql://postgres@127.0.0.1:5432/test [--learners 500]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def create_database(base: str) -> tuple[str, callable]:
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"bench_quiz_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def seed(app, learners: int) -> list[tuple[int, str, str, str]]:
    """Create the data; return (attempt id, cookie, csrf token, submit token) per learner."""
    from flask import session
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf

    from lms.accounts.models import User, UserRole
    from lms.accounts.services import hash_password
    from lms.assessments import services
    from lms.assessments.importers import ParseResult
    from lms.assessments.models import Quiz
    from lms.catalog.models import Module
    from lms.core.db import db
    from lms.core.i18n import fold
    from lms.org.models import Cadre
    from lms.org.services import create_unit

    rng = random.Random(7)
    with app.app_context():
        upgrade(revision="heads")
        unit = create_unit("BENCH", "Công đoàn thử tải", "CĐCS", None)
        module = Module(code="BENCHQ", title_vi="Học phần thử tải", topic="union_law", hours=4,
                        completion_rule={"all": [{"kind": "quiz_passed"}]})
        db.session.add(module)
        db.session.flush()
        bank = services.get_or_create_bank("BENCHQ", "Ngân hàng thử tải", "union_law")
        parsed = ParseResult()
        for i in range(40):
            qtype = ["single", "multiple", "true_false", "numeric", "ordering"][i % 5]
            q = {"ident": f"B-{i:03d}", "qtype": qtype, "text_vi": f"Câu hỏi thử {i}", "text_en": "",
                 "choices": [], "key": None, "tolerance": 0.0, "explanation_vi": "Giải thích", "citation": "Điều 1",
                 "difficulty": "medium", "tags": []}
            if qtype in ("single", "multiple", "ordering"):
                q["choices"] = [f"Lựa chọn {i}-{c}" for c in range(4)]
            q["key"] = {"single": 1, "multiple": [0, 2], "true_false": True, "numeric": 37, "ordering": None}[qtype]
            parsed.add(i + 1, q)
        services.import_questions(bank, parsed)
        quiz = Quiz(module_id=module.id, bank_id=bank.id, title="Thử tải", question_count=20, pass_mark=70,
                    time_limit_minutes=60, attempts_allowed=3, review_policy="after_submit", pools=[])
        db.session.add(quiz)
        db.session.flush()
        password = hash_password("matkhau-123")
        out = []
        for n in range(learners):
            cadre = Cadre(code=f"BQ{n:05d}", full_name=f"Học viên {n}", name_search=fold(f"Hoc vien {n}"),
                          org_unit=unit, gender="male", position="executive_member", employment="part_time", is_key=False,
                          active=True)
            db.session.add(cadre)
            db.session.flush()
            user = User(login=f"bq{n:05d}", password_hash=password, full_name=cadre.full_name, cadre_id=cadre.id)
            user.role_rows = [UserRole(role="learner")]
            db.session.add(user)
            db.session.flush()
            attempt = services.start_attempt(quiz, cadre.id, rng=rng)
            for item in attempt.items:
                v = item.version
                right = rng.random() < 0.8
                to_id = {index: cid for cid, index in item.choice_map}
                raw = answer_for(v.qtype, v.key, to_id, right)
                services.save_answer(attempt, item.position, raw)
            with app.test_request_context("/"):
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                token = generate_csrf()
                cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            out.append((attempt.id, cookie, token, attempt.submit_token))
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        return out


def answer_for(qtype: str, key, to_id: dict, right: bool):
    """A raw answer (opaque ids) that is right or wrong."""
    if qtype == "single":
        return to_id[key if right else 0]
    if qtype == "multiple":
        return [to_id[k] for k in (key if right else [1])]
    if qtype == "true_false":
        return right
    if qtype == "numeric":
        return 37 if right else 1
    return [to_id[i] for i in (range(4) if right else (3, 2, 1, 0))]


def submit(port: int, row: tuple[int, str, str, str]) -> tuple[float, int]:
    attempt_id, cookie, csrf, token = row
    body = urllib.parse.urlencode({"csrf_token": csrf, "submit_token": token})
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", f"/quiz/attempt/{attempt_id}/submit", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}",
            "Referer": f"http://127.0.0.1:{port}/quiz/attempt/{attempt_id}"})
        status = conn.getresponse().status
    finally:
        conn.close()
    return time.perf_counter() - started, status


def wait_for_port(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=os.environ.get("LMS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=500, help="threads firing at once (bounded)")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    url, drop = create_database(args.db)
    instance = tempfile.mkdtemp(prefix="bench-quiz-")
    secret = secrets.token_hex(32)
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": secret, "LMS_INSTANCE_PATH": instance,
           "LMS_SECURE_COOKIES": "0"}
    os.environ.update({k: env[k] for k in ("LMS_DATABASE_URL", "LMS_SECRET_KEY", "LMS_INSTANCE_PATH", "LMS_SECURE_COOKIES")})
    server = None
    try:
        from lms import create_app

        app = create_app()
        t0 = time.perf_counter()
        rows = seed(app, args.learners)
        print(f"seeded {len(rows)} learners with saved answers in {time.perf_counter() - t0:.1f} s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                                   "--log-level", "warning", "lms:create_app()"], env=env, cwd=ROOT)
        wait_for_port(port)
        submit(port, (0, "", "", ""))  # warm the workers (refused: not logged in)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=min(args.concurrency, len(rows))) as pool:
            results = list(pool.map(lambda r: submit(port, r), rows))
        total = time.perf_counter() - started
        latencies = sorted(r[0] * 1000 for r in results)
        statuses = {s: sum(1 for r in results if r[1] == s) for s in {r[1] for r in results}}
        p50 = statistics.median(latencies)
        p99 = latencies[max(0, int(round(0.99 * len(latencies))) - 1)]
        print(f"{len(results)} submissions, {args.workers} gunicorn workers, {args.concurrency} concurrent clients")
        print(f"statuses: {statuses}")
        print(f"p50 {p50:.0f} ms   p99 {p99:.0f} ms   max {latencies[-1]:.0f} ms   total {total:.2f} s   "
              f"({len(results) / total:.0f} submissions/s)")
        with app.app_context():
            from lms.core.db import db

            graded = db.session.execute(text("SELECT count(*) FROM quiz_attempts WHERE status = 'submitted'")).scalar()
            records = db.session.execute(text("SELECT count(*) FROM training_records")).scalar()
            print(f"graded attempts: {graded}; training records appended: {records}")
            db.session.remove()
            db.engine.dispose()
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop()


if __name__ == "__main__":
    main()
