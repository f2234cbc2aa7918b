"""What enqueueing the xAPI send job costs the transaction that queues statements (issue #20): ``--records``
ledger records appended in one transaction with an LRS configured (each queues an ``attended`` statement
and asks for the send job), once with the job enqueued as the app does and once with the enqueue replaced
by a no-op; process CPU time per record, rounds alternated, the median of each and their ratio.

    .venv/bin/python bench/bench_xapi_enqueue.py --records 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LMS_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        run(Path(tmp), args.records, args.rounds)


def run(folder: Path, count: int, rounds: int) -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.catalog.models import Module
    from lms.core.db import db
    from lms.records.services import append_record
    from lms.xapi import jobs as xapi_jobs
    from tests.factories import gen_cadre, gen_unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "LMS_XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI", "LMS_JOBS_EAGER": True})
    real = xapi_jobs.schedule_send
    timings: dict[str, list[float]] = {"with the job": [], "without": []}
    with app.app_context():
        upgrade(revision="heads")
        cadre = gen_cadre(gen_unit("B", "Công đoàn thử", "CĐCS"), "B0001", "Nguyễn Văn Thử")
        module = Module(code="ATVSLD", title_vi="An toàn, vệ sinh lao động", topic="osh", hours=4)
        db.session.add(module)
        db.session.commit()
        serial = 0
        for _ in range(rounds):
            for label, enqueue in (("with the job", real), ("without", lambda: None)):
                xapi_jobs.schedule_send = enqueue
                started = time.process_time()
                for _n in range(count):
                    serial += 1
                    append_record(cadre.id, source="in_person", completed_on=date(2026, 1, 1) + timedelta(serial % 300),
                                  topic="osh", hours=2, module_id=module.id,
                                  evidence={"class_id": serial, "title": f"Lớp {serial}"})
                db.session.commit()
                timings[label].append((time.process_time() - started) / count * 1000)
        xapi_jobs.schedule_send = real
    with_job, without = (statistics.median(timings[k]) for k in ("with the job", "without"))
    print(f"{count} records x {rounds} rounds, CPU ms per record (median): with the send job {with_job:.3f}, "
          f"without {without:.3f}, ratio {with_job / without:.3f}")


if __name__ == "__main__":
    main()
