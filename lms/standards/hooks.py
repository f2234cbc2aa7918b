"""Keep statuses current: a new record, a changed cadre, a moved unit.

* :func:`update_for_record` is registered with the ledger and runs in the record's transaction — except
  for a record a learner's request appends (a quiz pass, a player completion: :mod:`lms.records.deferred`),
  whose cadre is recomputed by the ledger's per-cadre job after the commit (:func:`recompute_cadre_job`).
* Changes to cadres (unit, position, employment, key flag, gender, appointment, active) and to the tree
  (a unit moved or relabelled) are collected at flush and applied just before the commit, with the
  same set-based SQL: per cadre for a few cadres, and for tree changes one UPDATE of the denormalised
  paths plus a recompute of the requirements whose rule names units or levels.
* A full recompute (many cadres changed, an org import, a bulk append for many cadres) is a background
  job after the commit (:func:`lms.standards.jobs.request_recompute`, one queued at a time); the
  transaction then leaves its per-cadre and tree work to it.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from lms.core.db import db, listen_once
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord

WATCHED = ("org_unit_id", "position", "employment", "is_key", "gender", "appointed_on", "active")
#: above this many changed cadres in one transaction, one full recompute is cheaper than per-cadre runs
BULK = 200
_KEY = "lms_standards_dirty"


def update_for_record(record: TrainingRecord) -> None:
    """Ledger listener: recompute the record's cadre for the requirements it can affect (same transaction),
    or, for a learner's request, after its commit (the ledger's per-cadre job)."""
    from lms.records import deferred
    from lms.standards import engine

    if deferred.applies(record):
        deferred.schedule(record.cadre_id)
    else:
        engine.update_for_record(record)


def recompute_cadre_job(cadre_id: int) -> None:
    """The ledger's per-cadre job: the cadre's statuses for every requirement in force, from its ledger."""
    if _has_requirements():
        from lms.standards import engine

        engine.recompute_cadre(cadre_id)


def update_for_records_bulk(cadre_ids: list[int]) -> None:
    """Bulk ledger listener: per cadre for a few, one full recompute job above ``BULK_CADRES`` (registered
    explicitly, since any registered bulk listener replaces the ledger's fallback to the engine)."""
    from lms.records.services import BULK_CADRES
    from lms.standards import engine

    if len(cadre_ids) > BULK_CADRES:
        _request_full()
    else:
        for cadre_id in cadre_ids:
            engine.recompute_cadre(cadre_id)


def _has_requirements() -> bool:
    """Any requirement in force today (cached per generation; no query on a warm cache)."""
    from lms.standards import engine

    return bool(engine.cached_requirements(engine.today_vn()))


def _dirty(session: Session) -> dict:
    return session.info.setdefault(_KEY, {"cadres": set(), "tree": False, "gone_units": set(), "full": False})


def _request_full() -> None:
    """A full recompute job after the commit; this transaction's per-cadre and tree work is left to it."""
    from lms.standards.jobs import request_recompute

    request_recompute()
    _dirty(db.session)["full"] = True


def _changed(obj, names) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[n].history.has_changes() for n in names)


def _standards_changed(session: Session) -> bool:
    """Did this flush change a standard, a requirement, or a module's code (what plans resolve)?"""
    from lms.catalog.models import Module
    from lms.standards.models import Requirement, Standard

    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, (Standard, Requirement, Module)):
            return True
    for obj in session.dirty:
        if isinstance(obj, (Standard, Requirement)) or (isinstance(obj, Module) and _changed(obj, ("code",))):
            return True
    return False


def _after_flush(session: Session, flush_context) -> None:
    if _standards_changed(session):
        from lms.standards import engine

        engine.mark_standards_changed(session.connection())
    dirty = _dirty(session)
    for obj in session.new:
        if isinstance(obj, Cadre):
            dirty["cadres"].add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Cadre):  # its statuses went with it (ON DELETE CASCADE): recount its unit
            dirty["gone_units"].add(obj.org_unit_id)
    for obj in session.dirty:
        if isinstance(obj, Cadre) and _changed(obj, WATCHED):
            dirty["cadres"].add(obj.id)
        elif isinstance(obj, OrgUnit) and _changed(obj, ("parent_id", "path", "level")):
            dirty["tree"] = True


def _orm_execute(state) -> None:
    """A bulk UPDATE of org_units (moving a subtree) marks the tree as changed."""
    if state.is_update and state.bind_mapper is not None and state.bind_mapper.class_ is OrgUnit:
        _dirty(state.session)["tree"] = True


def _before_commit(session: Session) -> None:
    from lms.standards import engine

    session.flush()
    dirty = session.info.pop(_KEY, None)
    if not dirty or dirty["full"] or (not dirty["cadres"] and not dirty["tree"] and not dirty["gone_units"]):
        return
    if dirty["gone_units"]:
        params: dict = {}
        engine.rebuild_counts("org_unit_id IN " + engine._in_list("gone", sorted(dirty["gone_units"]), params),
                              params)
        engine.rebuild_rollup()
    if not _has_requirements():
        return
    if len(dirty["cadres"]) > BULK:
        _request_full()  # rewrites every status with the current paths: no tree work here
    else:
        if dirty["tree"]:
            _refresh_paths(session)
        for cadre_id in sorted(dirty["cadres"]):
            engine.recompute_cadre(cadre_id)
    session.info.pop(_KEY, None)


def _refresh_paths(session: Session) -> None:
    """After units moved: fix the denormalised paths, recompute requirements whose rule names units or levels."""
    from lms.standards import engine

    today = engine.today_vn()
    session.execute(text(
        # the path of the row's own unit (a cadre who moved keeps its old unit until it is recomputed, so
        # the counts taken off for the old unit land on the old unit's row)
        "UPDATE compliance_statuses SET org_path = (SELECT u.path FROM org_units u"
        " WHERE u.id = compliance_statuses.org_unit_id)"
        " WHERE org_path <> (SELECT u.path FROM org_units u WHERE u.id = compliance_statuses.org_unit_id)"))
    for table in ("compliance_unit_counts", "compliance_standard_counts"):
        session.execute(text(
            f"UPDATE {table} SET org_path = (SELECT u.path FROM org_units u WHERE u.id = {table}.org_unit_id)"
            f" WHERE org_path <> (SELECT u.path FROM org_units u WHERE u.id = {table}.org_unit_id)"))
    engine.rebuild_rollup()  # the top units' subtrees changed shape; deltas carry old paths
    for req in engine.requirements_in_force(today):  # ORM rows: recompute_requirement reads in_force
        if {"org_units", "levels"} & set(req.applies_to or {}):
            engine.recompute_requirement(req, today)


def after_bulk_change() -> None:
    """Units/cadres were written in bulk (an org import): one full recompute job after the commit (it
    rewrites every status with the current paths and recounts)."""
    if _has_requirements():
        _request_full()


def _after_rollback(session: Session, previous_transaction) -> None:
    """What a rolled-back transaction changed needs no recompute."""
    if not previous_transaction.nested:
        session.info.pop(_KEY, None)


def install() -> None:
    """Register the ledger listener, the org bulk-change listener and the session hooks (idempotent)."""
    from lms.org.services import on_bulk_change
    from lms.records import deferred
    from lms.records.services import on_record_appended, on_records_bulk_appended

    on_record_appended(update_for_record)
    deferred.on_settle(recompute_cadre_job)
    deferred.install()
    on_records_bulk_appended(update_for_records_bulk)
    on_bulk_change(after_bulk_change)
    listen_once(Session, {"after_flush": _after_flush, "before_commit": _before_commit,
                          "do_orm_execute": _orm_execute, "after_soft_rollback": _after_rollback})
