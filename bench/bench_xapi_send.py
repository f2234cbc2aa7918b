"""Throughput of ``lms xapi send`` against a real Ralph LRS (file-system backend, started here, as in the
tests): ``--statements`` statements are queued in the outbox (SQLite), then sent in one run; prints the
statements per second and the ms per statement. Needs `make ralph`.

    .venv/bin/python bench/bench_xapi_send.py --statements 300
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.lms.xapi import ralph as lrs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=300)
    args = parser.parse_args()
    binary = lrs.ralph_bin()
    if binary is None:
        sys.exit("Ralph is not installed: make ralph")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["LMS_INSTANCE_PATH"] = str(folder / "instance")
        server = lrs.start(binary, folder / "ralph")
        try:
            run(server, folder, args.statements)
        finally:
            server.stop()


def run(server: lrs.Ralph, folder: Path, count: int) -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.core.db import db
    from lms.xapi import sender, statements
    from lms.xapi.models import XapiOutbox

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "LMS_XAPI_ENDPOINT": server.url, "LMS_XAPI_USERNAME": lrs.USERNAME,
                      "LMS_XAPI_PASSWORD": lrs.PASSWORD})
    with app.app_context():
        upgrade(revision="heads")
        for n in range(count):
            facts = statements.Facts(base_url="https://lms.bench", record_id=n, cadre_code=f"HN{n:05d}",
                                     source="online", timestamp=datetime.now(UTC), score=Decimal(80),
                                     hours=Decimal(4), module_code="ATVSLD", package_number=1, success="passed")
            body = statements.build(facts, "completed")
            db.session.add(XapiOutbox(statement_id=body["id"], verb="completed", statement=body))
        db.session.commit()
        started = time.perf_counter()
        result = sender.send_pending(limit=count)
        db.session.commit()
        elapsed = time.perf_counter() - started
    print(f"sent {result.sent}/{count} (retrying {result.retrying}) in {elapsed:.1f} s: "
          f"{result.sent / elapsed:.0f} statements/s, {1000 * elapsed / max(count, 1):.1f} ms per statement")


if __name__ == "__main__":
    main()
