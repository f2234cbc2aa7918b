"""The full compliance recompute, the engine before and after issue #20 in the same run (alternating).

Before: every requirement's statement ranks the courses of every cadre with records on its topics;
after: only those of the cadres it applies to (``statement.NARROW_FULL_RUNS``). Runs against the
national dataset of ``bench/gen_national.py`` (``LMS_BENCH_DB``), standards loaded as in
``bench/bench_compliance.py``. Each run is rolled back. Usage::

    LMS_BENCH_DB=lms_bench_x .venv/bin/python bench/bench_recompute.py --rounds 2

With ``--counts``: one full recompute, then only the counts it rebuilds (per-unit, per-standard, the top
units' rollups), the code before the rework (``bench/counts_before.py``) and after, alternating, each in a
savepoint rolled back (so each starts from the statuses just rewritten, as in a recompute). Times are the
database's (wall clock; the client waits) — compare the ratio of the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_national  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--counts", action="store_true", help="time the counts rebuild only, before/after")
    args = parser.parse_args()
    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp()
    from lms import create_app
    from lms.core.db import db
    from lms.standards import engine, services, statement
    from lms.standards.cli import DEFAULTS
    from lms.standards.loader import read_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": gen_national.URL.replace("postgresql://", "postgresql+psycopg://"),
                      "SECRET_KEY": "bench"})
    times: dict[str, list[float]] = {"before": [], "after": []}
    with app.app_context():
        for path in sorted(DEFAULTS.iterdir()):
            for item in read_file(path):
                item["requirements"] = [r for r in item["requirements"] if r["code"] != "CT-DTDC"]
                services.upsert_standard(item)
        db.session.commit()
        if args.counts:
            return _counts(args.rounds)
        for _ in range(args.rounds):
            for name, narrow in (("before", False), ("after", True)):
                statement.NARROW_FULL_RUNS = narrow
                start = time.perf_counter()
                rows = engine.recompute()
                times[name].append(time.perf_counter() - start)
                db.session.rollback()
                print(f"{name}: {times[name][-1]:.1f} s ({rows} status rows), load {os.getloadavg()[0]:.1f}",
                      flush=True)
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    print(f"median before {before:.1f} s, after {after:.1f} s, ratio {before / after:.2f}", flush=True)


def _counts(rounds: int) -> None:
    """Old and new counts rebuild after one full recompute (same transaction), alternating."""
    import counts_before

    from lms.core.db import db
    from lms.standards import counts, engine

    def after() -> None:
        counts.rebuild_counts()
        counts.rebuild_rollup()

    rows = engine.recompute()
    print(f"{rows} status rows, load {os.getloadavg()[0]:.1f}", flush=True)
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for name, fn in (("before", counts_before.rebuild), ("after", after)):
            savepoint = db.session.begin_nested()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            savepoint.rollback()
            print(f"counts {name}: {times[name][-1]:.2f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    db.session.rollback()
    before, after_ = statistics.median(times["before"]), statistics.median(times["after"])
    print(f"counts median before {before:.2f} s, after {after_:.2f} s, ratio {before / after_:.2f}", flush=True)


if __name__ == "__main__":
    main()
