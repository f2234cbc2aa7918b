"""TrainingRecord: one row per thing a cadre did that counts toward training standards. Append-only.

A correction or revocation is a new row (``kind`` correction/revocation) pointing at the row it
amends through ``amends_id``, with its reason and author; rows are never updated or deleted.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import db, utcnow
from lms.org.models import Cadre


class Source(enum.StrEnum):
    """Where a record comes from."""

    online = "online"  #: a SCORM module completion
    assessment = "assessment"  #: a server-graded quiz passed
    in_person = "in_person"  #: attendance of an in-person class
    imported = "import"  #: historical records loaded from a file
    waiver = "waiver"  #: a requirement waived or exempted for this cadre
    xblock = "xblock"  #: a completion reported through the Open edX XBlock
    lti = "lti"  #: a module completed in a launch from an LTI platform (``source_detail`` names it)


SOURCE_LABELS = {
    Source.online: ("Học trực tuyến", "Online module"),
    Source.assessment: ("Bài kiểm tra", "Assessment"),
    Source.in_person: ("Lớp tập huấn trực tiếp", "In-person class"),
    Source.imported: ("Nhập từ tệp", "Imported"),
    Source.waiver: ("Miễn", "Waiver"),
    Source.xblock: ("Open edX", "Open edX"),
    Source.lti: ("LTI", "LTI"),
}


def source_text(record: Any, label: str) -> str:
    """The source as shown: "LTI <platform>" for an LTI record, else the localized ``label``."""
    if record.source == Source.lti.value and record.source_detail:
        return f"LTI {record.source_detail}"
    return label


class Kind(enum.StrEnum):
    """An original record, or an amendment of an earlier one."""

    record = "record"
    correction = "correction"  #: replaces the amended row's values
    revocation = "revocation"  #: the amended row no longer counts


class TrainingRecord(db.Model):
    """A completed piece of training (or a waiver) of one cadre."""

    __tablename__ = "training_records"
    __table_args__ = (
        CheckConstraint(
            "source IN ('online', 'assessment', 'in_person', 'import', 'waiver', 'xblock', 'lti')",
            name="source_valid"
        ),
        CheckConstraint("kind IN ('record', 'correction', 'revocation')", name="kind_valid"),
        CheckConstraint("hours >= 0", name="hours_nonneg"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        CheckConstraint("kind = 'record' OR amends_id IS NOT NULL", name="amendment_has_target"),
        Index("ix_training_records_cadre_completed", "cadre_id", "completed_on"),
        #: what was entered since a compliance snapshot (lms.standards.snapshots): index-only
        Index("ix_training_records_created_at", "created_at", "cadre_id", "amends_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    #: the module completed, or None for topic-only records (in-person classes on a topic, imports)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    #: the topic the hours count toward (the module's topic when a module is given)
    topic: Mapped[str] = mapped_column(String(16))
    #: credit hours
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    #: score in percent (0–100), when the training was scored
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    #: the day the training was completed; validity periods count from here
    completed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    #: which one, where the source has several: the LTI platform's name for ``lti``
    source_detail: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default=Kind.record.value)
    #: the row a correction/revocation amends
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"), index=True)
    #: for waivers: the requirement waived (None = all requirements the module/topic satisfies)
    requirement_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: what proves it, e.g. {"attempt_id": 12} or {"class_id": 3} or {"file": "lich-su.xlsx", "row": 5}
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: makes appends idempotent: "attempt:12", "quiz_attempt:7", "class:3:cadre:9" …
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cadre: Mapped[Cadre] = relationship()
    amends: Mapped[TrainingRecord | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<TrainingRecord {self.id} cadre={self.cadre_id} {self.source}>"


@event.listens_for(TrainingRecord, "before_update")
def _refuse_update(mapper, connection, target: TrainingRecord) -> None:
    """The ledger is append-only: corrections are new rows."""
    raise RuntimeError("training_records is append-only; append a correction instead")


@event.listens_for(TrainingRecord, "before_delete")
def _refuse_delete(mapper, connection, target: TrainingRecord) -> None:
    """The ledger is append-only: revocations are new rows."""
    raise RuntimeError("training_records is append-only; append a revocation instead")


# --- In-person classes and historical imports (added by the records feature) -----------------------

from sqlalchemy import Boolean, UniqueConstraint  # noqa: E402

from lms.org.models import OrgUnit  # noqa: E402


class ClassStatus(enum.StrEnum):
    """An in-person class is open (attendance being taken) or closed (records appended)."""

    open = "open"
    closed = "closed"


class TrainingClass(db.Model):
    """An in-person training class (lớp tập huấn trực tiếp) organised by a unit."""

    __tablename__ = "training_classes"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_valid"),
        CheckConstraint("topic IN ('union_law', 'osh', 'finance', 'democracy', 'other')", name="topic_valid"),
        CheckConstraint("hours >= 0", name="hours_nonneg"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    #: the module the class teaches, or None for a class on a topic
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    #: the topic the hours count toward (the module's topic when a module is given)
    topic: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    #: the last day; the attendees' records are completed on this day
    ends_on: Mapped[date] = mapped_column(Date)
    #: credit hours each present attendee receives
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    place: Mapped[str] = mapped_column(String(255), default="")
    lecturer_name: Mapped[str] = mapped_column(String(255), default="")
    #: the organising unit; the class is visible to users whose scope contains it
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ClassStatus.open.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    org_unit: Mapped[OrgUnit] = relationship()
    attendees: Mapped[list[Attendance]] = relationship(back_populates="training_class", order_by="Attendance.id")

    @property
    def is_closed(self) -> bool:
        """True once the class is closed and its records appended."""
        return self.status == ClassStatus.closed.value

    def __repr__(self) -> str:
        return f"<TrainingClass {self.id} {self.title!r}>"


class Attendance(db.Model):
    """A cadre on a class's attendance list. Removal keeps the row (``removed_at``) for history."""

    __tablename__ = "class_attendances"
    __table_args__ = (
        UniqueConstraint("class_id", "cadre_id", name="uq_class_attendances_class_cadre"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    #: present (có mặt); only present attendees get a record
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: set when the attendee was removed (after closing, a revocation row was appended too)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    #: the ledger row appended for this attendance (None until the class is closed, or when absent)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"))

    training_class: Mapped[TrainingClass] = relationship(back_populates="attendees")
    cadre: Mapped[Cadre] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance class={self.class_id} cadre={self.cadre_id}>"


class ImportBatch(db.Model):
    """One applied historical import: which file, by whom, how many rows were added or skipped."""

    __tablename__ = "record_import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
