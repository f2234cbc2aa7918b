"""The counts rebuild of ``lms/standards/counts.py`` before issue #20's rework, kept for
``bench/bench_recompute.py --counts`` (the same run alternates it with the current code). Not used by the app."""

from __future__ import annotations

from lms.standards.counts import _COUNTS_INSERT, _COUNTS_SELECT, _STD_INSERT, OVERALL, VALID_SQL
from lms.standards.models import ROLLUP_DEPTH
from lms.standards.sql import execute

_FLAGS = """SELECT s.org_unit_id AS u, MIN(s.org_path) AS p, {sid} AS sid, s.cadre_id AS cid,
    MIN(CASE WHEN {valid} THEN 1 ELSE 0 END) AS met,
    MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) AS late,
    MAX(CASE WHEN s.state = 'due_soon' THEN 1 ELSE 0 END) AS soon
  FROM compliance_statuses s JOIN requirements q ON q.id = s.requirement_id
  GROUP BY s.org_unit_id, s.cadre_id{group}"""


def unit_counts() -> None:
    execute("DELETE FROM compliance_unit_counts", {})
    execute(_COUNTS_INSERT + _COUNTS_SELECT.format(where=""), {})


def standard_counts() -> None:
    """Two groupings of the statuses: per standard, and again for the overall row."""
    per_standard = _FLAGS.format(sid="q.standard_id", valid=VALID_SQL, group=", q.standard_id")
    overall = _FLAGS.format(sid=str(OVERALL), valid=VALID_SQL, group="")
    execute("DELETE FROM compliance_standard_counts", {})
    execute(_STD_INSERT + "SELECT f.u, f.sid, MIN(f.p), COUNT(*), SUM(f.met), SUM(f.late),"
            " SUM(CASE WHEN f.late = 0 THEN f.soon ELSE 0 END)"
            f" FROM ({per_standard}\nUNION ALL\n{overall}) f GROUP BY f.u, f.sid", {})


def rollup() -> None:
    """A range scan of the per-unit counts per top unit (the root's is the whole table)."""
    params = {"rollup_depth": ROLLUP_DEPTH}
    execute("DELETE FROM compliance_count_deltas", {})
    execute("DELETE FROM compliance_rollup_counts", {})
    execute("INSERT INTO compliance_rollup_counts (org_unit_id, requirement_id, state, n, renewing)"
            " SELECT a.id, c.requirement_id, c.state, SUM(c.n), SUM(c.renewing) FROM org_units a"
            " JOIN compliance_unit_counts c ON c.org_path >= a.path AND c.org_path < a.path || '~'"
            " WHERE a.depth <= :rollup_depth GROUP BY a.id, c.requirement_id, c.state", params)
    execute("DELETE FROM compliance_standard_deltas", {})
    execute("DELETE FROM compliance_standard_rollups", {})
    execute("INSERT INTO compliance_standard_rollups (org_unit_id, standard_id, applicable, met, overdue, due_soon)"
            " SELECT a.id, c.standard_id, SUM(c.applicable), SUM(c.met), SUM(c.overdue), SUM(c.due_soon)"
            " FROM org_units a JOIN compliance_standard_counts c ON c.org_path >= a.path"
            " AND c.org_path < a.path || '~' WHERE a.depth <= :rollup_depth GROUP BY a.id, c.standard_id", params)


def rebuild() -> None:
    """What ``rebuild_counts(); rebuild_rollup()`` did after a full recompute."""
    unit_counts()
    standard_counts()
    rollup()
