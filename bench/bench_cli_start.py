"""Start-up time of the ``lms`` command: ``lms --help`` and ``lms packages inspect <zip>`` (target ≤ 0.5 s),
beside the floor (a bare ``python -c pass`` of the same interpreter) and a command that builds the app
(``lms routes``), each the median of ``--runs`` fresh processes.

Run from the repository root::

    .venv/bin/python bench/bench_cli_start.py            # 7 runs each
    .venv/bin/python bench/bench_cli_start.py --runs 15
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], runs: int) -> tuple[float, float, float]:
    """(median, min) wall seconds and the median CPU seconds (user + system) of ``runs`` fresh processes.

    The CPU time does not include waiting for a core, so it is the figure to read on a loaded machine."""
    times, cpu = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), _children_cpu()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - cpu_start)
    return statistics.median(times), min(times), statistics.median(cpu)


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
        floor = floor_cpu = None
        for name, argv in cases:
            median, best, cpu = timed(argv, args.runs)
            floor, floor_cpu = floor or median, floor_cpu or cpu
            print(f"{name:<30} median {median:.3f} s  min {best:.3f} s  ×floor {median / floor:.1f}  "
                  f"CPU {cpu:.3f} s (×floor {cpu / floor_cpu:.1f})")
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
