"""The training-record ledger is protected by the database itself (issue 16; migration 0720).

A plain SQL DELETE (SQLite) or TRUNCATE (PostgreSQL) used to empty the ledger. Now PostgreSQL refuses
UPDATE, DELETE and TRUNCATE (also a TRUNCATE … CASCADE from a parent table) and SQLite refuses UPDATE
and DELETE, whoever sends them; corrections and revocations are still appended as amendments.
Run on SQLite and on PostgreSQL (``LMS_TEST_DATABASE_URL``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from lms.core.db import db
from lms.records.models import Kind, TrainingRecord
from lms.records.services import correct_record, revoke_record
from tests.lms.records.helpers import gen_record


def _count() -> int:
    return db.session.scalar(select(func.count(TrainingRecord.id)))


def _refused(statement: str, **params) -> None:
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def ledger(tree):
    record = gen_record(tree["hn_cadre"])
    db.session.commit()
    return record


def test_plain_sql_delete_and_update_are_refused(ledger):
    """DELETE (with or without WHERE) and UPDATE from any connection are refused; the row stays."""
    _refused("DELETE FROM training_records")
    _refused("DELETE FROM training_records WHERE id = :id", id=ledger.id)
    _refused("UPDATE training_records SET hours = 0 WHERE id = :id", id=ledger.id)
    db.session.expire_all()
    assert _count() == 1 and db.session.get(TrainingRecord, ledger.id).hours == Decimal("4.00")


def test_truncate_is_refused_on_postgresql(ledger):
    """TRUNCATE of the ledger, and TRUNCATE … CASCADE of the cadres it points to, are refused (PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        assert db.session.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'training_records_no_delete'")) == 1
        return  # SQLite has no TRUNCATE; its DELETE is refused above
    _refused("TRUNCATE training_records CASCADE")
    _refused("TRUNCATE cadres CASCADE")
    assert _count() == 1


def test_corrections_and_revocations_are_still_appended(tree, ledger):
    """Amendments are new rows: the ledger grows, the original is untouched."""
    correct_record(ledger, hours=Decimal("6"), reason="Sai số giờ", actor=tree["admin"])
    revoke_record(ledger, reason="Trùng hồ sơ", actor=tree["admin"])
    db.session.commit()
    kinds = db.session.scalars(select(TrainingRecord.kind).order_by(TrainingRecord.id)).all()
    assert kinds == [Kind.record.value, Kind.correction.value, Kind.revocation.value]
    assert db.session.get(TrainingRecord, ledger.id).hours == Decimal("4.00")
