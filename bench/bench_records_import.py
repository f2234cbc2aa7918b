"""Benchmark of the historical records import: check (dry run), apply, re-import (all skipped).

Run from the repository root::

    .venv/bin/python bench/bench_records_import.py                 # 50,000 rows, SQLite
    .venv/bin/python bench/bench_records_import.py --rows 100000
    LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_records_import.py

It builds a fresh database (a temporary SQLite file, or a private database on the PostgreSQL server
named by ``LMS_BENCH_DATABASE_URL``, dropped afterwards) with ``--cadres`` cadres in 100 grassroots
units and 5 modules, writes a CSV of ``--rows`` rows (module rows and topic rows, 1 % in-file
duplicates), then times each step in-process and prints peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pgdb import make_database  # noqa: E402


def _database(tmp: Path) -> tuple[str, callable]:
    base = os.environ.get("LMS_BENCH_DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    return make_database(base, "lms_bench")


def _seed(cadres: int) -> list[str]:
    from sqlalchemy import insert

    from lms.catalog.models import Module
    from lms.core.db import db
    from lms.core.i18n import fold
    from lms.org.models import Cadre
    from lms.org.services import create_unit

    root = create_unit("TLD", "Tổng Liên đoàn", "Tổng Liên đoàn")
    units = [create_unit(f"U{i:03d}", f"Công đoàn cơ sở {i}", "CĐCS", root) for i in range(100)]
    for code, topic in [("ATVSLD", "osh"), ("TCCD", "finance"), ("PLCD", "union_law"), ("DTDC", "democracy"),
                        ("KN", "other")]:
        db.session.add(Module(code=code, title_vi=code, topic=topic, hours=Decimal("8")))
    codes = [f"CB{i:07d}" for i in range(cadres)]
    rows = [{"code": code, "full_name": f"Nguyễn Văn {i}", "name_search": fold(f"Nguyễn Văn {i}"),
             "gender": "male", "position": "executive_member", "employment": "part_time",
             "org_unit_id": units[i % 100].id, "is_key": False, "active": True} for i, code in enumerate(codes)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Cadre), rows[start:start + 5000])
    db.session.commit()
    return codes


def _csv(codes: list[str], rows: int) -> bytes:
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã cán bộ", "Mã học phần", "Chủ đề", "Số giờ", "Ngày hoàn thành", "Điểm", "Nguồn"])
    seen: list[list[str]] = []
    start = date(2018, 1, 1)
    for i in range(rows):
        if seen and rng.random() < 0.01:
            writer.writerow(rng.choice(seen))
            continue
        day = (start + timedelta(days=rng.randrange(2500))).strftime("%d/%m/%Y")
        if i % 3:
            row = [rng.choice(codes), rng.choice(["ATVSLD", "TCCD", "PLCD", "DTDC"]), "", "", day,
                   str(rng.randrange(50, 101)), "Sổ theo dõi"]
        else:
            row = [rng.choice(codes), "", "Pháp luật công đoàn", str(rng.choice([2, 4, 8])), day, "", ""]
        seen.append(row)
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def _time_listeners() -> dict[str, float]:
    """Wrap the ledger's listeners and bulk hook with timers (other features' work is reported apart)."""
    from lms.records import services

    spent: dict[str, float] = {}

    def timed(func, name):
        @functools.wraps(func)  # keeps the listener's ``lms_wants``
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            try:
                return func(*a, **kw)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
        return wrapper

    services._listeners[:] = [timed(f, f"{f.__module__}.{f.__name__}") for f in services._listeners]
    hooks = services._bulk_hooks
    services._bulk_hooks = lambda: [timed(h, "bulk hook (standards recompute)") for h in hooks()]
    return spent


def _profiler(lines: int):
    """A running cProfile.Profile when ``lines`` > 0, else None."""
    if lines <= 0:
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _report(profiler, lines: int, title: str) -> None:
    if profiler is None:
        return
    import pstats

    profiler.disable()
    print(f"--- cProfile of {title} (top {lines}, cumulative) ---")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--cadres", type=int, default=20_000)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N top lines (cumulative time) of a cProfile of check + apply + commit "
                             "and of the after-commit jobs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop = _database(tmp)
        os.environ["LMS_INSTANCE_PATH"] = str(tmp / "instance")
        try:
            _run(url, tmp, args)
        finally:
            drop()


def _run(url: str, tmp: Path, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from lms import create_app
    from lms.core.db import db
    from lms.records.importer import apply_import, check_file
    from lms.records.models import TrainingRecord

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_STORAGE_DIR": str(tmp / "storage")})
    with app.app_context():
        upgrade(revision="heads")
        codes = _seed(args.cadres)
        data = _csv(codes, args.rows)
        print(f"database: {db.engine.dialect.name}; {args.rows} rows, {len(data) / 1e6:.1f} MB CSV, "
              f"{args.cadres} cadres")
        limit = 200 * 1024 * 1024
        t0 = time.perf_counter()
        report = check_file(data, "bench.csv", max_bytes=limit)
        t1 = time.perf_counter()
        print(f"check (dry run): {t1 - t0:.2f} s; to add {len(report.to_add)}, skipped {len(report.skipped)}, "
              f"errors {len(report.errors)}")
        spent = _time_listeners()
        profiler = _profiler(args.profile)
        t0, cpu0 = time.perf_counter(), time.process_time()
        report = check_file(data, "bench.csv", max_bytes=limit)
        apply_import(report)
        db.session.commit()
        t1, cpu1 = time.perf_counter(), time.process_time()
        _report(profiler, args.profile, "check + apply + commit")
        count = db.session.scalar(select(func.count(TrainingRecord.id)))
        print(f"check + apply + commit: {t1 - t0:.2f} s; {count} records in the ledger "
              f"({count / (t1 - t0):.0f} rows/s); CPU of this process {cpu1 - cpu0:.2f} s; "
              f"load average {os.getloadavg()[0]:.1f}")
        for name, seconds in sorted(spent.items()):
            print(f"  of which in listener/hook {name}: {seconds:.2f} s")
        from lms.core import jobs

        profiler = _profiler(args.profile)
        t0 = time.perf_counter()
        ran = jobs.drain()  # the after-commit jobs (certificates of the imported cadres), in-process here
        _report(profiler, args.profile, "after-commit jobs")
        print(f"after-commit jobs (run in-process; a worker's in production): {ran} in "
              f"{time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        again = check_file(data, "bench.csv", max_bytes=limit)
        apply_import(again)
        db.session.commit()
        t1 = time.perf_counter()
        print(f"re-import (idempotent): {t1 - t0:.2f} s; added {len(again.to_add)}, skipped {len(again.skipped)}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MB")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
