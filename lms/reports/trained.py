"""The home page's "cadres trained in the year / active cadres", kept as counts instead of scanning the ledger.

* ``cadre_trained_years``: one row per *active* cadre and year in which they have an effective training
  record (the latest correction's date, revoked rows left out, no waivers), plus a row with year
  :data:`ACTIVE` (0) for every active cadre; each row carries the cadre's unit and path at the time.
* ``unit_trained_counts``: per unit and year, how many of those rows (the unit's *own* cadres).

A new record, a changed/moved/deactivated/deleted cadre or a moved unit refreshes the cadres concerned:
their rows are deleted (``RETURNING`` the old unit) and re-inserted from the ledger, and the unit counts
move by the difference — so a figure is a ``SUM`` over the subtree's units (a covering index range),
exactly the count :data:`lms.reports.overview.TRAINED_SQL` takes from the ledger (tested against it).
Record and cadre changes are collected in the session and applied just before the commit (one set-based
pass, however many records a bulk import appended). An org import asks for a full rebuild instead: one
background job after its commit (:func:`schedule_rebuild`, coalesced by :mod:`lms.core.rebuilds`), during
which the home page shows the figure as it was, marked as being rebuilt (:func:`rebuild_status`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from lms.core import rebuilds
from lms.core.db import db, listen_once
from lms.core.jobs import Context, task
from lms.org.models import Cadre, OrgUnit
from lms.standards.sql import execute, in_list

#: the ``year`` of the row every active cadre has (the denominator)
ACTIVE = 0
#: cadres per refresh statement (IN lists stay well under every database's limit)
CHUNK = 500
_KEY = "lms_trained_dirty"
#: the :mod:`lms.core.rebuilds` name of the full rebuild
REBUILD = "trained-counts"


def _year(column: str) -> str:
    if db.session.get_bind().dialect.name == "sqlite":
        return f"CAST(strftime('%Y', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"


def _rows_sql(cadre_filter: str) -> str:
    """(cadre, year, unit, path) of the active cadres matching ``cadre_filter`` (a condition on ``c``)."""
    effective = (
        "SELECT r.cadre_id, COALESCE(lc.completed_on, r.completed_on) AS d FROM training_records r"
        " LEFT JOIN (SELECT k.amends_id, k.completed_on FROM training_records k WHERE k.kind = 'correction'"
        "   AND k.id = (SELECT MAX(k2.id) FROM training_records k2"
        "               WHERE k2.amends_id = k.amends_id AND k2.kind = 'correction')) lc ON lc.amends_id = r.id"
        " WHERE r.kind = 'record' AND r.source <> 'waiver'"
        "   AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind = 'revocation')")
    if cadre_filter:
        effective += f" AND r.cadre_id IN (SELECT c.id FROM cadres c WHERE {cadre_filter})"
    where = f" AND {cadre_filter}" if cadre_filter else ""
    return (f"SELECT c.id, {ACTIVE}, c.org_unit_id, u.path FROM cadres c JOIN org_units u ON u.id = c.org_unit_id"
            f" WHERE c.active{where}"
            f" UNION SELECT c.id, {_year('e.d')}, c.org_unit_id, u.path FROM ({effective}) e"
            f" JOIN cadres c ON c.id = e.cadre_id JOIN org_units u ON u.id = c.org_unit_id WHERE c.active{where}")


_INSERT = "INSERT INTO cadre_trained_years (cadre_id, year, org_unit_id, org_path) "


def rebuild() -> None:
    """Recount both tables from the cadres and the ledger (one ``INSERT … SELECT`` each)."""
    execute("DELETE FROM cadre_trained_years", {})
    execute(_INSERT + _rows_sql(""), {})
    execute("DELETE FROM unit_trained_counts", {})
    execute("INSERT INTO unit_trained_counts (org_unit_id, year, org_path, n)"
            " SELECT org_unit_id, year, MIN(org_path), COUNT(*) FROM cadre_trained_years GROUP BY org_unit_id, year",
            {})


@task
def rebuild_job(ctx: Context) -> str:
    """The full rebuild as a job (its own transaction: a failure leaves the previous counts as they were)."""
    rebuild()
    rebuilds.finished(REBUILD)
    return "Đã tính lại số cán bộ được đào tạo."


def schedule_rebuild() -> None:
    """Org bulk-change listener: one rebuild job after this transaction commits (none more while one is
    queued); the per-cadre and path refreshes of this transaction are left to it."""
    rebuilds.request(REBUILD, rebuild_job, title="Tính lại số cán bộ được đào tạo")
    _dirty(db.session)["rebuild"] = True


def rebuild_status() -> rebuilds.Status:
    """Whether the counts are being rebuilt (after an org import), and when they last were."""
    return rebuilds.status(REBUILD)


def refresh_cadres(cadre_ids) -> None:
    """Re-derive the rows of these cadres (gone or inactive ones: none) and move the unit counts by the change.

    Safe when two transactions refresh the same cadre: the second deletes what the first left (after it
    commits) or nothing, and its ``INSERT … ON CONFLICT DO NOTHING`` adds only rows not there yet.
    """
    ids = sorted(set(cadre_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start:start + CHUNK])


def _refresh(ids: list[int]) -> None:
    params: dict[str, Any] = {}
    cond = in_list("tc", ids, params)
    old = execute(f"DELETE FROM cadre_trained_years WHERE cadre_id IN {cond} RETURNING org_unit_id, org_path, year",
                  params).all()
    new = execute(_INSERT + f"SELECT * FROM ({_rows_sql(f'c.id IN {cond}')}) x WHERE 1 = 1"
                  " ON CONFLICT (cadre_id, year) DO NOTHING RETURNING org_unit_id, org_path, year", params).all()
    delta: dict[tuple[int, int], list] = {}
    for rows, sign in ((old, -1), (new, 1)):
        for unit_id, path, year in rows:
            entry = delta.setdefault((unit_id, year), [path, 0])
            entry[1] += sign
            if sign > 0:
                entry[0] = path
    changes = [{"u": u, "y": y, "p": p, "n": n} for (u, y), (p, n) in sorted(delta.items()) if n]
    if changes:
        db.session.execute(text(
            "INSERT INTO unit_trained_counts (org_unit_id, year, org_path, n) VALUES (:u, :y, :p, :n)"
            " ON CONFLICT (org_unit_id, year) DO UPDATE SET n = unit_trained_counts.n + excluded.n,"
            " org_path = excluded.org_path"), changes)


def refresh_paths() -> None:
    """After units moved: the stored paths follow the units (the counts stay with their unit)."""
    for table in ("cadre_trained_years", "unit_trained_counts"):
        execute(f"UPDATE {table} SET org_path = (SELECT u.path FROM org_units u WHERE u.id = {table}.org_unit_id)"
                f" WHERE org_path <> (SELECT u.path FROM org_units u WHERE u.id = {table}.org_unit_id)", {})


def counts(unit: OrgUnit, year: int) -> tuple[int, int]:
    """(active cadres trained in ``year``, active cadres) of ``unit``'s subtree: one index range."""
    rows = dict(execute("SELECT year, SUM(n) FROM unit_trained_counts WHERE year IN (:active, :y)"
                        " AND org_path >= :p AND org_path < :pe GROUP BY year",
                        {"active": ACTIVE, "y": year, "p": unit.path, "pe": unit.path_end}).all())
    return int(rows.get(year) or 0), int(rows.get(ACTIVE) or 0)


# --------------------------------------------------------------------------- keeping them current


def on_record(record) -> None:
    """Ledger listener: the record's cadre (and, for an amendment, the original's), refreshed at the commit."""
    ids = _dirty(db.session)["cadres"]
    ids.add(record.cadre_id)
    if record.amends_id is not None:
        original = db.session.get(type(record), record.amends_id)
        if original is not None:
            ids.add(original.cadre_id)


def on_records_bulk(cadre_ids: list[int]) -> None:
    """Bulk ledger listener: these cadres are refreshed at the commit (one set-based pass)."""
    _dirty(db.session)["cadres"].update(cadre_ids)


def _dirty(session: Session) -> dict:
    return session.info.setdefault(_KEY, {"cadres": set(), "tree": False, "rebuild": False})


def _after_flush(session: Session, flush_context) -> None:
    from sqlalchemy import inspect

    dirty = _dirty(session)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, Cadre):
            dirty["cadres"].add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Cadre):
            state = inspect(obj)
            if any(state.attrs[n].history.has_changes() for n in ("org_unit_id", "active")):
                dirty["cadres"].add(obj.id)
        elif isinstance(obj, OrgUnit) and inspect(obj).attrs.path.history.has_changes():
            dirty["tree"] = True


def _orm_execute(state) -> None:
    if state.is_update and state.bind_mapper is not None and state.bind_mapper.class_ is OrgUnit:
        _dirty(state.session)["tree"] = True


def _before_commit(session: Session) -> None:
    session.flush()
    dirty = session.info.pop(_KEY, None)
    if not dirty or dirty["rebuild"]:  # nothing, or a full rebuild follows the commit
        return
    if dirty["tree"]:
        refresh_paths()
    refresh_cadres(dirty["cadres"])
    session.info.pop(_KEY, None)


def _after_rollback(session: Session, previous_transaction) -> None:
    """What the rolled-back transaction changed needs no refresh (nor does it ask for a rebuild)."""
    if not previous_transaction.nested:
        session.info.pop(_KEY, None)


def install() -> None:
    """Register the ledger listeners, the org bulk-change listener and the session hooks (idempotent)."""
    from lms.org.services import on_bulk_change
    from lms.records.services import on_record_appended, on_records_bulk_appended

    on_record_appended(on_record)
    on_records_bulk_appended(on_records_bulk)
    on_bulk_change(schedule_rebuild)
    # registered after the standards hooks (FEATURES order): at a commit the compliance counts are written
    # first, then these, in every transaction — the same lock order, so no deadlock between the two
    listen_once(Session, {"after_flush": _after_flush, "before_commit": _before_commit,
                          "do_orm_execute": _orm_execute, "after_soft_rollback": _after_rollback})
