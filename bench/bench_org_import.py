"""Benchmark: import an xlsx of 100,000 cadres (and the units they need) into SQLite and PostgreSQL.

    .venv/bin/python bench/bench_org_import.py [--cadres 100000] [--skip-postgres]

The workbook is generated with XlsxWriter (constant memory) in a temp dir. Each import runs in a
child process on a fresh database (schema by the migrations, not timed); the child times the import
(read + check + plan + write + commit) and a second, unchanged re-import. Peak RSS is read in the
parent from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after each child. Target: ≤ 30 s, ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.pgdb
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
UNIT_HEAD = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên"]
CADRE_HEAD = ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Email", "Điện thoại", "Mã đơn vị", "Chức vụ",
              "Loại cán bộ", "Cán bộ chủ chốt", "Ngày bổ nhiệm", "Đang hoạt động"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Phan", "Đặng", "Bùi", "Đỗ", "Nông", "Lục"]
MIDDLE = ["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc", "Quốc", "Thanh"]
GIVEN = ["Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Mai", "Nam", "Hà", "Long", "Linh", "Sơn", "Trang"]
POSITIONS = ["Chủ tịch", "Phó Chủ tịch", "Ủy viên Ban Chấp hành", "Ủy viên Ban Chấp hành", "Tổ trưởng công đoàn",
             "Tổ trưởng công đoàn", "Tổ phó công đoàn", "An toàn, vệ sinh viên", "Ủy viên Ủy ban Kiểm tra"]


def generate(path: Path, cadres: int, per_unit: int = 50) -> tuple[int, int]:
    """Write the workbook: a root, 5 provinces, 10 upper-level unions each, grassroots of ``per_unit`` cadres."""
    import xlsxwriter

    rng = random.Random(7)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    units = book.add_worksheet("Đơn vị")
    units.write_row(0, 0, UNIT_HEAD)
    rows = [["TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn", ""]]
    uppers = []
    for p in range(5):
        rows.append([f"P{p}", f"Liên đoàn Lao động tỉnh {p}", "LĐLĐ tỉnh/thành phố", "TLD"])
        for u in range(10):
            uppers.append(f"P{p}-U{u}")
            rows.append([uppers[-1], f"Công đoàn cấp trên {p}.{u}", "Công đoàn cấp trên trực tiếp cơ sở", f"P{p}"])
    grassroots = []
    for g in range((cadres + per_unit - 1) // per_unit):
        grassroots.append(f"{uppers[g % len(uppers)]}-G{g:05d}")
        rows.append([grassroots[-1], f"Công đoàn Công ty TNHH Số {g}", "Công đoàn cơ sở", uppers[g % len(uppers)]])
    for i, row in enumerate(rows, start=1):
        units.write_row(i, 0, row)
    sheet = book.add_worksheet("Cán bộ")
    sheet.write_row(0, 0, CADRE_HEAD)
    for i in range(cadres):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        position = POSITIONS[i % per_unit % len(POSITIONS)]
        sheet.write_row(i + 1, 0, [f"CB{i:07d}", name, "Nữ" if rng.random() < 0.5 else "Nam"])
        sheet.write_datetime(i + 1, 3, date(1965, 1, 1) + timedelta(days=rng.randrange(12000)), date_format)
        sheet.write_row(i + 1, 4, [f"cb{i}@congdoan.vn" if i % 3 == 0 else "", f"09{rng.randrange(10**7, 10**8)}",
                                   grassroots[i // per_unit], position, "Không chuyên trách",
                                   "có" if position in ("Chủ tịch", "Phó Chủ tịch") else "không"])
        sheet.write_datetime(i + 1, 10, date(2019, 1, 1) + timedelta(days=rng.randrange(2800)), date_format)
        sheet.write_string(i + 1, 11, "có")
    book.close()
    return len(rows), cadres


def child(database_url: str, file: str) -> None:
    """Build the schema, then time the import and an unchanged re-import; print JSON."""
    os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-instance-")
    from flask_migrate import upgrade

    from lms import create_app
    from lms.core.db import command_transaction
    from lms.org.importer import import_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    out = {}
    with app.app_context():
        upgrade(revision="heads")
        for label in ("import", "reimport"):
            started, cpu = time.perf_counter(), time.process_time()
            with command_transaction():
                report = import_file(file, Path(file).name, max_bytes=200 * 1024 * 1024)
            out[label] = {"seconds": round(time.perf_counter() - started, 2),
                          "cpu_seconds": round(time.process_time() - cpu, 2), **report.counts(),
                          "accounts": report.accounts}
    out["self_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_average"] = os.getloadavg()[0]
    print(json.dumps(out))


def run_child(database_url: str, file: Path) -> dict:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--child", database_url, str(file)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["child_wall_seconds"] = round(time.perf_counter() - started, 2)
    data["children_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return data


def postgres_database() -> tuple[str, callable]:
    from tests.pgdb import make_database

    return make_database(PG_BASE + "/postgres", prefix="bench_org")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-org-") as folder:
        file = Path(folder) / "canbo.xlsx"
        started = time.perf_counter()
        units, cadres = generate(file, args.cadres)
        print(f"generated {file.name}: {units} units, {cadres} cadres, {file.stat().st_size / 1048576:.1f} MB "
              f"in {time.perf_counter() - started:.1f} s")
        print("sqlite:", json.dumps(run_child(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", file)))
        if not args.skip_postgres:
            url, drop = postgres_database()
            try:
                print("postgresql:", json.dumps(run_child(url, file)))
            finally:
                drop()


if __name__ == "__main__":
    main()
