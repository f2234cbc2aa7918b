"""The ledger: append-only, corrections and revocations keep history and change the effective view."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.errors import UserError
from lms.records import services
from lms.records.models import Kind, TrainingRecord
from lms.records.services import (
    append_record,
    append_records_bulk,
    correct_record,
    effective_records,
    grant_waiver,
    on_record_appended,
    on_records_bulk_appended,
    revoke_record,
)
from tests.lms.records.helpers import gen_module, gen_record


def _effective(cadre_ids=None, as_of=None):
    return {r.record_id: r for r in db.session.execute(effective_records(cadre_ids, as_of))}


def test_orm_update_is_refused(tree):
    record = gen_record(tree["hn_cadre"])
    record.hours = Decimal("99")
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_orm_delete_is_refused(tree):
    record = gen_record(tree["hn_cadre"])
    db.session.delete(record)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_raw_sql_update_is_refused_by_the_database(tree):
    record = gen_record(tree["hn_cadre"])
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE training_records SET hours = 99 WHERE id = :id"), {"id": record.id})
    db.session.rollback()
    assert db.session.get(TrainingRecord, record.id).hours == Decimal("4.00")


def test_raw_sql_delete_is_refused_by_the_database(tree):
    record = gen_record(tree["hn_cadre"])
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM training_records WHERE id = :id"), {"id": record.id})
    db.session.rollback()


def test_dedupe_key_makes_append_idempotent(tree):
    first = gen_record(tree["hn_cadre"], key="attempt:1")
    again = gen_record(tree["hn_cadre"], hours="7", key="attempt:1")
    assert again.id == first.id
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 1


def test_two_appends_of_one_key_at_once_give_one_row_and_no_error(app, tree):
    """Another request appends the same key and has not committed yet: this append waits for it, then
    returns its row (PostgreSQL; SQLite runs one writer at a time)."""
    cadre_id, module = tree["hn_cadre"].id, gen_module("DK")
    db.session.commit()
    args = {"source": "online", "completed_on": date(2026, 3, 1), "topic": "union_law", "module_id": module.id,
            "dedupe_key": "attempt:77"}
    if db.engine.dialect.name != "postgresql":
        first = append_record(cadre_id, **args)
        assert append_record(cadre_id, **args).id == first.id
        return
    with db.engine.connect() as other:  # the other request, in its own transaction
        other.execute(text("INSERT INTO training_records (cadre_id, module_id, topic, hours, completed_on, source,"
                           " kind, evidence, dedupe_key, reason, created_at) VALUES (:c, :m, 'union_law', 4,"
                           " '2026-03-01', 'online', 'record', '{}', 'attempt:77', '', now())"),
                      {"c": cadre_id, "m": module.id})
        threading.Timer(0.3, other.commit).start()  # commits while our append waits on its row
        record = append_record(cadre_id, **args)
    assert record.hours == Decimal("4.00")  # the other request's row, not ours
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == 1


def test_correction_changes_effective_values_and_keeps_history(tree):
    record = gen_record(tree["hn_cadre"], hours="4", completed_on=date(2025, 3, 10))
    fix = correct_record(record, hours="6", reason="Sai số giờ", actor=tree["hn_manager"])
    assert (fix.kind, fix.amends_id, fix.reason, fix.created_by_id) == ("correction", record.id, "Sai số giờ",
                                                                        tree["hn_manager"].id)
    assert fix.completed_on == date(2025, 3, 10)  # unchanged values are carried over
    rows = _effective([tree["hn_cadre"].id])
    assert list(rows) == [record.id]
    assert rows[record.id].hours == Decimal("6.00")
    assert rows[record.id].corrected
    assert db.session.get(TrainingRecord, record.id).hours == Decimal("4.00")  # the original is untouched


def test_latest_correction_wins_and_correcting_a_correction_targets_the_original(tree):
    record = gen_record(tree["hn_cadre"], hours="4")
    first = correct_record(record, hours="6", reason="a", actor=None)
    second = correct_record(first, score=80, reason="b", actor=None)
    assert second.amends_id == record.id
    row = _effective()[record.id]
    assert (row.hours, row.score) == (Decimal("6.00"), Decimal("80.00"))


def test_revocation_removes_the_record_from_the_effective_view(tree):
    keep = gen_record(tree["hn_cadre"], hours="2")
    gone = gen_record(tree["hn_cadre"], hours="3", completed_on=date(2025, 4, 1))
    revocation = revoke_record(gone, reason="Ghi nhầm người", actor=tree["hn_manager"])
    assert (revocation.kind, revocation.amends_id) == (Kind.revocation.value, gone.id)
    assert set(_effective()) == {keep.id}
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 3


def test_revoked_record_cannot_be_revoked_or_corrected_again(tree):
    record = gen_record(tree["hn_cadre"])
    revoke_record(record, reason="x", actor=None)
    with pytest.raises(UserError) as info:
        revoke_record(record, reason="y", actor=None)
    assert info.value.status == 409
    with pytest.raises(UserError):
        correct_record(record, hours=1, reason="y", actor=None)


@pytest.mark.parametrize("kwargs, code", [
    ({"hours": 5, "reason": "  "}, "reason_required"),
    ({"hours": -1, "reason": "x"}, "bad_hours"),
    ({"score": 101, "reason": "x"}, "bad_score"),
    ({"completed_on": today_vn() + timedelta(days=1), "reason": "x"}, "future_date"),
    ({"hours": "4", "reason": "x"}, "no_change"),
])
def test_bad_corrections_are_refused(tree, kwargs, code):
    record = gen_record(tree["hn_cadre"], hours="4")
    with pytest.raises(UserError) as info:
        correct_record(record, actor=None, **kwargs)
    assert info.value.code == code
    assert info.value.status in (409, 422)


def _row(cadre, created, **kw):
    values = {"cadre_id": cadre.id, "source": "online", "topic": "osh", "hours": Decimal("4"),
              "completed_on": date(2024, 3, 1), "created_at": created}
    values.update(kw)
    record = TrainingRecord(**values)
    db.session.add(record)
    db.session.flush()
    return record


def test_effective_view_as_of_is_the_ledger_at_the_end_of_that_day(tree):
    cadre = tree["hn_cadre"]
    # created 2024-06-30 23:30 in Hà Nội (16:30 UTC): counts as of 30/06; corrected in July, revoked in 2025
    original = _row(cadre, datetime(2024, 6, 30, 16, 30, tzinfo=UTC))
    _row(cadre, datetime(2024, 7, 10, tzinfo=UTC), kind="correction", amends_id=original.id, hours=Decimal("6"))
    _row(cadre, datetime(2025, 1, 5, tzinfo=UTC), kind="revocation", amends_id=original.id)
    late = _row(cadre, datetime(2024, 6, 30, 17, 30, tzinfo=UTC), completed_on=date(2024, 5, 1))  # 1 July in VN
    assert _effective(as_of=date(2024, 6, 29)) == {}
    assert {k: v.hours for k, v in _effective(as_of=date(2024, 6, 30)).items()} == {original.id: Decimal("4.00")}
    assert {k: v.hours for k, v in _effective(as_of=date(2024, 7, 31)).items()} == {
        original.id: Decimal("6.00"), late.id: Decimal("4.00")}
    assert set(_effective(as_of=date(2025, 1, 31))) == {late.id}
    assert set(_effective()) == {late.id}


def test_effective_view_as_of_uses_the_corrected_completion_date(tree):
    original = _row(tree["hn_cadre"], datetime(2023, 12, 1, tzinfo=UTC), completed_on=date(2023, 11, 20))
    _row(tree["hn_cadre"], datetime(2023, 12, 2, tzinfo=UTC), kind="correction", amends_id=original.id,
         completed_on=date(2023, 12, 25))
    other = gen_record(tree["cb_cadre"], completed_on=date(2023, 12, 5))
    assert set(_effective(as_of=date(2023, 12, 10))) == set()
    assert set(_effective(as_of=date(2023, 12, 31))) == {original.id}
    assert set(_effective(cadre_ids=[tree["cb_cadre"].id])) == {other.id}


def test_waiver_of_a_module_a_topic_and_a_requirement(tree):
    module = gen_module("TCCD", topic="finance")
    by_module = grant_waiver(tree["hn_cadre"], module=module, reason="Đã học tại trường", actor=tree["hn_manager"],
                             completed_on=date(2025, 1, 2))
    by_topic = grant_waiver(tree["hn_cadre"], topic="osh", reason="Chuyên gia ATVSLĐ", actor=tree["hn_manager"])
    by_requirement = grant_waiver(tree["hn_cadre"], 42, reason="Miễn theo quyết định", actor=tree["admin"])
    assert (by_module.source, by_module.module_id, by_module.topic, by_module.hours) == (
        "waiver", module.id, "finance", Decimal("0.00"))
    assert (by_topic.topic, by_topic.module_id, by_topic.completed_on) == ("osh", None, today_vn())
    assert (by_requirement.requirement_id, by_requirement.created_by_id) == (42, tree["admin"].id)
    rows = _effective()
    assert {r.source for r in rows.values()} == {"waiver"}
    revoke_record(by_requirement, reason="Hết hiệu lực", actor=None)
    assert by_requirement.id not in _effective()


def test_waiver_needs_a_target_and_a_reason(tree):
    with pytest.raises(UserError) as info:
        grant_waiver(tree["hn_cadre"], reason="x", actor=None)
    assert info.value.code == "waiver_target"
    with pytest.raises(UserError):
        grant_waiver(tree["hn_cadre"], topic="osh", reason="", actor=None)
    with pytest.raises(UserError):
        grant_waiver(tree["hn_cadre"], topic="astrology", reason="x", actor=None)


def test_listeners_run_for_each_append_including_amendments(tree, monkeypatch):
    seen = []
    monkeypatch.setattr(services, "_listeners", [])
    on_record_appended(lambda r: seen.append((r.kind, r.cadre_id)))
    record = gen_record(tree["hn_cadre"])
    correct_record(record, hours=1, reason="x", actor=None)
    revoke_record(record, reason="y", actor=None)
    cid = tree["hn_cadre"].id
    assert seen == [("record", cid), ("correction", cid), ("revocation", cid)]


def test_bulk_append_calls_the_bulk_hook_once_per_batch(tree, monkeypatch):
    calls, per_row = [], []
    monkeypatch.setattr(services, "_listeners", [])
    monkeypatch.setattr(services, "_bulk_listeners", [])
    on_record_appended(per_row.append)
    on_records_bulk_appended(calls.append)
    rows = [{"cadre_id": c.id, "source": "import", "topic": "osh", "hours": Decimal("2"),
             "completed_on": date(2024, 5, 1), "dedupe_key": f"import:{c.id}"}
            for c in (tree["hn_cadre"], tree["cb_cadre"])]
    assert append_records_bulk(rows) == 2
    assert calls == [sorted([tree["hn_cadre"].id, tree["cb_cadre"].id])]
    # listeners other than the compliance engine's (covered by the bulk hook) still see every row
    assert sorted(r.cadre_id for r in per_row) == sorted([tree["hn_cadre"].id, tree["cb_cadre"].id])


def test_bulk_append_without_bulk_hook_runs_per_record_listeners(tree, monkeypatch):
    per_row = []
    monkeypatch.setattr(services, "_listeners", [])
    monkeypatch.setattr(services, "_bulk_listeners", [])
    monkeypatch.setattr(services, "_bulk_hooks", lambda: [])
    on_record_appended(lambda r: per_row.append(r.dedupe_key))
    append_records_bulk([{"cadre_id": tree["hn_cadre"].id, "source": "import", "topic": "osh", "hours": 1,
                          "completed_on": date(2024, 5, 1), "dedupe_key": "k1"}])
    assert per_row == ["k1"]


def test_append_record_signature_is_kept(tree):
    record = append_record(tree["hn_cadre"].id, source="assessment", completed_on=date(2025, 1, 1), topic="osh",
                           hours=2, score=87.456, evidence={"quiz_attempt_id": 3}, dedupe_key="quiz_attempt:3")
    assert (record.score, record.evidence) == (Decimal("87.46"), {"quiz_attempt_id": 3})
