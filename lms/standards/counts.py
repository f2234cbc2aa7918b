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

import sqlite3
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from lms.core.db import db
from lms.standards.sql import execute, in_list

#: ``standard_id`` of the overall row: every standard in force together
OVERALL = 0
#: states that count as meeting a requirement (``due_soon`` only while still valid, see :data:`VALID_SQL`)
VALID_SQL = ("(s.state IN ('compliant', 'waived') OR (s.state = 'due_soon' AND s.satisfied_on IS NOT NULL))")
LATE_STATES = ("overdue", "expired")


@event.listens_for(Engine, "connect")
def _sqlite_functions(dbapi_connection, connection_record) -> None:  # pragma: no cover - driver hook
    """Register :func:`path_prefix` on SQLite (PostgreSQL cuts the path with a regular expression)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lms_path_prefix", 2, path_prefix, deterministic=True)


def path_prefix(path: str | None, parts: int) -> str | None:
    """``/1/5/23/`` cut to its first ``parts`` ids (``/1/5/`` for 2); a shorter path whole."""
    if path is None:
        return None
    ids = path.strip("/").split("/")
    return "/" + "/".join(ids[:int(parts)]) + "/"


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


def path_prefix_sql(column: str, parts: int) -> str:
    """``column`` (a path) cut to its first ``parts`` ids (the whole path when shorter)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return f"lms_path_prefix({column}, {int(parts)})"
    return f"substring({column} from '^(?:/[^/]+){{1,{int(parts)}}}/')"


def _top_parts() -> int:
    """The most ids in a top unit's path (:data:`ROLLUP_DEPTH` + 1 when ``depth`` and ``path`` agree)."""
    from lms.standards.models import ROLLUP_DEPTH

    found = execute("SELECT MAX(LENGTH(path) - LENGTH(REPLACE(path, '/', ''))) FROM org_units"
                    " WHERE depth <= :d", {"d": ROLLUP_DEPTH}).scalar()
    return max(int(found or 0) - 1, ROLLUP_DEPTH + 1)


def rollup_sql(table: str, keys: str, sums: tuple[str, ...], where: str = "") -> str:
    """``SELECT top unit, keys, sums`` of ``table``'s rows over each top unit's subtree: the rows summed per
    path cut to the top units' length first (one scan, a few hundred groups), then those few summed per
    top unit (instead of a range scan of the table per top unit: the root's is the whole table)."""
    cut = path_prefix_sql("org_path", _top_parts())
    inner = ", ".join(f"SUM({c}) AS {c}" for c in sums)
    outer = ", ".join(f"SUM(t.{c})" for c in sums)
    key_list = [k.strip() for k in keys.split(",")]
    return (f"SELECT a.id, {', '.join('t.' + k for k in key_list)}, {outer} FROM"
            f" (SELECT {cut} AS p, {keys}, {inner} FROM {table}{where} GROUP BY {cut}, {keys}) t"
            " JOIN org_units a ON t.p >= a.path AND t.p < a.path || '~'"
            f" WHERE a.depth <= :rollup_depth GROUP BY a.id, {', '.join('t.' + k for k in key_list)}")


def rebuild_rollup(requirement_id: int | None = None) -> None:
    """Rebuild the top units' subtree snapshot from the per-unit counts and drop the folded deltas.

    All requirements, or one: one scan of the per-unit counts (:func:`rollup_sql`).
    """
    from lms.standards.models import ROLLUP_DEPTH

    params: dict[str, Any] = {"rollup_depth": ROLLUP_DEPTH}
    where = ""
    if requirement_id is not None:
        params["rid"] = requirement_id
        where = " WHERE requirement_id = :rid"
    execute(f"DELETE FROM compliance_count_deltas{where}", params)
    execute(f"DELETE FROM compliance_rollup_counts{where}", params)
    execute("INSERT INTO compliance_rollup_counts (org_unit_id, requirement_id, state, n, renewing) "
            + rollup_sql("compliance_unit_counts", "requirement_id, state", ("n", "renewing"), where),
            params)
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

_STD_INSERT = ("INSERT INTO compliance_standard_counts (org_unit_id, standard_id, org_path, applicable, met,"
               " overdue, due_soon) ")


_PER_STANDARD = """SELECT s.org_unit_id AS u, MIN(s.org_path) AS p, q.standard_id AS sid, s.cadre_id AS cid,
    MIN(CASE WHEN {valid} THEN 1 ELSE 0 END) AS met,
    MAX(CASE WHEN s.state IN ('overdue', 'expired') THEN 1 ELSE 0 END) AS late,
    MAX(CASE WHEN s.state = 'due_soon' THEN 1 ELSE 0 END) AS soon
  FROM compliance_statuses s JOIN requirements q ON q.id = s.requirement_id{where}
  GROUP BY s.org_unit_id, s.cadre_id, q.standard_id"""
_TOTALS = "MIN(p), COUNT(*), SUM(met), SUM(late), SUM(CASE WHEN late = 0 THEN soon ELSE 0 END)"


def rebuild_standard_counts(where: str = "", params: dict[str, Any] | None = None) -> None:
    """Recount ``compliance_standard_counts`` (all units, or the units matching ``where`` on ``org_unit_id``).

    One pass over the statuses: the (unit, cadre, standard) flags, summed per standard, and folded per
    cadre for the overall row (met on every standard, late or due soon on any) instead of grouping the
    statuses a second time for it.
    """
    params = params or {}
    cond = f" WHERE {where.replace('org_unit_id', 's.org_unit_id')}" if where else ""
    execute("DELETE FROM compliance_standard_counts" + (f" WHERE {where}" if where else ""), params)
    execute(_STD_INSERT + "WITH f AS (" + _PER_STANDARD.format(valid=VALID_SQL, where=cond) + ")"
            f" SELECT u, sid, {_TOTALS} FROM f GROUP BY u, sid"
            f" UNION ALL SELECT u, {OVERALL}, {_TOTALS} FROM (SELECT u, cid, MIN(p) AS p, MIN(met) AS met,"
            "  MAX(late) AS late, MAX(soon) AS soon FROM f GROUP BY u, cid) o GROUP BY u", params)


def rebuild_standard_rollup() -> None:
    """Rebuild the top units' per-standard snapshot from the per-unit counts; drop the folded deltas."""
    from lms.standards.models import ROLLUP_DEPTH

    execute("DELETE FROM compliance_standard_deltas", {})
    execute("DELETE FROM compliance_standard_rollups", {})
    execute("INSERT INTO compliance_standard_rollups (org_unit_id, standard_id, applicable, met, overdue, due_soon) "
            + rollup_sql("compliance_standard_counts", "standard_id",
                         ("applicable", "met", "overdue", "due_soon")),
            {"rollup_depth": ROLLUP_DEPTH})


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
