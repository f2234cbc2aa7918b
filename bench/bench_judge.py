"""CPU of one commit's merge (``lms.player.merge.judge``: validation, session time, outcome), no database.

Two SCORM 1.2 commits against a stored state: ``bench`` is the commit of ``bench_commits.py`` (bookmark,
200 characters of suspend_data, the session time) over a launched state; ``echo10`` is what a runtime
sends after ten answered questions — every element it holds (92, ten interactions) sent back with the
same three changes. Prints the best and the median of seven rounds, in µs per commit (process CPU).

    .venv/bin/python bench/bench_judge.py
    .venv/bin/python bench/bench_judge.py 5000      # commits per round
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lms.player.commit_sql import StateRow  # noqa: E402
from lms.player.merge import Commit, judge  # noqa: E402
from lms.player.versions import VersionInfo  # noqa: E402

STATE = {"cmi.core.student_id": "bench0", "cmi.core.student_name": "Nguyễn Văn A", "cmi.core.credit": "credit",
         "cmi.core.lesson_mode": "normal", "cmi.core.entry": "ab-initio", "cmi.core.lesson_status": "incomplete",
         "cmi.core.total_time": "0000:01:00.00", "cmi.core.lesson_location": "page-1", "cmi.suspend_data": "s" * 200,
         "cmi.launch_data": "", "cmi.student_data.mastery_score": "80"}
ANSWERED = dict(STATE)
for i in range(10):
    ANSWERED.update({
        f"cmi.interactions.{i}.id": f"q{i}", f"cmi.interactions.{i}.type": "choice",
        f"cmi.interactions.{i}.student_response": "a", f"cmi.interactions.{i}.result": "correct",
        f"cmi.interactions.{i}.time": "10:00:00", f"cmi.interactions.{i}.latency": "0000:00:05.00",
        f"cmi.interactions.{i}.weighting": "1", f"cmi.interactions.{i}.objectives.0.id": f"o{i}"})


def changes(n: int) -> dict[str, str]:
    return {"cmi.core.lesson_location": f"page-{n}", "cmi.suspend_data": "s" * 200 + str(n),
            "cmi.core.session_time": f"00:{n // 60 % 60:02d}:{n % 60:02d}"}


def row(cmi: dict[str, str]) -> StateRow:
    return StateRow(1, cmi, 5, "bench", Decimal(60), "incomplete", "unknown", None, 1, "in_progress", None, False,
                    "x", 1, Decimal(0), None, 1)


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    info = VersionInfo(1, "1.2", None, {"sco1": {}}, frozenset({"sco1"}))  # type: ignore[arg-type]
    for name, state, payload in (("bench", STATE, changes), ("echo10", ANSWERED, lambda n: {**ANSWERED, **changes(n)})):
        batch = [Commit(6, "bench", payload(n)) for n in range(commits)]
        for commit in batch[:200]:
            judge(row(state), info, "sco1", commit, False)
        rounds = []
        for _ in range(7):
            started = time.process_time()
            for commit in batch:
                judge(row(state), info, "sco1", commit, False)
            rounds.append((time.process_time() - started) / commits * 1e6)
        print(f"{name}: best {min(rounds):.1f} µs, median {sorted(rounds)[3]:.1f} µs per commit ({commits} commits × 7)")


if __name__ == "__main__":
    main()
