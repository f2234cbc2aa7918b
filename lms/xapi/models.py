"""The outbox: statements waiting for the LRS, written in the same transaction as their ledger record."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow


class OutboxStatus(enum.StrEnum):
    """Pending (to send, perhaps after a back-off), sent (the LRS stored it), or given up after too many tries."""

    pending = "pending"
    sent = "sent"
    failed = "failed"


class XapiOutbox(db.Model):
    """One xAPI statement for the LRS. ``statement_id`` is deterministic (uuid5 of the record and verb),
    so sending it again is harmless: the LRS keeps the first copy."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_valid"),
        Index("ix_xapi_outbox_status_next", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"), index=True)
    verb: Mapped[str] = mapped_column(String(255))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.pending.value)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: not sent before this time (back-off after a failure)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<XapiOutbox {self.statement_id} {self.status}>"
