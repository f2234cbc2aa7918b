"""The full compliance recompute, the engine before and after issue #20 in the same run (alternating).

Before: every requirement's statement ranks the courses of every cadre with records on its topics;
after: only those of the cadres it applies to (``statement.NARROW_FULL_RUNS``). Runs against the
national dataset of ``bench/gen_national.py`` (``LMS_BENCH_DB``), standards loaded as in
``bench/bench_compliance.py``. Each run is rolled back. Usage::

    LMS_BENCH_DB=lms_bench_x .venv/bin/python bench/bench_recompute.py --rounds 2
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


if __name__ == "__main__":
    main()
