"""Benchmark of the sequencing parse → check → describe path on a large SCORM 2004 manifest.

Run from the repository root::

    .venv/bin/python bench/bench_sequencing.py              # 1,000 SCOs, as in docs/benchmarks.md
    .venv/bin/python bench/bench_sequencing.py --scos 200

The manifest is written by ``scorm.build_course`` (every SCO with pre/post rules, limit conditions,
an objective mapped to a global one, rollup at every cluster of ten) and then parsed, checked and
described as an upload does; the best of five runs of each step is reported, in milliseconds.
"""

from __future__ import annotations

import argparse
import time

from scorm.build_course import Activity, CourseSource, build_course_manifest
from scorm.manifest import check_manifest, parse_manifest
from scorm.sequencing import (
    ControlMode,
    LimitConditions,
    MapInfo,
    Objective,
    RollupCondition,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
)
from scorm.sequencing.report import describe_sequencing

LEAF = Sequencing(
    sequencing_rules=(SequencingRule("pre", "skip", (RuleCondition("satisfied", referenced_objective="p"),)),
                      SequencingRule("post", "retry", (RuleCondition("satisfied", "not"),))),
    limit_conditions=LimitConditions(3, "PT1H"),
    objectives=(Objective("p", True, True, 0.8, (MapInfo("g", write_satisfied_status=True),)),))
CLUSTER = Sequencing(control_mode=ControlMode(choice=False, flow=True), rollup_rules=RollupRules(rules=(
    RollupRule("satisfied", (RollupCondition("satisfied"),), "atLeastPercent", minimum_percent=0.8),)))


def course(scos: int) -> CourseSource:
    clusters = tuple(
        Activity(f"C{c}", f"Chương {c}", sequencing=CLUSTER, children=tuple(
            Activity(f"S{c}_{n}", f"Bài {n}", sequencing=LEAF) for n in range(min(10, scos - c * 10))))
        for c in range((scos + 9) // 10))
    return CourseSource("BENCH", "Benchmark", clusters, sequencing=CLUSTER)


def best(step, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scos", type=int, default=1000)
    args = parser.parse_args()
    data = build_course_manifest(course(args.scos))
    manifest = parse_manifest(data)
    print(f"manifest: {len(data) / 1024:.0f} KiB, {args.scos} SCOs")
    print(f"parse    {best(lambda: parse_manifest(data)):8.1f} ms")
    print(f"check    {best(lambda: check_manifest(manifest)):8.1f} ms")
    print(f"describe {best(lambda: describe_sequencing(manifest)):8.1f} ms")


if __name__ == "__main__":
    main()
