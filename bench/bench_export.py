"""Benchmark of the streamed xlsx export: 500,000 cadre rows, wall time and peak RSS of the exporting process.

Run from the repository root::

    .venv/bin/python bench/bench_export.py                 # 500,000 cadres (docs/benchmarks.md)
    .venv/bin/python bench/bench_export.py --cadres 50000  # quicker

A SQLite database in a temporary folder gets the schema from the migrations, 1 + 63 provinces +
630 grassroots unions and N cadres with Vietnamese names (bulk INSERTs; not timed). Then a child
process runs ``lms report cadres --org VN --format xlsx`` — the same code path as the page's export —
and its wall time, CPU time (user + system; what the wall time would be on an idle core) and peak RSS
(``os.wait4``) are reported against the targets (≤ 60 s, ≤ 200 MB).
The xlsx is opened read-only with openpyxl afterwards to check the row count and a name.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LMS = str(ROOT / ".venv" / "bin" / "lms")
TARGET_SECONDS = 60
TARGET_RSS_MB = 200
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh",
         "Mai", "Nam", "Nga", "Nhung", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến", "Ánh", "Đức"]
POSITIONS = ["chair", "vice_chair", "executive_member", "inspection_member", "group_leader", "osh_officer", "other"]


def _env(instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(LMS_INSTANCE_PATH=str(instance), LMS_DATABASE_URL=f"sqlite:///{instance / 'bench.sqlite3'}",
               LMS_SECRET_KEY="bench", LMS_ENV="development")
    return env


def generate(instance: Path, cadres: int, seed: int = 7) -> None:
    """Schema from the migrations, then the tree and the cadres with plain bulk INSERTs."""
    subprocess.run([LMS, "db", "upgrade", "heads"], env=_env(instance), check=True, capture_output=True)
    rnd = random.Random(seed)
    conn = sqlite3.connect(instance / "bench.sqlite3")
    now = "2026-01-01 00:00:00"
    units = [(1, "VN", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn", None, "/1/", 0)]
    leaves = []
    next_id = 2
    for p in range(63):
        pid = next_id
        next_id += 1
        units.append((pid, f"P{p:02d}", f"Liên đoàn Lao động tỉnh số {p + 1}", "LĐLĐ tỉnh", 1, f"/1/{pid}/", 1))
        for g in range(10):
            gid = next_id
            next_id += 1
            units.append((gid, f"P{p:02d}-G{g}", f"Công đoàn cơ sở Công ty Cổ phần số {p + 1}.{g + 1}", "CĐCS", pid,
                          f"/1/{pid}/{gid}/", 2))
            leaves.append((gid, f"/1/{pid}/{gid}/"))
    conn.executemany("INSERT INTO org_units (id, code, name, level, parent_id, path, depth, active, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)", [(*u, now, now) for u in units])
    batch = []
    for i in range(cadres):
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        unit_id = leaves[i % len(leaves)][0]
        batch.append((f"CB{i:07d}", name, name.lower(), "female" if i % 2 else "male", f"19{70 + i % 30}-0{1 + i % 9}-15",
                      f"cb{i}@example.vn", unit_id, rnd.choice(POSITIONS), "part_time", i % 5 == 0, "2024-01-15",
                      now, now))
        if len(batch) == 50_000:
            _insert_cadres(conn, batch)
            batch = []
    _insert_cadres(conn, batch)
    conn.commit()
    conn.close()


def _insert_cadres(conn, rows) -> None:
    conn.executemany(
        "INSERT INTO cadres (code, full_name, name_search, gender, birth_date, email, org_unit_id, position,"
        " employment, is_key, appointed_on, active, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)", rows)


def run_export(instance: Path, output: Path) -> dict:
    """The export in a child process: wall seconds and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen([LMS, "report", "cadres", "--org", "VN", "--format", "xlsx", "--output", str(output)],
                            env=_env(instance), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(proc.stderr.read().decode())
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "file_mb": round(output.stat().st_size / 1024 / 1024, 1)}


def check(output: Path, cadres: int) -> None:
    """Open the file read-only: header + one row per cadre, frozen header."""
    import openpyxl

    workbook = openpyxl.load_workbook(output, read_only=True)
    sheet = workbook.worksheets[0]
    rows = sum(1 for _ in sheet.iter_rows(values_only=True))
    workbook.close()
    assert rows == cadres + 1, (rows, cadres)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        started = time.perf_counter()
        generate(folder, args.cadres)
        print(f"generated {args.cadres} cadres in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        output = folder / "cadres.xlsx"
        result = run_export(folder, output)
        check(output, args.cadres)
        result.update(cadres=args.cadres, target_seconds=TARGET_SECONDS, target_rss_mb=TARGET_RSS_MB,
                      ok=result["seconds"] <= TARGET_SECONDS and result["peak_rss_mb"] <= TARGET_RSS_MB)
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
