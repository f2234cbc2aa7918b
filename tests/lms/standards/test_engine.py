"""The engine's status rules with hand-computed dates: transitions, renewal, waivers, hours, versions."""

from __future__ import annotations

from datetime import date

import pytest

from lms.core.db import db
from lms.records.services import append_record
from lms.standards import engine, services
from lms.standards.loader import validate_requirement
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.helpers import gen_module, record, standard, state_on, status


@pytest.fixture
def base(app):
    root = gen_unit("TLD", "Tổng LĐLĐ", "Tổng Liên đoàn")
    prov = gen_unit("HN", "LĐLĐ Hà Nội", "LĐLĐ tỉnh", root)
    cs = gen_unit("HN-CS1", "CĐCS 1", "CĐCS", prov)
    m1 = gen_module("M1", "osh")
    m2 = gen_module("M2", "finance")
    return {"root": root, "prov": prov, "cs": cs, "m1": m1, "m2": m2}


def test_transitions_over_time_not_yet_due_to_expired(base):
    # appointed 2025-03-01, due 90 days later = 2025-05-30; valid 12 months, renewal window 30 days
    reqs = standard([{"code": "R", "due_days": 90, "validity_months": 12, "renewal_days": 30}])
    req = reqs["R"]
    cadre = gen_cadre(base["cs"], appointed_on=date(2025, 3, 1))
    assert state_on(cadre, req, date(2025, 4, 29)) == "not_yet_due"  # 31 days before 30/5
    assert state_on(cadre, req, date(2025, 4, 30)) == "due_soon"  # exactly 30 days before
    assert state_on(cadre, req, date(2025, 5, 30)) == "due_soon"  # the due day itself
    assert state_on(cadre, req, date(2025, 5, 31)) == "overdue"
    assert status(cadre, req).due_on == date(2025, 5, 30)
    record(cadre, date(2025, 6, 10), base["m1"])
    assert state_on(cadre, req, date(2025, 6, 10)) == "compliant"
    row = status(cadre, req)
    assert (row.satisfied_on, row.valid_until) == (date(2025, 6, 10), date(2026, 6, 10))
    assert state_on(cadre, req, date(2026, 5, 10)) == "compliant"  # 31 days before expiry
    assert state_on(cadre, req, date(2026, 5, 11)) == "due_soon"  # renewal window opens
    assert state_on(cadre, req, date(2026, 6, 10)) == "due_soon"  # last valid day
    assert state_on(cadre, req, date(2026, 6, 11)) == "expired"
    # renewal: a new completion restarts validity
    record(cadre, date(2026, 7, 1), base["m1"])
    assert state_on(cadre, req, date(2026, 7, 1)) == "compliant"
    assert status(cadre, req).valid_until == date(2027, 7, 1)


def test_month_end_clipping_and_valid_for_good(base):
    reqs = standard([{"code": "A", "validity_months": 1}, {"code": "B", "validity_months": 0}], start="2024-01-01")
    cadre = gen_cadre(base["cs"])
    record(cadre, date(2024, 1, 31), base["m1"])
    engine.recompute(date(2024, 2, 1))
    assert status(cadre, reqs["A"]).valid_until == date(2024, 2, 29)
    assert state_on(cadre, reqs["B"], date(2040, 1, 1)) == "compliant"
    assert status(cadre, reqs["B"]).valid_until is None


def test_due_counts_from_standard_start_for_earlier_appointees_and_fixed_date(base):
    reqs = standard([{"code": "D", "due_days": 100}, {"code": "F", "due_date": "2025-12-31"}],
                    start="2025-07-01")
    old = gen_cadre(base["cs"], appointed_on=date(2010, 1, 1))
    new = gen_cadre(base["cs"], appointed_on=date(2025, 9, 1))
    none = gen_cadre(base["cs"], appointed_on=None)
    engine.recompute(date(2025, 7, 2))
    assert status(old, reqs["D"]).due_on == date(2025, 10, 9)  # 1/7 + 100 days
    assert status(none, reqs["D"]).due_on == date(2025, 10, 9)
    assert status(new, reqs["D"]).due_on == date(2025, 12, 10)  # 1/9 + 100 days
    assert status(new, reqs["F"]).due_on == date(2025, 12, 31)


def test_applicability(base):
    rule = {"employment": ["full_time"], "positions": ["chair", "vice_chair"], "is_key": True,
            "org_units": ["HN"], "levels": ["CĐCS"], "gender": ["female"]}
    reqs = standard([{"code": "AP", "applies_to": rule}])
    other_prov = gen_unit("CB", "LĐLĐ Cao Bằng", "LĐLĐ tỉnh", base["root"])
    other_cs = gen_unit("CB-CS1", "CĐCS CB", "CĐCS", other_prov)
    ok = {"employment": "full_time", "position": "chair", "is_key": True, "gender": "female"}
    yes = gen_cadre(base["cs"], **ok)
    misses = [
        gen_cadre(base["cs"], **{**ok, "employment": "part_time"}),
        gen_cadre(base["cs"], **{**ok, "position": "osh_officer"}),
        gen_cadre(base["cs"], **{**ok, "is_key": False}),
        gen_cadre(base["cs"], **{**ok, "gender": "male"}),
        gen_cadre(other_cs, **ok),  # another province
        gen_cadre(base["prov"], **ok),  # the province office: level is not CĐCS
        gen_cadre(base["cs"], **{**ok, "active": False}),
    ]
    engine.recompute(date(2025, 2, 1))
    assert status(yes, reqs["AP"]) is not None
    assert [status(c, reqs["AP"]) for c in misses] == [None] * len(misses)


def test_min_score_and_all_modules(base):
    reqs = standard([{"code": "ALL", "satisfied_by": [{"all_modules": ["M1", "M2"]}], "min_score": 70,
                      "validity_months": 24}])
    cadre = gen_cadre(base["cs"])
    record(cadre, date(2025, 2, 1), base["m1"], score=90)
    record(cadre, date(2025, 3, 1), base["m2"], score=50)  # below the minimum
    assert state_on(cadre, reqs["ALL"], date(2025, 4, 1)) == "overdue"  # no due rule: due from the start
    r = record(cadre, date(2025, 4, 1), base["m2"], score=70)
    assert state_on(cadre, reqs["ALL"], date(2025, 4, 2)) == "compliant"
    row = status(cadre, reqs["ALL"])
    assert row.satisfied_on == date(2025, 2, 1)  # the oldest of the latest completions
    assert row.valid_until == date(2027, 2, 1)
    assert r.id in row.record_id_list() and len(row.record_id_list()) == 2


def test_hours_within_a_period_online_and_in_person_together(base):
    reqs = standard([{"code": "H", "satisfied_by": [{"hours": 16, "topic": "osh", "period_months": 12}],
                      "validity_months": 24}])
    cadre = gen_cadre(base["cs"])
    a = record(cadre, date(2024, 1, 10), topic="osh", hours=8)  # in person
    record(cadre, date(2025, 1, 15), topic="osh", hours=8)  # more than 12 months later: window misses a
    record(cadre, date(2025, 1, 20), topic="finance", hours=40)  # another topic
    assert state_on(cadre, reqs["H"], date(2025, 2, 1)) == "overdue"
    c = record(cadre, date(2025, 3, 1), base["m1"], hours=4)  # online module on osh: 12 h in window
    assert state_on(cadre, reqs["H"], date(2025, 3, 2)) == "overdue"
    d = record(cadre, date(2025, 6, 30), topic="osh", hours=4)
    assert state_on(cadre, reqs["H"], date(2025, 7, 1)) == "compliant"
    row = status(cadre, reqs["H"])
    assert row.satisfied_on == date(2025, 6, 30)
    assert a.id not in row.record_id_list() and {c.id, d.id} <= set(row.record_id_list())


def test_waiver_and_its_revocation(base):
    reqs = standard([{"code": "W"}])
    cadre = gen_cadre(base["cs"])
    waiver = append_record(cadre.id, source="waiver", completed_on=date(2025, 2, 1), topic="osh",
                           requirement_id=reqs["W"].id, reason="Miễn do đã có chứng chỉ")
    assert state_on(cadre, reqs["W"], date(2025, 2, 1)) == "waived"
    assert status(cadre, reqs["W"]).record_id_list() == [waiver.id]
    assert state_on(cadre, reqs["W"], date(2025, 1, 31)) == "overdue"  # before the waiver took effect
    append_record(cadre.id, source="waiver", completed_on=date(2025, 2, 1), topic="osh", kind="revocation",
                  amends_id=waiver.id)
    assert state_on(cadre, reqs["W"], date(2025, 2, 2)) == "overdue"


def test_correction_replaces_values_and_revocation_removes(base):
    reqs = standard([{"code": "C", "min_score": 70}])
    cadre = gen_cadre(base["cs"])
    r = record(cadre, date(2025, 2, 1), base["m1"], score=50)
    engine.recompute(date(2025, 3, 1))
    assert status(cadre, reqs["C"]).state == "overdue"
    record(cadre, date(2025, 2, 1), base["m1"], score=80, kind="correction", amends_id=r.id)
    assert status(cadre, reqs["C"]).state == "compliant"  # updated by the listener
    record(cadre, date(2025, 2, 1), base["m1"], kind="revocation", amends_id=r.id)
    assert status(cadre, reqs["C"]).state == "overdue"


def test_new_record_updates_the_cadre_in_the_same_transaction(base):
    reqs = standard([{"code": "N"}])
    cadre = gen_cadre(base["cs"])
    engine.recompute()
    assert status(cadre, reqs["N"]).state == "overdue"
    record(cadre, engine.today_vn(), base["m1"])
    assert status(cadre, reqs["N"]).state == "compliant"


def test_moved_cadre_and_changed_position_recompute(base):
    reqs = standard([{"code": "MV", "applies_to": {"org_units": ["HN"], "positions": ["chair"]}}])
    other = gen_unit("CB", "LĐLĐ Cao Bằng", "LĐLĐ tỉnh", base["root"])
    cadre = gen_cadre(base["cs"], position="chair")
    db.session.commit()
    assert status(cadre, reqs["MV"]) is not None
    cadre.org_unit = other
    db.session.commit()
    assert status(cadre, reqs["MV"]) is None
    cadre.org_unit = base["cs"]
    cadre.position = "group_leader"
    db.session.commit()
    assert status(cadre, reqs["MV"]) is None
    cadre.position = "chair"
    db.session.commit()
    assert status(cadre, reqs["MV"]).org_path == base["cs"].path


def test_moved_unit_updates_paths_and_applicability(base):
    from lms.org.services import move_unit

    reqs = standard([{"code": "U", "applies_to": {"org_units": ["HN"]}}, {"code": "ALLC"}])
    other = gen_unit("CB", "LĐLĐ Cao Bằng", "LĐLĐ tỉnh", base["root"])
    cadre = gen_cadre(base["cs"])
    db.session.commit()
    assert status(cadre, reqs["U"]) is not None
    move_unit(base["cs"], other)
    db.session.commit()
    assert status(cadre, reqs["U"]) is None
    assert status(cadre, reqs["ALLC"]).org_path.startswith(other.path)


def test_standard_changed_from_a_date_keeps_history(base):
    reqs = standard([{"code": "V", "validity_months": 24}], today=date(2025, 1, 1))
    v1 = reqs["V"]
    cadre = gen_cadre(base["cs"])
    record(cadre, date(2025, 3, 1), base["m1"])
    item = validate_requirement({"code": "V", "name_vi": "Yêu cầu V", "satisfied_by": [{"any_modules": ["M2"]}],
                                 "validity_months": 24})
    assert services.save_requirement(v1.standard, item, date(2025, 9, 1), date(2025, 6, 1)) == 1
    v2 = services.current_version("V")
    assert (v1.effective_to, v2.effective_from, v2.version, v2.since) == (
        date(2025, 9, 1), date(2025, 9, 1), 2, date(2025, 1, 1))
    engine.recompute(date(2025, 8, 31))
    assert status(cadre, v1).state == "compliant"
    engine.recompute(date(2025, 9, 1))
    assert status(cadre, v1) is None
    assert status(cadre, v2).state == "overdue"
    # as of a day under v1, the old version answers (the record was entered today, so it did not count yet)
    rows = services.cadre_statuses(cadre, as_of=date(2025, 8, 1))
    assert [(r["code"], r["requirement_id"], r["state"]) for r in rows] == [("V", v1.id, "overdue")]


def test_as_of_uses_records_created_by_then(base, app):
    from datetime import UTC, datetime

    from lms.records.models import TrainingRecord

    standard([{"code": "AS"}])
    cadre = gen_cadre(base["cs"])
    rec = TrainingRecord(cadre_id=cadre.id, source="import", completed_on=date(2025, 2, 1), topic="osh",
                         module_id=base["m1"].id, hours=4, created_at=datetime(2025, 5, 1, 3, 0, tzinfo=UTC))
    db.session.add(rec)
    db.session.flush()
    # completed 1/2 but entered 1/5 (10:00 in Vietnam): as of 1/3 it did not count yet
    assert [r["state"] for r in services.cadre_statuses(cadre, as_of=date(2025, 3, 1))] == ["overdue"]
    assert [r["state"] for r in services.cadre_statuses(cadre, as_of=date(2025, 5, 1))] == ["compliant"]
    summary = services.unit_summary(base["prov"], as_of=date(2025, 5, 1))
    assert (summary[0]["applicable"], summary[0]["compliant"], summary[0]["pct"]) == (1, 1, 100.0)
