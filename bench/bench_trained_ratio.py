"""Same run, same data: the home page's "cadres trained in the year / active cadres" the old way (a distinct
over the ledger plus a count over the cadres, as before migration 0800) against the maintained counts
(:mod:`lms.reports.trained`), alternately, for the root and province 2; asserts both give the same figures.

    .venv/bin/python bench/bench_trained_ratio.py --db lms_bench_headline --repeat 10

The database is one made by ``bench/bench_headline.py`` (its ``--db``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: the ledger count the home page ran before the maintained counts
LEDGER_SQL = """SELECT COUNT(DISTINCT cadre_id) FROM (
SELECT r.cadre_id FROM training_records r
JOIN cadres c ON c.id = r.cadre_id JOIN org_units u ON u.id = c.org_unit_id
WHERE u.path >= :p AND u.path < :pe AND c.active AND r.kind = 'record' AND r.source <> 'waiver'
  AND r.completed_on BETWEEN :s AND :e
  AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind IN ('correction', 'revocation'))
UNION
SELECT r.cadre_id FROM training_records k
JOIN cadres c ON c.id = k.cadre_id JOIN org_units u ON u.id = c.org_unit_id
JOIN training_records r ON r.id = k.amends_id
WHERE k.kind = 'correction' AND k.completed_on BETWEEN :s AND :e
  AND k.id = (SELECT MAX(k2.id) FROM training_records k2 WHERE k2.amends_id = r.id AND k2.kind = 'correction')
  AND u.path >= :p AND u.path < :pe AND c.active AND r.kind = 'record' AND r.source <> 'waiver'
  AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind = 'revocation')
) trained"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="lms_bench_headline")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp()
    from sqlalchemy import func, select, text

    from lms import create_app
    from lms.core.db import db
    from lms.org.models import Cadre, OrgUnit
    from lms.reports import trained

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.db}",
                      "SECRET_KEY": "bench"})
    with app.app_context():
        year = date.today().year
        for unit_id in (1, 2):
            unit = db.session.get(OrgUnit, unit_id)

            def ledger(unit=unit):
                active = db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
                                           .where(OrgUnit.path >= unit.path, OrgUnit.path < unit.path_end, Cadre.active))
                done = db.session.execute(text(LEDGER_SQL), {"p": unit.path, "pe": unit.path_end,
                                                             "s": date(year, 1, 1), "e": date(year, 12, 31)}).scalar()
                return done, active

            def counts(unit=unit):
                return trained.counts(unit, year)

            assert ledger() == counts(), (ledger(), counts())
            times: dict[str, list[float]] = {"ledger": [], "counts": []}
            for _ in range(args.repeat):
                for name, fn in (("ledger", ledger), ("counts", counts)):
                    start = time.perf_counter()
                    fn()
                    times[name].append((time.perf_counter() - start) * 1000)
            old, new = statistics.median(times["ledger"]), statistics.median(times["counts"])
            print(f"unit {unit.code} (depth {unit.depth}) trained/active {counts()}: ledger p50 {old:.1f} ms,"
                  f" counts p50 {new:.2f} ms, ratio {old / new:.0f}x")
        print("load average", [round(x, 1) for x in os.getloadavg()])


if __name__ == "__main__":
    main()
