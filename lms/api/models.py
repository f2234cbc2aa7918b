"""Consumers (Open edX platforms allowed to launch modules), the learners they send, and the nonces
already used (replay protection)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import db, utcnow
from lms.org.models import Cadre


class Consumer(db.Model):
    """A platform (an Open edX instance) holding a key and a shared HMAC secret."""

    __tablename__ = "api_consumers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the public key the XBlock sends as ``consumer``
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    #: the shared secret, encrypted (Fernet) with a key derived from LMS_API_SECRET_KEY / SECRET_KEY;
    #: HMAC needs the secret itself on both sides, so it is stored recoverable, never in clear
    secret_encrypted: Mapped[str] = mapped_column(Text)
    #: the platform's origins allowed to frame the LMS pages it launches (CSP frame-ancestors), space
    #: separated, e.g. "https://learn.congdoan.vn https://studio.congdoan.vn"
    origins: Mapped[str] = mapped_column(Text, default="")
    #: a deactivated consumer's launches and result queries are refused
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Consumer {self.key}>"


class LinkStatus(enum.StrEnum):
    """Whether a consumer's learner is mapped to a cadre."""

    linked = "linked"
    pending = "pending"
    rejected = "rejected"


LINK_STATUS_LABELS = {
    LinkStatus.linked: ("Đã liên kết", "Linked"),
    LinkStatus.pending: ("Chờ xác nhận", "Pending"),
    LinkStatus.rejected: ("Đã từ chối", "Rejected"),
}


class ConsumerLearner(db.Model):
    """A learner of a consumer (by the platform's anonymous id) and the cadre they study as."""

    __tablename__ = "api_consumer_learners"
    __table_args__ = (
        UniqueConstraint("consumer_id", "anonymous_user_id", name="uq_api_consumer_learners_consumer_anon"),
        CheckConstraint("status IN ('linked', 'pending', 'rejected')", name="status_valid"),
        CheckConstraint("status <> 'linked' OR cadre_id IS NOT NULL", name="linked_has_cadre"),
        Index("ix_api_consumer_learners_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("api_consumers.id"))
    #: Open edX's anonymous user id (stable per learner and platform)
    anonymous_user_id: Mapped[str] = mapped_column(String(255))
    #: the email the platform shared at the last launch (NFC, lower-case), if any
    email: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255), default="")
    #: the cadre this learner studies as; None while pending
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LinkStatus.pending.value)
    #: the module the learner launched last (shown on the pending list)
    last_module: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: who confirmed (or rejected) the link, and when: the admin, or the account that proved it was theirs
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    consumer: Mapped[Consumer] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    decided_by: Mapped[User | None] = relationship()


class UsedNonce(db.Model):
    """A nonce already used by a consumer, kept until its signed request would have expired anyway."""

    __tablename__ = "api_used_nonces"

    consumer_id: Mapped[int] = mapped_column(ForeignKey("api_consumers.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
