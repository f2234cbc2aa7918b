"""Benchmark: spreadsheet bombs refused by lms.core.spreadsheets in < 2 s and < 200 MB peak RSS.

Run from the repository root::

    .venv/bin/python bench/bench_xlsx_bomb.py
    .venv/bin/python bench/bench_xlsx_bomb.py --old     # also the former openpyxl read (capped at 1 GiB / 20 s)

The bombs are those of tests/security/bombs.py (declared 1 M × 16 K dimension, 8 M shared strings,
a 1000× part, 3 M cells without a declared dimension), written to a temporary folder by this process.
Each refusal runs in its own child process (``python -c``: import the reader, read the file, expect
``SpreadsheetRefused``), so wall time includes interpreter start and imports and the peak RSS is
``ru_maxrss`` of that child alone from ``os.wait4``; the floor is the same child without the read.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security import bombs  # noqa: E402

TARGET_SECONDS = 2.0
TARGET_RSS_MB = 200
FLOOR = "import lms.core.spreadsheets"
PEAK = "import resource; print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
REFUSE = """
import sys, time
from lms.core.spreadsheets import SpreadsheetRefused, first_sheet_rows
start = time.perf_counter()
try:
    for _ in first_sheet_rows(open(sys.argv[1], 'rb').read()):
        pass
except SpreadsheetRefused as exc:
    print('inner', time.perf_counter() - start)
    print(exc.status, exc.code)
else:
    print('NOT REFUSED')
""" + PEAK
OLD = """
import resource, sys, time, openpyxl
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
start = time.perf_counter()
try:
    book = openpyxl.load_workbook(sys.argv[1], read_only=True)
    table = [[getattr(c, 'value', None) for c in row] for row in book.worksheets[0].iter_rows()]
    print('read', len(table), 'rows')
except MemoryError:
    print('MemoryError at the 1 GiB cap')
print('inner', time.perf_counter() - start)
""" + PEAK


def run_child(code: str, *args: str, timeout: float = 60) -> dict[str, str | float]:
    """Wall seconds, the child's own read time ("inner"), its peak RSS MB and result line."""
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout)
        out = done.stdout + done.stderr
    except subprocess.TimeoutExpired:
        out = f"killed after {timeout:.0f} s"
    found: dict[str, str | float] = {"wall": time.perf_counter() - start, "inner": float("nan"),
                                     "rss": float("nan"), "result": ""}
    for line in out.strip().splitlines():
        key, _, value = line.partition(" ")
        if key == "peak":
            found["rss"] = int(value) / 1024
        elif key == "inner":
            found["inner"] = float(value)
        elif line.strip():
            found["result"] = line.strip()[-70:]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", action="store_true",
                        help="also time the former read (openpyxl read_only, rows kept as lists, as lms.records did)")
    args = parser.parse_args()
    print("| bomb | file KB | refusal s | child wall s | peak RSS MB | result | met? |")
    print("|---|---|---|---|---|---|---|")
    floor = run_child(FLOOR + "\n" + PEAK)
    print(f"| (floor: python -c '{FLOOR}') | | | {floor['wall']:.2f} | {floor['rss']:.0f} | | |")
    with tempfile.TemporaryDirectory() as folder:
        for name, build in bombs.BOMBS.items():
            path = Path(folder) / f"{name}.xlsx"
            path.write_bytes(build())
            got = run_child(REFUSE, str(path))
            met = got["inner"] < TARGET_SECONDS and got["rss"] < TARGET_RSS_MB and "413" in str(got["result"])
            print(f"| {name} | {path.stat().st_size // 1024} | {got['inner']:.2f} | {got['wall']:.2f} | "
                  f"{got['rss']:.0f} | {got['result']} | {'yes' if met else '**no**'} |")
            if args.old:
                got = run_child(OLD, str(path), timeout=20)
                print(f"| {name}: openpyxl read_only (before) | | {got['inner']:.2f} | {got['wall']:.2f} | "
                      f"{got['rss']:.0f} | {got['result']} | |")


if __name__ == "__main__":
    main()
