"""Start-up time of the ``lms`` command: ``lms --help`` and ``lms packages inspect <zip>`` (target ≤ 0.5 s),
beside the floor (a bare ``python -c pass`` of the same interpreter) and a command that builds the app
(``lms routes``), each the median of ``--runs`` fresh processes.

Run from the repository root::

    .venv/bin/python bench/bench_cli_start.py            # 7 runs each
    .venv/bin/python bench/bench_cli_start.py --runs 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _lms() -> list[str]:
    script = Path(sys.executable).with_name("lms")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from lms.cli import main; main()"]


def timed(argv: list[str], runs: int) -> tuple[float, float]:
    """(median, min) wall seconds of ``runs`` fresh processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from tests.lms.catalog.helpers import simple_package

    with tempfile.TemporaryDirectory() as tmp:
        package = simple_package(Path(tmp))
        cases = [("python -c pass (floor)", [sys.executable, "-c", "pass"]),
                 ("lms --help", [*_lms(), "--help"]),
                 ("lms packages inspect <zip>", [*_lms(), "packages", "inspect", str(package)]),
                 ("lms routes (builds the app)", [*_lms(), "routes"])]
        floor = None
        for name, argv in cases:
            median, best = timed(argv, args.runs)
            floor = floor or median
            print(f"{name:<30} median {median:.3f} s  min {best:.3f} s  ×floor {median / floor:.1f}")


if __name__ == "__main__":
    main()
