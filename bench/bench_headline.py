"""Benchmark the headline (cadres meeting the standard / cadres it applies to) at national scale, and the
manager home page on the demo data.

``--scale S`` (PostgreSQL, database ``lms_bench_headline``, dropped and re-created; data from
bench/gen_national.py): loads the shipped example standards (the grassroots one adapted to the generated
tree's level label "CĐCS", as an admin would), one full recompute, then p50/p95 over ``--repeat`` runs of
the headline (overall + per standard) national and for one province, the children rows of both, the first
page of a province's overdue cadres, and one new record (append + engine + commit, now also keeping the
per-standard counts). ``--home``: builds the demo data (``lms demo``) in a temporary SQLite file and times
the manager's home page (GET /, the full response through the WSGI app) for ``ql.hanoi`` and ``admin``.

    .venv/bin/python bench/bench_headline.py --scale 0.01
    nohup .venv/bin/python bench/bench_headline.py --scale 1 > /tmp/bench_headline.log 2>&1 &
    .venv/bin/python bench/bench_headline.py --home
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import gen_national  # noqa: E402

DB = "lms_bench_headline"


def _timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1)}


def _load_standards(services, read_file, defaults) -> None:
    for path in sorted(defaults.iterdir()):
        for item in read_file(path):
            for req in item["requirements"]:
                if "levels" in req["applies_to"]:
                    req["applies_to"]["levels"] = ["CĐCS"]  # the generated tree's own label for grassroots unions
            services.upsert_standard(item)


def national(args) -> dict:
    gen_national.DB, gen_national.URL = args.db, f"{gen_national.SERVER}/{args.db}"
    if not args.skip_generate:
        gen_national.recreate_database()
        gen_national.migrate()
        print("generated:", gen_national.generate(args.scale), flush=True)
    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp()
    from sqlalchemy import select

    from lms import create_app
    from lms.core.db import db
    from lms.org.models import Cadre, OrgUnit
    from lms.records.services import append_record
    from lms.reports import trained
    from lms.standards import engine, headline, services
    from lms.standards.cli import DEFAULTS
    from lms.standards.loader import read_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": gen_national.URL.replace("postgresql://", "postgresql+psycopg://"),
                      "SECRET_KEY": "bench"})
    results: dict = {}
    with app.app_context():
        if not args.skip_generate or args.prepare:
            _load_standards(services, read_file, DEFAULTS)
            db.session.commit()
            start = time.perf_counter()
            rows = engine.recompute()
            db.session.commit()
            results["full recompute (statuses + per-requirement + per-standard counts)"] = {
                "seconds": round(time.perf_counter() - start, 1), "status_rows": rows}
            start = time.perf_counter()
            trained.rebuild()  # the generator COPYs the ledger after the migrations filled these counts
            db.session.commit()
            results["trained-in-year counts, full rebuild"] = {"seconds": round(time.perf_counter() - start, 1)}
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("compliance_statuses", "compliance_standard_counts", "compliance_standard_rollups",
                              "cadre_trained_years", "unit_trained_counts"):
                    conn.execute(db.text(f"VACUUM ANALYZE {table}"))  # what autovacuum does after a bulk load
            print(results, flush=True)
        root, province = db.session.get(OrgUnit, 1), db.session.get(OrgUnit, 2)
        # held like a request holds its unit: the rollback after each run would otherwise expire them and
        # every run would reload them (one more round trip that is not the headline's)
        db.session.expunge(root)
        db.session.expunge(province)
        overall = headline.headline(root)[0]
        results["national overall"] = f"{overall.met} / {overall.applicable} meeting, {overall.overdue} overdue"

        def timed(fn):
            def run():
                fn()
                db.session.rollback()
            return _timed(run, args.repeat)

        results["headline national"] = timed(lambda: headline.headline(None))
        results["headline province"] = timed(lambda: headline.headline(province))
        results["headline national + 63 provinces"] = timed(lambda: headline.children_headline(root))
        results["headline province + its children"] = timed(lambda: headline.children_headline(province))
        results["province overdue cadres, first page"] = timed(
            lambda: headline.cadres_not_meeting(province, 0, "overdue"))
        ids = iter(db.session.scalars(select(Cadre.id).where(Cadre.employment == "full_time").order_by(Cadre.id)
                                      .limit(args.repeat * 5 + 1)).all())

        def one_record():
            append_record(next(ids), source="online", completed_on=engine.today_vn(), topic="osh", hours=8,
                          module_id=2, score=90)
            db.session.commit()

        one_record()  # warm-up
        results["one new record (append + listener + commit)"] = _timed(one_record, args.repeat)
        results.update(_home_at_scale(app, province, args.repeat))
    return results


def _home_at_scale(app, province, repeat: int) -> dict:
    """The manager home page (GET /, the full response) for a province manager and an admin on the big tree."""
    from lms.accounts.services import create_user
    from lms.core.db import db
    from lms.core.roles import Role

    for login, roles, scope in (("bench.tinh", {Role.manager}, province.id), ("bench.admin", {Role.admin}, None)):
        if db.session.scalar(db.text("SELECT 1 FROM users WHERE login = :l"), {"l": login}) is None:
            create_user(login, "bench-12345", roles, scope_org_unit_id=scope, full_name=login)
    db.session.commit()
    app.config.update(WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    out = {}
    for login in ("bench.tinh", "bench.admin"):
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": "bench-12345"}).status_code == 302
        client.get("/")  # warm-up

        def page(client=client):
            response = client.get("/")
            assert response.status_code == 200 and b'id="manager-home"' in response.data

        out[f"home page GET / ({login})"] = _timed(page, repeat)
    return out


def home(args) -> dict:
    folder = tempfile.mkdtemp()
    env = {**os.environ, "LMS_DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "LMS_INSTANCE_PATH": folder,
           "LMS_ENV": "development"}
    lms = str(Path(sys.executable).parent / "lms")
    subprocess.run([lms, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([lms, "demo"], env=env, check=True, capture_output=True)
    os.environ.update(env)
    from lms import create_app

    app = create_app({"WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    results = {}
    for login in ("ql.hanoi", "admin"):
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": "demo-12345"}).status_code == 302
        client.get("/")  # warm-up: templates compiled, requirement versions cached

        def page(client=client):
            response = client.get("/")
            assert response.status_code == 200 and b'id="manager-home"' in response.data

        results[f"home page GET / ({login})"] = _timed(page, args.repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Headline and manager home benchmark")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--prepare", action="store_true",
                        help="with --skip-generate: still load the standards, recompute and rebuild the counts")
    parser.add_argument("--db", default=DB, help=f"database to (re)create and use (default {DB})")
    parser.add_argument("--home", action="store_true", help="time the manager home page on the demo data")
    args = parser.parse_args()
    results = home(args) if args.home else national(args)
    for name, value in results.items():
        print(f"{name}: {value}", flush=True)


if __name__ == "__main__":
    main()
