"""Generate a national-scale dataset into a dedicated PostgreSQL database (``lms_bench``) with COPY.

1.5 million cadres in ~130,000 grassroots unions (63 provinces, ~10 upper-level unions each), and
10 million training records, at ``--scale 1``. The database is dropped and re-created; the schema
comes from the migrations. Usage::

    .venv/bin/python bench/gen_national.py --scale 0.01
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from datetime import date, datetime, timedelta

import psycopg

SERVER = "postgresql://postgres@127.0.0.1:5432"
#: a dedicated database (``LMS_BENCH_DB``: parallel benches each use their own)
DB = os.environ.get("LMS_BENCH_DB", "lms_bench")
URL = f"{SERVER}/{DB}"
PROVINCES = 63
UPPER_PER_PROVINCE = 10
POSITIONS = [("chair", 8), ("vice_chair", 8), ("executive_member", 40), ("inspection_member", 6),
             ("group_leader", 15), ("deputy_group_leader", 10), ("osh_officer", 10), ("other", 3)]
NULL = "\\N"
MODULES = [("LCD2024", "union_law"), ("ATVSLD", "osh"), ("TCCD", "finance"), ("DTDC", "democracy")]


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (DB,))
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')


def migrate() -> None:
    import tempfile

    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp()
    from flask_migrate import upgrade

    from lms import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": URL.replace("postgresql://", "postgresql+psycopg://"),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(revision="heads")


def _copy(conn, table: str, columns: str, lines) -> int:
    n = 0
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buf = io.StringIO()
        for line in lines:
            buf.write(line)
            n += 1
            if n % 200_000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())
    return n


def generate(scale: float, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    n_grassroots = max(int(130_000 * scale), 20)
    n_cadres = max(int(1_500_000 * scale), 200)
    n_records = max(int(10_000_000 * scale), 1000)
    now = datetime(2026, 11, 1, 3, 0).isoformat() + "+00"
    stats = {}
    t0 = time.perf_counter()
    with psycopg.connect(URL) as conn:
        units = []  # (id, parent, path, depth, level)
        units.append((1, None, "/1/", 0, "Tổng Liên đoàn"))
        next_id = 2
        provinces, uppers, grassroots = [], [], []
        for _ in range(PROVINCES):
            units.append((next_id, 1, f"/1/{next_id}/", 1, "LĐLĐ tỉnh"))
            provinces.append(next_id)
            next_id += 1
        for p in provinces:
            for _ in range(UPPER_PER_PROVINCE):
                units.append((next_id, p, f"/1/{p}/{next_id}/", 2, "CĐ cấp trên cơ sở"))
                uppers.append((next_id, p))
                next_id += 1
        for i in range(n_grassroots):
            uid, p = uppers[i % len(uppers)]
            units.append((next_id, uid, f"/1/{p}/{uid}/{next_id}/", 3, "CĐCS"))
            grassroots.append(next_id)
            next_id += 1
        stats["units"] = _copy(conn, "org_units", "id, code, name, level, parent_id, path, depth, active, created_at, updated_at", (
            f"{u[0]}\tU{u[0]}\tĐơn vị {u[0]}\t{u[4]}\t{u[1] if u[1] else NULL}\t{u[2]}\t{u[3]}\tt\t{now}\t{now}\n"
            for u in units))
        upper_ids = [u for u, _ in uppers] + provinces
        positions = [p for p, w in POSITIONS for _ in range(w)]

        def cadres():
            for cid in range(1, n_cadres + 1):
                full = rnd.random() < 0.03
                unit = rnd.choice(upper_ids) if full else grassroots[cid % len(grassroots)]
                pos = "full_time_officer" if full and rnd.random() < 0.5 else rnd.choice(positions)
                key = "t" if pos in ("chair", "vice_chair") else "f"
                appointed = date(2015, 1, 1) + timedelta(days=rnd.randrange(4300))
                yield (f"{cid}\tCB{cid:07d}\tCán bộ {cid}\tcan bo {cid}\t{rnd.choice(('male', 'female'))}\t{unit}\t{pos}\t"
                       f"{'full_time' if full else 'part_time'}\t{key}\t{appointed}\tt\t{now}\t{now}\n")

        stats["cadres"] = _copy(conn, "cadres", "id, code, full_name, name_search, gender, org_unit_id, position, "
                                "employment, is_key, appointed_on, active, created_at, updated_at", cadres())
        for i, (code, topic) in enumerate(MODULES, start=1):
            conn.execute("INSERT INTO modules (id, code, title_vi, title_en, topic, hours, description_vi, description_en,"
                         " completion_rule, attempts_allowed, new_attempt, grading, sco_aggregation, active, created_at,"
                         " updated_at) VALUES (%s, %s, %s, '', %s, 8, '', '', '{}', 0, 'never', 'highest',"
                         " 'all_complete', true, now(), now())", (i, code, code, topic))
        defs = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'training_records'"
                            " AND indexname LIKE 'ix_%%'").fetchall()
        for name, _ in defs:
            conn.execute(f'DROP INDEX "{name}"')
        start = date(2019, 1, 1)

        def records():
            for rid in range(1, n_records + 1):
                cid = rnd.randrange(1, n_cadres + 1)
                day = start + timedelta(days=rnd.randrange(2860))
                if rnd.random() < 0.6:
                    m = rnd.randrange(4)
                    module, topic, source = str(m + 1), MODULES[m][1], "online"
                    score = str(rnd.randrange(50, 101))
                else:
                    module, topic, source, score = "\\N", rnd.choice(("union_law", "osh", "finance", "democracy",
                                                                      "other")), "in_person", "\\N"
                yield (f"{rid}\t{cid}\t{module}\t{topic}\t{rnd.choice((4, 8, 8, 16))}\t{score}\t{day}\t{source}\trecord\t"
                       f"{{}}\t\t{day}T09:00:00+07\n")

        stats["records"] = _copy(conn, "training_records", "id, cadre_id, module_id, topic, hours, score, completed_on,"
                                 " source, kind, evidence, reason, created_at", records())
        for _, definition in defs:
            conn.execute(definition)
        for table in ("org_units", "cadres", "modules", "training_records"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        conn.execute("ANALYZE")
    stats["seconds"] = round(time.perf_counter() - t0, 1)
    stats["grassroots"] = n_grassroots
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    recreate_database()
    migrate()
    print(generate(args.scale), flush=True)


if __name__ == "__main__":
    main()
