"""Upload a large SCORM package through the lecturer page and measure wall time and peak memory.

    .venv/bin/python bench/bench_catalog_upload.py [MEGABYTES]

Builds a valid SCORM 1.2 package holding one incompressible "video" of MEGABYTES MiB (default 300)
in a temporary folder, creates a throw-away app (SQLite, temporary storage), logs a lecturer in and
POSTs the zip to ``/modules/<code>/upload`` with the Flask test client (multipart, CSRF included),
streaming from the file object. Prints the wall time of the request, Python's peak traced allocation
(tracemalloc) during it and the process's peak RSS (``ru_maxrss``) before and after.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(megabytes: int) -> None:
    from tests.lms.catalog.helpers import large_package

    work = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    os.environ["LMS_INSTANCE_PATH"] = str(work / "instance")
    from flask_migrate import upgrade

    from lms import create_app
    from lms.accounts.services import create_user
    from lms.catalog import services
    from lms.core.db import db
    from lms.core.roles import Role

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'b.db'}", "LMS_STORAGE_DIR": str(work / "s"),
                      "SESSION_COOKIE_SECURE": False, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(revision="heads")
        create_user("gv.bench", "matkhau-123", {Role.lecturer}, full_name="Bench")
        services.create_module("BENCH", "Gói lớn")
        db.session.commit()
    zip_path = large_package(work, megabytes)
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"login": "gv.bench", "password": "matkhau-123", "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/modules/BENCH").get_data(as_text=True))[1]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    started = time.perf_counter()
    with open(zip_path, "rb") as fh:
        response = client.post("/modules/BENCH/upload", data={"csrf_token": token, "package": (fh, "big.zip")})
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = zip_path.stat().st_size / 2**20
    print(f"status {response.status_code}; zip {size:.0f} MiB; request {elapsed:.2f} s "
          f"({size / elapsed:.0f} MiB/s); tracemalloc peak {peak / 2**20:.1f} MiB; "
          f"ru_maxrss {rss_before:.0f} -> {rss_after:.0f} MiB")
    import shutil

    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
