"""Compliance "as of" a past day from snapshots taken at period ends, plus the ledger since.

A snapshot (:class:`~lms.standards.models.ComplianceSnapshot`) holds the engine's status rows as of a
day ``S`` — the same rows :func:`lms.standards.engine.status_rows` computes from the ledger — minus the
state, which depends on the day asked for. As of a day ``D ≥ S`` (:func:`status_rows`):

* a cadre whose inputs did not change since the snapshot keeps its facts (due date, satisfaction,
  validity, waiver, records): only its state is classified again for ``D`` (the calendar moves
  "compliant" to "due soon" to "expired", "not yet due" to "overdue") — no ledger read;
* a cadre whose inputs may have changed is evaluated from the ledger as before. "Changed" means: a ledger
  row (or an amendment of one of theirs) entered between the snapshot and the end of ``D``; a ledger row
  entered by ``S`` but completed after it (listed in the snapshot's ``pending``); the cadre, or a unit
  above the cadre, edited since the snapshot was taken (``updated_at``; moves, positions, codes, levels).

The answer is the ledger computation's, row for row (property test over random ledgers, SQLite and
PostgreSQL), provided the requirement versions in force on ``D`` are those of the snapshot (checked by
a fingerprint of their rules; otherwise, and without a snapshot ≤ ``D``, the ledger answers alone) and
cadres and units are edited through the application (which stamps ``updated_at``). Times of entry are
compared with a margin (:data:`MARGIN`) so that a transaction still open while the snapshot was taken
is counted as a change.

Snapshots are taken by :func:`take` — the scheduler's daily job :func:`ensure_period_ends` takes the
last month end's when missing or stale (idempotent); ``lms standards snapshot`` by hand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from lms.core.db import db, utcnow
from lms.org.models import OrgUnit
from lms.standards import rules
from lms.standards.models import ComplianceSnapshot
from lms.standards.plans import ReqInfo, cached_requirements
from lms.standards.sql import execute, in_list
from lms.standards.statement import COLUMNS, Scope, _Dialect, build_select

#: rows entered up to this long before a snapshot was taken count as changes (open transactions)
MARGIN = timedelta(hours=1)
#: more units edited since the snapshot than this: the ledger answers (a reorganisation)
MAX_CHANGED_UNITS = 50
_ROW_COLUMNS = ("cadre_id, snapshot_id, requirement_id, org_unit_id, org_path, due_on, satisfied_on, valid_until,"
                " renew_from, waived_on, record_ids")


def fingerprint(reqs: tuple[ReqInfo, ...] | list[ReqInfo]) -> str:
    """A hash of the requirement versions' rules: equal fingerprints give equal facts for a cadre."""
    def plain(value: Any) -> Any:
        if isinstance(value, frozenset | set):
            return sorted(value)
        return str(value)

    # not the ids of the code's other versions (waivers may name any): a newer version's id exists only
    # from its creation on, so a waiver naming it was entered after any snapshot that lacks it — a change
    data = [{"id": r.id, "standard": r.standard_id, "applies_to": r.applies_to,
             "plan": {k: v for k, v in dataclasses.asdict(r.plan).items() if k != "waiver_requirement_ids"}}
            for r in sorted(reqs, key=lambda r: r.id)]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=plain).encode()).hexdigest()


def _cutoff(day: date) -> datetime:
    from lms.standards.engine import end_of_day

    return end_of_day(day)


def _db_time(moment: datetime) -> datetime:
    """A timestamp as the database compares it (naive UTC on SQLite)."""
    from datetime import UTC

    return moment if db.engine.dialect.name == "postgresql" else moment.astimezone(UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- taking


def take(day: date) -> ComplianceSnapshot:
    """Take (or take again) the snapshot as of ``day``: one ``INSERT … SELECT`` per requirement in force.

    ``day`` must not be after today (Viet Nam): a UserError otherwise, nothing written.
    """
    from lms.core.errors import UserError
    from lms.standards.engine import end_of_day, today_vn

    if day > today_vn():
        raise UserError("Không thể chụp số liệu của một ngày trong tương lai.",
                        "A snapshot cannot be taken of a future day.", status=422, code="future_day")

    db.session.flush()
    db.session.execute(delete(ComplianceSnapshot).where(ComplianceSnapshot.day == day))
    reqs = cached_requirements(day)
    cutoff = end_of_day(day)
    snap = ComplianceSnapshot(day=day, taken_at=utcnow(), fingerprint=fingerprint(reqs), pending=_pending(day, cutoff))
    db.session.add(snap)
    db.session.flush()
    d = _Dialect(db.engine.dialect.name)
    total = 0
    for req in reqs:
        sql, params = build_select([req], day, Scope(), cutoff=cutoff)
        renew = d.add_days("s.valid_until", -req.plan.renewal_days)
        params["snap_id"] = snap.id
        total += execute(f"INSERT INTO compliance_snapshot_rows ({_ROW_COLUMNS}) SELECT s.cadre_id, :snap_id,"
                         " s.requirement_id, s.org_unit_id, s.org_path, s.due_on, s.satisfied_on, s.valid_until,"
                         f" {renew}, s.waived_on, s.record_ids FROM ({sql}) s ORDER BY s.org_path",  # a subtree's
                         params).rowcount or 0  # rows on few pages
    snap.rows = total
    db.session.flush()
    return snap


def _pending(day: date, cutoff: datetime) -> list[int]:
    """Cadres with a row entered by the end of ``day`` but completed after it (and the amended row's cadre)."""
    params = {"day": day, "cutoff": _db_time(cutoff)}
    rows = execute("SELECT t.cadre_id, o.cadre_id FROM training_records t LEFT JOIN training_records o"
                   " ON o.id = t.amends_id WHERE t.completed_on > :day AND t.created_at < :cutoff", params)
    return sorted({int(c) for pair in rows for c in pair if c is not None})


def last_month_end(today: date) -> date:
    """The last day of the month before ``today``'s."""
    return today.replace(day=1) - timedelta(days=1)


def ensure_period_ends(today: date) -> ComplianceSnapshot | None:
    """Take the last month end's snapshot when it is missing or its requirement versions changed since.

    Returns the snapshot taken, None when the one there is current (the daily job is then a no-op).
    """
    day = last_month_end(today)
    snap = db.session.scalar(select(ComplianceSnapshot).where(ComplianceSnapshot.day == day))
    reqs = cached_requirements(day)
    if not reqs or (snap is not None and snap.fingerprint == fingerprint(reqs)):
        return None
    return take(day)


# --------------------------------------------------------------------------- reading


def usable(day: date) -> ComplianceSnapshot | None:
    """The latest snapshot on or before ``day`` whose requirement versions are those in force on ``day``."""
    reqs = cached_requirements(day)
    if not reqs:
        return None
    snap = db.session.scalar(select(ComplianceSnapshot).where(ComplianceSnapshot.day <= day)
                             .order_by(ComplianceSnapshot.day.desc()).limit(1))
    return snap if snap is not None and snap.fingerprint == fingerprint(reqs) else None


def _changed_sql(snap: ComplianceSnapshot, day: date, params: dict[str, Any]) -> tuple[str, str] | None:
    """SELECTs of the ids of cadres whose facts may differ from the snapshot's (None: too many units changed).

    Two sets: ``rec``, a ledger row entered since (or completed since, ``pending``) — their requirements
    are those of the snapshot; ``attr``, the cadre or a unit above edited since — anything may differ.
    """
    since_taken = snap.taken_at - MARGIN
    params.update(chg_from=_db_time(min(since_taken, _cutoff(snap.day) - MARGIN)), chg_to=_db_time(_cutoff(day)),
                  chg_taken=_db_time(since_taken))
    units = db.session.scalars(select(OrgUnit.path).where(OrgUnit.updated_at >= params["chg_taken"])
                               .limit(MAX_CHANGED_UNITS + 1)).all()
    if len(units) > MAX_CHANGED_UNITS:
        return None
    rec = ["SELECT t.cadre_id AS cid FROM training_records t WHERE t.created_at >= :chg_from"
           " AND t.created_at < :chg_to",
           "SELECT o.cadre_id FROM training_records t JOIN training_records o ON o.id = t.amends_id"
           " WHERE t.created_at >= :chg_from AND t.created_at < :chg_to AND t.amends_id IS NOT NULL"]
    if snap.pending:
        rec.append("SELECT c.id FROM cadres c WHERE c.id IN " + in_list("chg_p", snap.pending, params))
    attr = ["SELECT c.id AS cid FROM cadres c WHERE c.updated_at >= :chg_taken"]
    for i, path in enumerate(units):
        params[f"chg_u{i}"], params[f"chg_u{i}_end"] = path, path[:-1] + "0"
        attr.append("SELECT c.id FROM cadres c JOIN org_units u ON u.id = c.org_unit_id"
                    f" WHERE u.path >= :chg_u{i} AND u.path < :chg_u{i}_end")
    return " UNION ".join(rec), " UNION ".join(attr)


def _state_sql() -> str:
    """The state on ``:snap_today`` from a snapshot row's facts (the engine's rule, :func:`rules.classify`)."""
    d = _Dialect(db.engine.dialect.name)
    return f"""CASE WHEN k.waived_on IS NOT NULL THEN 'waived'
  WHEN k.satisfied_on IS NOT NULL AND (k.valid_until IS NULL OR :snap_today <= k.valid_until) THEN
    CASE WHEN k.valid_until IS NOT NULL AND :snap_today >= k.renew_from THEN 'due_soon' ELSE 'compliant' END
  WHEN k.satisfied_on IS NOT NULL THEN 'expired'
  WHEN :snap_today > k.due_on THEN 'overdue'
  WHEN :snap_today >= {d.add_days('k.due_on', -rules.DUE_SOON_DAYS)} THEN 'due_soon'
  ELSE 'not_yet_due' END"""


def status_rows(unit: OrgUnit | None, day: date) -> tuple[str, dict[str, Any]] | None:
    """``WITH … SELECT`` of the status rows of ``unit``'s subtree as of ``day`` from a snapshot, or None.

    The same columns and rows as the ledger computation (:func:`lms.standards.engine.status_rows`).
    """
    snap = usable(day)
    if snap is None:
        return None
    params: dict[str, Any] = {"snap_id": snap.id, "snap_today": day}
    changed = _changed_sql(snap, day, params)
    if changed is None:
        return None
    path = unit.path if unit is not None else None
    # the ledger part evaluates the subtree's changed cadres (``chgp``); the snapshot part leaves out every
    # changed cadre (``rec``, ``attr``: one moved out of the subtree still has snapshot rows in it)
    ledger, ledger_params = build_select(cached_requirements(day), day,
                                         Scope(path=path, cadres_sql="SELECT cid FROM chgp"), cutoff=_cutoff(day))
    params.update(ledger_params)
    where = chgp = ""
    if path is not None:
        params["snap_path"], params["snap_path_end"] = path, path[:-1] + "0"
        where = " AND k.org_path >= :snap_path AND k.org_path < :snap_path_end"
        # without an edit, a cadre's requirements are the snapshot's: those in the subtree have rows there
        # (no lookup of each changed cadre's unit: thousands nationally in a month)
        # (a join, not IN: PostgreSQL guessed 200 distinct ids in the CTE and probed the rows by key)
        chgp = (f"SELECT k.cadre_id AS cid FROM compliance_snapshot_rows k JOIN rec ON rec.cid = k.cadre_id"
                f" WHERE k.snapshot_id = :snap_id{where} UNION SELECT c.id FROM cadres c JOIN org_units u"
                " ON u.id = c.org_unit_id WHERE u.path >= :snap_path AND u.path < :snap_path_end"
                " AND c.id IN (SELECT cid FROM attr)")
    else:
        chgp = "SELECT cid FROM rec UNION SELECT cid FROM attr"
    kept = (f"SELECT k.cadre_id, k.requirement_id, k.org_unit_id, k.org_path, {_state_sql()}, k.due_on,"
            " k.satisfied_on, k.valid_until, k.waived_on, k.record_ids, :snap_today FROM compliance_snapshot_rows k"
            f" WHERE k.snapshot_id = :snap_id{where} AND NOT EXISTS (SELECT 1 FROM rec WHERE rec.cid = k.cadre_id)"
            " AND NOT EXISTS (SELECT 1 FROM attr WHERE attr.cid = k.cadre_id)")
    assert ledger.startswith("WITH ")
    sql = (f"WITH rec AS MATERIALIZED ({changed[0]}),\nattr AS MATERIALIZED ({changed[1]}),\n"
           f"chgp AS MATERIALIZED ({chgp}),\n{ledger[5:]}\nUNION ALL\n{kept}")
    return f"SELECT {COLUMNS} FROM ({sql}) snap_rows", params
