"""Pre-aggregated counts the dashboards read, maintained with the statuses.

* Per requirement and state (``compliance_unit_counts``): how many of a unit's own cadres are in each
  state — the per-requirement tables of the dashboard.
* Per standard, in distinct cadres (``compliance_standard_counts``): how many of a unit's own cadres a
  standard applies to, how many meet it (every requirement of it that applies to them is valid: compliant,
  waived, or due soon but still valid), how many have something overdue (overdue or expired) and how many
  have something due soon and nothing overdue. ``standard_id`` :data:`OVERALL` (0) is every standard
  together — the headline "cadres meeting the standard / cadres it applies to".

Both are rebuilt with one ``GROUP BY`` by a full recompute and adjusted per cadre (old −1, new +1) in the
record's transaction. The top units' subtree totals are a snapshot (``compliance_rollup_counts``,
``compliance_standard_rollups``) plus append-only deltas (no shared row locked by concurrent updates).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from lms.core.db import db
from lms.standards.sql import execute, in_list

#: ``standard_id`` of the overall row: every standard in force together
OVERALL = 0
#: states that count as meeting a requirement (``due_soon`` only while still valid, see :data:`VALID_SQL`)
VALID_SQL = ("(s.state IN ('compliant', 'waived') OR (s.state = 'due_soon' AND s.satisfied_on IS NOT NULL))")
LATE_STATES = ("overdue", "expired")


#: what a status row contributes to the per-unit counts
RETURNING = (" RETURNING org_unit_id, org_path, requirement_id, state,"
              " CASE WHEN state = 'due_soon' AND satisfied_on IS NOT NULL THEN 1 ELSE 0 END")
_COUNTS_SELECT = ("SELECT org_unit_id, requirement_id, state, MIN(org_path), COUNT(*),"
                  " SUM(CASE WHEN state = 'due_soon' AND satisfied_on IS NOT NULL THEN 1 ELSE 0 END)"
                  " FROM compliance_statuses{where} GROUP BY org_unit_id, requirement_id, state")
_COUNTS_INSERT = "INSERT INTO compliance_unit_counts (org_unit_id, requirement_id, state, org_path, n, renewing) "


def rebuild_counts(where: str = "", params: dict[str, Any] | None = None) -> None:
    """Recount ``compliance_unit_counts`` from the statuses (all, or the rows matching ``where``).

    ``where`` is a condition on the columns both tables share (``org_unit_id``, ``requirement_id``,
    ``org_path``); one ``DELETE`` and one ``INSERT … SELECT … GROUP BY``.
    """
    params = params or {}
    cond = f" WHERE {where}" if where else ""
    execute(f"DELETE FROM compliance_unit_counts{cond}", params)
    execute(_COUNTS_INSERT + _COUNTS_SELECT.format(where=cond), params)
    # a cadre meets a standard on all its requirements: one requirement's rows change every standard row
    rebuild_standard_counts("" if "requirement_id" in where else where, params)


_ROLLUP_SELECT = (
    "SELECT a.id, c.requirement_id, c.state, SUM(c.n), SUM(c.renewing) FROM org_units a"
    " JOIN compliance_unit_counts c ON c.org_path >= a.path AND c.org_path < a.path || '~'"
    " WHERE a.depth <= :rollup_depth{cond} GROUP BY a.id, c.requirement_id, c.state")


def rebuild_rollup(requirement_id: int | None = None) -> None:
    """Rebuild the top units' subtree snapshot from the per-unit counts and drop the folded deltas.

    All requirements, or one; a range scan of the per-unit counts per top unit (the root and ~63 provinces).
    """
    from lms.standards.models import ROLLUP_DEPTH

    params: dict[str, Any] = {"rollup_depth": ROLLUP_DEPTH}
    cond = where = ""
    if requirement_id is not None:
        params["rid"] = requirement_id
        cond, where = " AND c.requirement_id = :rid", " WHERE requirement_id = :rid"
    execute(f"DELETE FROM compliance_count_deltas{where}", params)
    execute(f"DELETE FROM compliance_rollup_counts{where}", params)
    execute("INSERT INTO compliance_rollup_counts (org_unit_id, requirement_id, state, n, renewing) "
            + _ROLLUP_SELECT.format(cond=cond), params)
    rebuild_standard_rollup()


def adjust_counts(old: list, new: list) -> None:
    """Apply the difference between the status rows removed (``old``) and added (``new``) to the counts.

    Keys are written in sorted order (no deadlock between two transactions adjusting the same units);
    a cadre whose states did not change writes nothing.
    """
    delta: dict[tuple[int, int, str], list] = {}
    for rows, sign in ((old, -1), (new, 1)):
        for unit_id, path, rid, state, renewing in rows:
            entry = delta.setdefault((unit_id, rid, state), [path, 0, 0])
            entry[1] += sign
            entry[2] += sign * int(renewing or 0)
            if sign > 0:
                entry[0] = path
    changes = [{"u": k[0], "r": k[1], "s": k[2], "p": v[0], "n": v[1], "w": v[2]}
               for k, v in sorted(delta.items()) if v[1] or v[2]]
    if not changes:
        return
    # the top units' totals: append-only deltas (no shared row locked), folded by the next rebuild
    db.session.execute(text(
        "INSERT INTO compliance_count_deltas (org_path, requirement_id, state, n, renewing)"
        " VALUES (:p, :r, :s, :n, :w)"), changes)
    db.session.execute(text(
        _COUNTS_INSERT + "VALUES (:u, :r, :s, :p, :n, :w) ON CONFLICT (org_unit_id, requirement_id, state)"
        " DO UPDATE SET n = compliance_unit_counts.n + excluded.n,"
        " renewing = compliance_unit_counts.renewing + excluded.renewing, org_path = excluded.org_path"), changes)



# --------------------------------------------------------------------------- per standard, distinct cadres

_FLAGS = """SELECT s.org_unit_id AS u, MIN(s.org_path) AS p, {sid} AS sid, s.cadre_id AS cid,
    MIN(CASE WHEN {valid} THEN 1 ELSE 0 END) AS met,
    MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) AS late,
    MAX(CASE WHEN s.state = 'due_soon' THEN 1 ELSE 0 END) AS soon
  FROM compliance_statuses s JOIN requirements q ON q.id = s.requirement_id{where}
  GROUP BY s.org_unit_id, s.cadre_id{group}"""
_STD_INSERT = ("INSERT INTO compliance_standard_counts (org_unit_id, standard_id, org_path, applicable, met,"
               " overdue, due_soon) ")


def cadre_flags_sql(where: str = "") -> str:
    """One row per (unit, standard or :data:`OVERALL`, cadre): met, late (overdue), soon — from the statuses."""
    cond = f" WHERE {where}" if where else ""
    per_standard = _FLAGS.format(sid="q.standard_id", valid=VALID_SQL, where=cond, group=", q.standard_id")
    overall = _FLAGS.format(sid=str(OVERALL), valid=VALID_SQL, where=cond, group="")
    return f"{per_standard}\nUNION ALL\n{overall}"


def rebuild_standard_counts(where: str = "", params: dict[str, Any] | None = None) -> None:
    """Recount ``compliance_standard_counts`` (all units, or the units matching ``where`` on ``org_unit_id``)."""
    params = params or {}
    execute("DELETE FROM compliance_standard_counts" + (f" WHERE {where}" if where else ""), params)
    execute(_STD_INSERT + "SELECT f.u, f.sid, MIN(f.p), COUNT(*), SUM(f.met), SUM(f.late),"
            " SUM(CASE WHEN f.late = 0 THEN f.soon ELSE 0 END)"
            f" FROM ({cadre_flags_sql(where.replace('org_unit_id', 's.org_unit_id'))}) f GROUP BY f.u, f.sid",
            params)


def rebuild_standard_rollup() -> None:
    """Rebuild the top units' per-standard snapshot from the per-unit counts; drop the folded deltas."""
    from lms.standards.models import ROLLUP_DEPTH

    execute("DELETE FROM compliance_standard_deltas", {})
    execute("DELETE FROM compliance_standard_rollups", {})
    execute("INSERT INTO compliance_standard_rollups (org_unit_id, standard_id, applicable, met, overdue, due_soon)"
            " SELECT a.id, c.standard_id, SUM(c.applicable), SUM(c.met), SUM(c.overdue), SUM(c.due_soon)"
            " FROM org_units a JOIN compliance_standard_counts c ON c.org_path >= a.path AND c.org_path < a.path || '~'"
            " WHERE a.depth <= :rollup_depth GROUP BY a.id, c.standard_id", {"rollup_depth": ROLLUP_DEPTH})


def standard_ids(requirement_ids, known: dict[int, int] | None = None) -> dict[int, int]:
    """requirement id → standard id: from ``known`` (the cached versions in force), the rest by one query."""
    out = dict(known or {})
    missing = sorted({r for r in requirement_ids if r not in out})
    if missing:
        params: dict[str, Any] = {}
        sql = f"SELECT id, standard_id FROM requirements WHERE id IN {in_list('sr', missing, params)}"
        out.update({int(r): int(s) for r, s in execute(sql, params)})
    return out


def _flags(rows: list, std_of: dict[int, int]) -> dict[tuple[int, int], list]:
    """One cadre's status rows (unit, path, requirement, state, renewing) → {(unit, standard): [path, met, late, soon]}."""
    out: dict[tuple[int, int], list] = {}
    for unit_id, path, rid, state, renewing in rows:
        valid = state in ("compliant", "waived") or (state == "due_soon" and bool(renewing))
        for sid in (std_of[rid], OVERALL):
            entry = out.setdefault((unit_id, sid), [path, 1, 0, 0])
            entry[1] &= int(valid)
            entry[2] |= int(state in LATE_STATES)
            entry[3] |= int(state == "due_soon")
    return out


def _contribution(entry: list | None) -> tuple[int, int, int, int]:
    if entry is None:
        return 0, 0, 0, 0
    return 1, entry[1], entry[2], int(entry[3] and not entry[2])


def adjust_standard_counts(before: list, after: list, std_of: dict[int, int]) -> None:
    """Apply one cadre's change of status rows (``before`` → ``after``) to the per-standard cadre counts."""
    old, new = _flags(before, std_of), _flags(after, std_of)
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = _contribution(old.get(key)), _contribution(new.get(key))
        diff = [y - x for x, y in zip(a, b, strict=True)]
        if any(diff):
            path = (new.get(key) or old[key])[0]
            changes.append({"u": key[0], "s": key[1], "p": path, "a": diff[0], "m": diff[1], "o": diff[2],
                            "d": diff[3]})
    if not changes:
        return
    db.session.execute(text(
        "INSERT INTO compliance_standard_deltas (org_path, standard_id, applicable, met, overdue, due_soon)"
        " VALUES (:p, :s, :a, :m, :o, :d)"), changes)
    db.session.execute(text(
        _STD_INSERT + "VALUES (:u, :s, :p, :a, :m, :o, :d) ON CONFLICT (org_unit_id, standard_id) DO UPDATE SET"
        " applicable = compliance_standard_counts.applicable + excluded.applicable,"
        " met = compliance_standard_counts.met + excluded.met,"
        " overdue = compliance_standard_counts.overdue + excluded.overdue,"
        " due_soon = compliance_standard_counts.due_soon + excluded.due_soon,"
        " org_path = excluded.org_path"), changes)
