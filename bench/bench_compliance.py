"""Benchmark the compliance engine on a national dataset in PostgreSQL.

Generates the data (bench/gen_national.py; ``--skip-generate`` reuses it), loads 6 example
requirements, then measures: the first full recompute, the national / province / grassroots dashboard
(unit summary + children rows; p50/p95 over ``--repeat`` runs), a full recompute after a standard
change, and the update for one new record (append + listener). Usage::

    .venv/bin/python bench/bench_compliance.py --scale 0.01
    nohup .venv/bin/python bench/bench_compliance.py --scale 1 > bench/compliance.log 2>&1 &
    LMS_BENCH_DB=lms_bench_x .venv/bin/python bench/bench_compliance.py --scale 1 --skip-generate --as-of-only

``--as-of-only``: a province as of a year ago from the ledger alone, the month-end snapshot taken, then
from the snapshot plus the ledger since (issue #20), in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_national  # noqa: E402


def _timed(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1)}


def run(args) -> None:
    if not args.skip_generate:
        gen_national.recreate_database()
        gen_national.migrate()
        print("generated:", gen_national.generate(args.scale), flush=True)
    else:
        gen_national.migrate()  # the reused database gets the newer migrations
    _vacuum()
    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp()
    from sqlalchemy import select

    from lms import create_app
    from lms.core.db import db
    from lms.org.models import Cadre, OrgUnit
    from lms.records.services import append_record
    from lms.standards import engine, services
    from lms.standards.cli import DEFAULTS
    from lms.standards.loader import read_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": gen_national.URL.replace("postgresql://", "postgresql+psycopg://"),
                      "SECRET_KEY": "bench"})
    results = {}
    with app.app_context():
        for path in sorted(DEFAULTS.iterdir()):
            for item in read_file(path):
                item["requirements"] = [r for r in item["requirements"] if r["code"] != "CT-DTDC"]  # 6 requirements
                services.upsert_standard(item)
        db.session.commit()
        root = db.session.get(OrgUnit, 1)
        province = db.session.get(OrgUnit, 2)
        if args.as_of_only:  # the snapshot and the as-of reads need no statuses
            _as_of(results, root, province, args.repeat)
            return _print(results)
        start = time.perf_counter()
        rows = engine.recompute()
        db.session.commit()
        results["first full recompute"] = {"seconds": round(time.perf_counter() - start, 1), "status_rows": rows}
        db.session.execute(db.text("ANALYZE compliance_statuses"))
        db.session.execute(db.text("ANALYZE compliance_unit_counts"))
        print(results, flush=True)
        grassroots = db.session.scalar(select(OrgUnit).where(OrgUnit.level == "CĐCS").order_by(OrgUnit.id))

        def dashboard(unit):
            def fn():
                services.unit_summary(unit)
                services.children_summary(unit)
                db.session.rollback()
            return fn

        def grassroots_page():
            services.unit_summary(grassroots)
            services.cadre_rows(grassroots)
            db.session.rollback()

        results["national dashboard"] = _timed(dashboard(root), args.repeat)
        results["province dashboard"] = _timed(dashboard(province), args.repeat)
        results["grassroots dashboard"] = _timed(grassroots_page, args.repeat)
        _as_of(results, root, province, args.repeat)
        print(results, flush=True)

        req = services.current_version("CT-ATVSLD")
        item = {f: getattr(req, f) for f in services.RULE_FIELDS}
        item.update(code=req.code, validity_months=36)
        services.save_requirement(req.standard, item, engine.today_vn(), engine.today_vn())
        db.session.flush()
        start = time.perf_counter()
        rows = engine.recompute()
        db.session.commit()
        results["full recompute after a standard change"] = {"seconds": round(time.perf_counter() - start, 1),
                                                             "status_rows": rows}
        cadre_ids = db.session.scalars(select(Cadre.id).order_by(Cadre.id).limit(args.repeat * 5 + 1)).all()
        ids = iter(cadre_ids)

        def one_record():
            append_record(next(ids), source="in_person", completed_on=engine.today_vn(), topic="osh", hours=8)
            db.session.commit()

        one_record()  # warm-up: the first record after the standard change resolves the requirement versions once
        results["update for one new record (append + listener + commit)"] = _timed(one_record, args.repeat)
    _print(results)


def _vacuum() -> None:
    """What autovacuum does to an append-only ledger: the visibility map set (index-only scans)."""
    import psycopg

    with psycopg.connect(gen_national.URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE training_records")


def _print(results: dict) -> None:
    for name, value in results.items():
        print(f"{name}: {value}", flush=True)
    print("load average:", os.getloadavg(), flush=True)


def _as_of(results: dict, root, province, repeat: int) -> None:
    """A province's (and the nation's) figures as of a year ago: from the ledger alone, then from the last
    month end's snapshot plus the ledger since (the snapshot taken in between, timed); same run, so the
    ratio holds under the machine's load."""
    from lms.core.db import db
    from lms.standards import engine, services, snapshots

    day = engine.today_vn() - timedelta(days=365)

    def summary(unit, children: bool = False):
        def fn():
            services.unit_summary(unit, as_of=day)
            if children:
                services.children_summary(unit, as_of=day)
            db.session.rollback()
        return fn

    ledger = _timed(summary(province), max(3, repeat // 4))
    results["province as of a year ago, ledger alone (unit summary)"] = ledger
    start = time.perf_counter()
    snap = snapshots.take(snapshots.last_month_end(day + timedelta(days=1)))
    db.session.commit()
    results["snapshot of the month end before"] = {"day": str(snap.day), "rows": snap.rows,
                                                   "seconds": round(time.perf_counter() - start, 1)}
    db.session.execute(db.text("ANALYZE compliance_snapshot_rows"))
    db.session.commit()
    fast = _timed(summary(province), repeat)
    results["province as of a year ago, snapshot + ledger since (unit summary)"] = fast
    results["ratio ledger / snapshot (p50)"] = round(ledger["p50_ms"] / fast["p50_ms"], 1)
    results["province as of a year ago, snapshot + ledger since (unit + children)"] = _timed(
        summary(province, True), repeat)
    results["national as of a year ago, snapshot + ledger since (unit summary)"] = _timed(
        summary(root), max(3, repeat // 4))


def main() -> None:
    parser = argparse.ArgumentParser(description="Compliance engine benchmark")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--as-of-only", action="store_true", help="stop after the as-of figures")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
