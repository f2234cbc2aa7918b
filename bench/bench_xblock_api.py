"""Latency of the XBlock integration endpoints, in process (Flask test client, no network).

Seeds a published one-SCO module, ``--learners`` cadres with emails and a consumer, then measures:

* first launch of each learner (verify, map by email, create the learner account — argon2 —, open the
  attempt, log in, redirect),
* a second launch of each (resume),
* a results query of each (verify, nonce, outcome over attempts),
* refusals: bad signature, replayed nonce.

Prints p50 / p95 / max in milliseconds per step.

    .venv/bin/python bench/bench_xblock_api.py --learners 200
    .venv/bin/python bench/bench_xblock_api.py --learners 200 --database postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pgdb import make_database  # noqa: E402


def database(base: str | None, tmp: Path) -> tuple[str, callable]:
    if not base:
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    return make_database(base, "lms_bench")


def summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-xblock-"))
    url, drop = database(args.database, tmp)
    os.environ["LMS_INSTANCE_PATH"] = str(tmp)
    try:
        run(url, tmp, args.learners)
    finally:
        drop()


def run(url: str, tmp: Path, learners: int) -> None:
    from flask_migrate import upgrade

    from lms import create_app
    from lms.api import services
    from lms.catalog.services import create_module, import_package
    from lms.core.db import db
    from lms_xblock.signing import signed_params
    from tests.factories import gen_cadre, gen_unit
    from tests.lms.catalog.helpers import simple_package

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "LMS_STORAGE_DIR": str(tmp / "s"),
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade(revision="heads")
        unit = gen_unit("B1", "Công đoàn thử", "CĐCS")
        for i in range(learners):
            gen_cadre(unit, f"B{i:05d}", f"Học viên {i}", email=f"hv{i}@congdoan.vn")
        module = create_module("BENCH", "Học phần đo", hours=1)
        import_package(module, simple_package(tmp))
        _, secret = services.create_consumer("bench", "Bench")
        db.session.commit()

    def params(i: int, purpose: str) -> dict[str, str]:
        return signed_params(secret, purpose, consumer="bench", module="BENCH", anonymous_user_id=f"anon-{i}",
                             email=f"hv{i}@congdoan.vn", full_name=f"Học viên {i}")

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    steps: dict[str, list[float]] = {"first launch": [], "second launch (resume)": [], "results": [],
                                     "refused: bad signature": [], "refused: replayed nonce": []}
    for i in range(learners):
        client = app.test_client()
        for step in ("first launch", "second launch (resume)"):
            query = urlencode(params(i, "launch"))
            steps[step].append(timed(lambda q=query, c=client: _expect(c.get("/api/xblock/launch?" + q), 302)))
        body = params(i, "results")
        steps["results"].append(timed(lambda b=body: _expect(app.test_client().post("/api/xblock/results", data=b), 200)))
        bad = {**params(i, "results"), "signature": "0" * 64}
        steps["refused: bad signature"].append(timed(lambda b=bad: _expect(app.test_client().post(
            "/api/xblock/results", data=b), 403)))
        steps["refused: replayed nonce"].append(timed(lambda b=body: _expect(app.test_client().post(
            "/api/xblock/results", data=b), 409)))
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{engine}, {learners} learners")
    print("| step | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for name, samples in steps.items():
        print(summary(name, samples))


def _expect(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])


if __name__ == "__main__":
    main()
