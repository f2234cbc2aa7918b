"""Issuing the certificates due to many cadres at once (set-based): the per-record rules, idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.core.db import db
from lms.records import services
from lms.records.services import append_records_bulk, revoke_record
from lms.reports import certificates
from lms.reports.models import Certificate
from tests.lms.records.helpers import gen_module

DAY = date(2025, 3, 10)


def _row(cadre, module, key, *, source="online", hours="4", day=DAY):
    return {"cadre_id": cadre.id, "module_id": module.id, "topic": module.topic, "hours": hours, "source": source,
            "completed_on": day, "dedupe_key": key}


def _issued():
    return sorted((c.cadre_id, c.module_id, c.subject_key, c.revoked_at is None)
                  for c in db.session.scalars(select(Certificate)))


def test_issue_due_follows_the_per_record_rules_and_is_idempotent(tree, monkeypatch):
    monkeypatch.setattr(services, "_listeners", [])  # no certificate at append time: the job issues them
    nhung, dung = tree["hn_cadre"], tree["cb_cadre"]
    osh, law = gen_module("ATVSLD"), gen_module("PLCD", topic="union_law")
    append_records_bulk([
        _row(nhung, osh, "a1"), _row(nhung, osh, "a2", day=date(2025, 4, 1)),  # a retake: one certificate
        _row(nhung, law, "a3", source="import"),  # imported history: none
        _row(dung, osh, "b1"),  # revoked below: none
        _row(dung, law, "b2", source="assessment", hours="0"),  # a quiz score: none
        _row(dung, law, "b3", day=date(2026, 1, 1)),  # after the day asked: none
    ])
    first = {r.dedupe_key: r.id for r in db.session.scalars(select(services.TrainingRecord))}
    revoke_record(db.session.get(services.TrainingRecord, first["b1"]), reason="nhầm", actor=None)

    assert certificates.issue_due([nhung.id, dung.id], date(2025, 12, 31)) == 1
    assert _issued() == [(nhung.id, osh.id, f"module:{first['a1']}", True)]
    assert certificates.issue_due([nhung.id, dung.id], date(2025, 12, 31)) == 0

    # once that certificate is revoked, the retake's record gets one (as when issued record by record)
    held = db.session.scalar(select(Certificate))
    certificates.revoke(held, reason="sai", by_user_id=None)
    assert certificates.issue_due([nhung.id], date(2025, 12, 31)) == 1
    assert _issued() == [(nhung.id, osh.id, f"module:{first['a1']}", False),
                         (nhung.id, osh.id, f"module:{first['a2']}", True)]
    issued = db.session.scalar(select(Certificate).where(Certificate.revoked_at.is_(None)))
    assert (issued.holder_name, issued.title, len(issued.code)) == (nhung.full_name, osh.title_vi, 24)


def test_a_bulk_append_reads_back_only_the_rows_a_listener_wants(tree, monkeypatch):
    seen, reads = [], []
    monkeypatch.setattr(services, "_listeners", [])
    monkeypatch.setattr(services, "_bulk_listeners", [lambda ids: None])
    services.on_record_appended(lambda r: seen.append(r.dedupe_key), wants=lambda row: row["source"] != "import")
    osh = gen_module("ATVSLD")
    from sqlalchemy import event

    @event.listens_for(db.engine, "before_cursor_execute")
    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "training_records" in statement:
            reads.append(statement)

    try:
        append_records_bulk([_row(tree["hn_cadre"], osh, f"i{n}", source="import") for n in range(3)])
        assert (seen, reads) == ([], [])
        append_records_bulk([_row(tree["hn_cadre"], osh, "o1"), _row(tree["cb_cadre"], osh, "i9", source="import")])
        assert seen == ["o1"]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
