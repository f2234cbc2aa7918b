"""The home page's "cadres trained in the year / active cadres" read from maintained counts
(:mod:`lms.reports.trained`) equals a direct count from the ledger on random trees, after random records,
corrections, revocations, waivers, bulk appends, new / moved / deactivated / deleted cadres, moved units
and full rebuilds."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.org.services import move_unit
from lms.records.models import TrainingRecord
from lms.records.services import append_record, append_records_bulk, correct_record, revoke_record
from lms.reports import overview, trained
from lms.reports.services import today
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.test_properties import SETTINGS, _in_savepoint

tree_st = st.lists(st.integers(0, 20), min_size=1, max_size=6)
step_st = st.one_of(
    st.tuples(st.just("record"), st.fixed_dictionaries({
        "cadre": st.integers(0, 9), "days": st.integers(0, 800), "waiver": st.booleans()})),
    st.tuples(st.just("bulk"), st.lists(st.tuples(st.integers(0, 9), st.integers(0, 800)), min_size=1, max_size=4)),
    st.tuples(st.just("correct"), st.fixed_dictionaries({"record": st.integers(0, 9), "days": st.integers(0, 800)})),
    st.tuples(st.just("revoke"), st.integers(0, 9)),
    st.tuples(st.just("new_cadre"), st.fixed_dictionaries({"unit": st.integers(0, 9), "active": st.booleans()})),
    st.tuples(st.just("move_cadre"), st.fixed_dictionaries({"cadre": st.integers(0, 9), "unit": st.integers(0, 9)})),
    st.tuples(st.just("active"), st.fixed_dictionaries({"cadre": st.integers(0, 9), "active": st.booleans()})),
    st.tuples(st.just("delete_cadre"), st.integers(0, 9)),
    st.tuples(st.just("move_unit"), st.fixed_dictionaries({"unit": st.integers(2, 9), "parent": st.integers(0, 9)})),
    st.tuples(st.just("rebuild"), st.just(0)),
    st.tuples(st.just("commit_hooks"), st.just(0)),
)


def _direct(unit: OrgUnit, year: int) -> tuple[int, int]:
    """(trained, active) of the subtree, straight from the ledger, evaluated in Python."""
    ledger = db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.id)).all()
    when = {r.id: r.completed_on for r in ledger if r.kind == "record" and r.source != "waiver"}
    for r in ledger:
        if r.kind == "correction" and r.amends_id in when:
            when[r.amends_id] = r.completed_on  # the latest correction wins (ordered by id)
    for r in ledger:
        if r.kind == "revocation":
            when.pop(r.amends_id, None)
    owner = {r.id: r.cadre_id for r in ledger}
    years = {(owner[i], d.year) for i, d in when.items()}
    active = trained_n = 0
    for cadre in db.session.scalars(select(Cadre).where(Cadre.active)):
        if db.session.get(OrgUnit, cadre.org_unit_id).path.startswith(unit.path):
            active += 1
            trained_n += (cadre.id, year) in years
    return trained_n, active


def _step(kind, spec, units, cadres, originals) -> None:
    day = today()
    if kind == "record" and cadres:
        cadre = cadres[spec["cadre"] % len(cadres)]
        row = append_record(cadre.id, source="waiver" if spec["waiver"] else "online", topic="osh", hours=4,
                            completed_on=day - timedelta(days=spec["days"]))
        if not spec["waiver"]:
            originals.append(row)
    elif kind == "bulk" and cadres:
        append_records_bulk([{"cadre_id": cadres[c % len(cadres)].id, "source": "import", "topic": "osh",
                              "hours": 2, "completed_on": day - timedelta(days=d)} for c, d in spec])
    elif kind in ("correct", "revoke") and originals:
        record = originals[(spec["record"] if kind == "correct" else spec) % len(originals)]
        revoked = db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.amends_id == record.id,
                                                                    TrainingRecord.kind == "revocation"))
        if revoked is None and kind == "revoke":
            revoke_record(record, reason="sai", actor=None)
        elif revoked is None:
            new_day = day - timedelta(days=spec["days"] + 1)  # corrections check against the server's date
            current = db.session.scalars(select(TrainingRecord.completed_on).where(
                TrainingRecord.amends_id == record.id).order_by(TrainingRecord.id.desc())).first()
            if new_day != (current or record.completed_on):
                correct_record(record, completed_on=new_day, reason="sửa ngày", actor=None)
    elif kind == "new_cadre":
        cadres.append(gen_cadre(units[spec["unit"] % len(units)], active=spec["active"]))
    elif kind == "move_cadre" and cadres:
        cadres[spec["cadre"] % len(cadres)].org_unit_id = units[spec["unit"] % len(units)].id
    elif kind == "active" and cadres:
        cadres[spec["cadre"] % len(cadres)].active = spec["active"]
    elif kind == "delete_cadre" and cadres:
        cadre = cadres[spec % len(cadres)]
        if db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.cadre_id == cadre.id).limit(1)) is None:
            db.session.delete(cadre)
            cadres.remove(cadre)
    elif kind == "move_unit":
        unit, parent = units[spec["unit"] % len(units)], units[spec["parent"] % len(units)]
        if unit.parent_id is not None and not parent.path.startswith(unit.path):
            move_unit(unit, parent)
    elif kind == "rebuild":
        db.session.flush()
        trained.rebuild()
    elif kind == "commit_hooks":
        trained._before_commit(db.session)


@SETTINGS
@given(tree=tree_st, n_cadres=st.integers(1, 6), steps=st.lists(step_st, max_size=14))
def test_trained_counts_equal_a_direct_count(app, tree, n_cadres, steps):
    """For every unit, this year and last: (trained, active) from the counts = the direct count."""

    def body():
        root = gen_unit(code="R0", level="Tổng Liên đoàn")
        units = [root, gen_unit(code="P1", level="LĐLĐ tỉnh", parent=root)]
        for parent in tree:
            units.append(gen_unit(parent=units[parent % len(units)]))
        cadres = [gen_cadre(units[(i * 3) % len(units)]) for i in range(n_cadres)]
        originals: list[TrainingRecord] = []
        for kind, spec in steps:
            _step(kind, spec, units, cadres, originals)
        trained._before_commit(db.session)
        db.session.expire_all()
        for unit in units:
            for year in (today().year, today().year - 1, today().year - 2):
                got = overview.trained_in_year(unit, year)
                assert (got.trained, got.active) == _direct(unit, year), (unit.path, year)

    _in_savepoint(body)


def test_a_record_counts_once_its_transaction_commits(app):
    """One cadre, two records in the year and one last year: trained once this year; a revocation of the
    only record of last year takes them off that year; deactivating them takes them off everything."""
    unit = gen_unit(code="R0", level="Tổng Liên đoàn")
    cadre = gen_cadre(unit)
    db.session.commit()
    year = today().year
    assert (overview.trained_in_year(unit, year).trained, overview.trained_in_year(unit, year).active) == (0, 1)
    append_record(cadre.id, source="online", topic="osh", hours=1, completed_on=today())
    append_record(cadre.id, source="online", topic="osh", hours=1, completed_on=today())
    old = append_record(cadre.id, source="online", topic="osh", hours=1, completed_on=today() - timedelta(days=400))
    db.session.commit()
    last = old.completed_on.year  # 400 days ago: an earlier year
    assert overview.trained_in_year(unit, year).trained == 1
    assert overview.trained_in_year(unit, last).trained == 1
    revoke_record(old, reason="nhầm", actor=None)
    db.session.commit()
    assert overview.trained_in_year(unit, last).trained == 0
    assert overview.trained_in_year(unit, year).trained == 1
    cadre.active = False
    db.session.commit()
    got = overview.trained_in_year(unit, year)
    assert (got.trained, got.active) == (0, 0)
