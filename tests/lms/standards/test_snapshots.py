""""As of" from a snapshot plus the ledger since equals the ledger computation (random ledgers, SQLite and
PostgreSQL); the snapshot is taken by a scheduled, idempotent job."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from lms.core.db import db
from lms.records.models import TrainingRecord
from lms.standards import engine, headline, services, snapshots
from lms.standards.models import ComplianceSnapshot, ComplianceSnapshotRow
from tests.factories import gen_cadre
from tests.lms.standards.test_properties import SETTINGS, _cadres, _in_savepoint, _world, cadre_st

START = date(2025, 1, 1)

entry_st = st.fixed_dictionaries({
    "cadre": st.integers(0, 4), "day": st.integers(0, 420), "what": st.sampled_from(["M1", "M2", "osh", "finance"]),
    "hours": st.sampled_from([2, 4, 6]), "score": st.one_of(st.none(), st.integers(40, 100)),
    # days between completion and entry: mostly after, sometimes entered before (a future completion date)
    "lag": st.one_of(st.integers(0, 120), st.integers(-40, -1)),
    "amend": st.sampled_from(["none", "none", "none", "correct", "revoke", "waive"]),
})


def _at(day: date, lag: int) -> datetime:
    return datetime.combine(day + timedelta(days=lag), time(3, 0), tzinfo=UTC)


def _add(cadres, mods, reqs, spec, previous) -> TrainingRecord:
    """A ledger row entered at a chosen past time (the listener recomputes today's statuses; as-of reads
    only look at ``created_at``)."""
    cadre = cadres[spec["cadre"] % len(cadres)]
    day = START + timedelta(days=spec["day"])
    module = mods.get(spec["what"])
    values = {"cadre_id": cadre.id, "completed_on": day, "topic": module.topic if module else spec["what"],
              "hours": spec["hours"], "module_id": module.id if module else None, "score": spec["score"],
              "source": "online" if module else "in_person", "created_at": _at(day, spec["lag"])}
    mine = [r for r in previous if r.cadre_id == cadre.id and r.kind == "record"]
    if spec["amend"] == "waive":
        values.update(source="waiver", score=None, requirement_id=reqs["ANY"].id if spec["day"] % 2 else None)
    elif spec["amend"] in ("correct", "revoke") and mine:
        target = mine[spec["day"] % len(mine)]
        values.update(kind="correction" if spec["amend"] == "correct" else "revocation", amends_id=target.id,
                      source=target.source)
    row = TrainingRecord(**values)
    db.session.add(row)
    db.session.flush()
    return row


def _settle() -> None:
    """Cadres and units as if last edited long before any snapshot (else every cadre counts as changed)."""
    db.session.flush()
    for table in ("cadres", "org_units"):
        db.session.execute(update(table_of(table)).values(updated_at=datetime(2024, 1, 1, tzinfo=UTC)))
    db.session.expire_all()


def table_of(name: str):
    return db.metadata.tables[name]


def _rows(sql: str, params) -> list[tuple]:
    out = []
    for r in engine.execute(f"SELECT {engine.COLUMNS} FROM ({sql}) x", params):
        ids = tuple(sorted(int(i) for i in (r.record_ids or "").split(",") if i))
        out.append((r.cadre_id, r.requirement_id, r.org_unit_id, r.org_path, r.state, services._d(r.due_on),
                    services._d(r.satisfied_on), services._d(r.valid_until), services._d(r.waived_on), ids))
    return sorted(out)


@SETTINGS
@given(specs=st.lists(cadre_st, min_size=1, max_size=5), ledger=st.lists(entry_st, max_size=14),
       snap_day=st.integers(0, 400), later=st.lists(st.integers(0, 200), min_size=1, max_size=3),
       edit=st.booleans())
def test_as_of_from_a_snapshot_equals_the_ledger(app, specs, ledger, snap_day, later, edit):
    def body():
        units, mods, reqs = _world()
        cadres = _cadres(units, specs)
        previous = []
        for spec in ledger:
            previous.append(_add(cadres, mods, reqs, spec, previous))
        _settle()
        snap = snapshots.take(START + timedelta(days=snap_day))
        if edit:  # a cadre edited after the snapshot (moved to another unit): evaluated from the ledger
            cadres[0] = db.session.get(type(cadres[0]), cadres[0].id)
            cadres[0].org_unit_id = units[(specs[0]["unit"] + 1) % len(units)].id
            db.session.flush()
        for delta in later:
            day = snap.day + timedelta(days=delta)
            assert snapshots.usable(day).id == snap.id
            for unit in (None, units[2], units[2].parent):
                from_snapshot = snapshots.status_rows(unit, day)
                assert from_snapshot is not None
                assert _rows(*from_snapshot) == _rows(*engine.ledger_status_rows(unit, day))

    _in_savepoint(body)


def test_reports_as_of_read_the_snapshot_and_the_ledger_since(app):
    units, mods, reqs = _world()
    cadre = gen_cadre(units[2], employment="full_time")
    late = gen_cadre(units[2], employment="full_time")
    db.session.add(TrainingRecord(cadre_id=cadre.id, completed_on=date(2025, 2, 1), topic="osh", hours=4,
                                  module_id=mods["M1"].id, source="online", created_at=_at(date(2025, 2, 1), 0)))
    # entered in March for a course done in January: not yet known at the end of February
    db.session.add(TrainingRecord(cadre_id=late.id, completed_on=date(2025, 1, 20), topic="osh", hours=4,
                                  module_id=mods["M1"].id, source="online", created_at=_at(date(2025, 3, 10), 0)))
    _settle()
    snap = snapshots.take(date(2025, 2, 28))
    assert snap.rows == 2 and snap.pending == []
    # the cadre without news since is read from the snapshot (a marker put there shows up), not the ledger
    db.session.execute(update(ComplianceSnapshotRow).where(ComplianceSnapshotRow.cadre_id == cadre.id)
                       .values(record_ids="999999"))
    sql, params = engine.status_rows(units[2], date(2025, 3, 5))
    assert {r.cadre_id: r.record_ids for r in engine.execute(sql, params)}[cadre.id] == "999999"
    db.session.execute(update(ComplianceSnapshotRow).where(ComplianceSnapshotRow.cadre_id == cadre.id)
                       .values(record_ids=str(db.session.scalar(select(TrainingRecord.id).where(
                           TrainingRecord.cadre_id == cadre.id)))))
    feb, mar = date(2025, 2, 28), date(2025, 3, 31)
    assert headline.share_as_of(units[2], feb) == (1, 2)
    assert headline.share_as_of(units[2], mar) == (2, 2)  # the March entry, read from the ledger since
    summary = {r["code"]: r for r in services.unit_summary(units[2], as_of=mar)}
    assert (summary["ANY"]["applicable"], summary["ANY"]["compliant"]) == (2, 2)
    # a year later both have expired (12 months' validity): the calendar, on the snapshot's facts
    later = {r["code"]: r for r in services.unit_summary(units[2], as_of=date(2026, 2, 28))}
    assert (later["ANY"]["compliant"], later["ANY"]["expired"]) == (0, 2)


def test_no_snapshot_or_other_requirement_versions_fall_back_to_the_ledger(app):
    units, mods, reqs = _world()
    gen_cadre(units[2], employment="full_time")
    assert snapshots.status_rows(units[2], date(2025, 6, 30)) is None  # none taken yet
    snapshots.take(date(2025, 6, 30))
    assert snapshots.usable(date(2025, 6, 1)) is None  # before the first snapshot
    assert snapshots.usable(date(2025, 7, 1)) is not None
    item = {f: getattr(reqs["ANY"], f) for f in services.RULE_FIELDS}
    item.update(code="ANY", validity_months=36)
    services.save_requirement(reqs["ANY"].standard, item, date(2025, 7, 15), date(2025, 7, 15))
    db.session.flush()
    engine.clear_cache()
    assert snapshots.usable(date(2025, 7, 1)) is not None  # the old versions are still in force then
    assert snapshots.usable(date(2025, 8, 1)) is None  # another version of ANY: the ledger answers


def test_the_scheduled_job_takes_the_last_month_end_once(app):
    from lms.core import jobs, jobs_rq
    from lms.core.jobs_models import Job

    units, mods, reqs = _world()
    gen_cadre(units[2], employment="full_time")
    db.session.commit()
    assert jobs.PERIODIC["standards-snapshot"] == ("lms.standards.jobs:take_snapshots", "45 18 * * *")
    jobs_rq.run_periodic("standards-snapshot")
    job = db.session.scalar(select(Job))
    assert job.state == "succeeded", job.error
    day = snapshots.last_month_end(engine.today_vn())
    snap = db.session.scalar(select(ComplianceSnapshot))
    assert snap.day == day and snap.rows == 1
    assert db.session.scalar(select(func.count()).select_from(ComplianceSnapshotRow)) == 1
    # idempotent: a second run (another day's job, or a retry) keeps the snapshot as it is
    assert snapshots.ensure_period_ends(engine.today_vn()) is None
    assert db.session.scalar(select(ComplianceSnapshot.id)) == snap.id


def test_cli_takes_a_snapshot_of_a_given_day(app, runner):
    units, mods, reqs = _world()
    gen_cadre(units[2], employment="full_time")
    db.session.commit()
    result = runner.invoke(args=["standards", "snapshot", "--day", "2025-03-31"])
    assert result.exit_code == 0, result.output
    assert "2025-03-31: 1 statuses" in result.output
    assert db.session.scalar(select(ComplianceSnapshot.day)) == date(2025, 3, 31)
    future = (engine.today_vn() + timedelta(days=1)).isoformat()
    refused = runner.invoke(args=["standards", "snapshot", "--day", future])
    assert refused.exit_code == 2 and "tương lai" in refused.output
    assert db.session.scalar(select(func.count()).select_from(ComplianceSnapshot)) == 1
