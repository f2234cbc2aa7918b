"""Training plans with per-topic targets, certificates, reminder log and verification lookups."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import BinaryString, db, utcnow
from lms.org.models import Cadre, OrgUnit


class TrainingPlan(db.Model):
    """Kế hoạch đào tạo: one unit's training plan for one year (targets per topic)."""

    __tablename__ = "training_plans"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "year", name="uq_training_plans_unit_year"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the unit that owns the plan; the plan is compared with the actuals of its whole subtree
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: calendar year the plan covers (1 January – 31 December)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    #: kinh phí planned for the year's training, in đồng (the unit's own funds; a subtree sums its plans)
    budget_planned: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()
    spendings: Mapped[list[PlanSpending]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="(PlanSpending.spent_on, PlanSpending.id)"
    )
    targets: Mapped[list[PlanTarget]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanTarget.topic", lazy="selectin"
    )

    def target_for(self, topic: str) -> PlanTarget | None:
        """The target row of ``topic``, if planned."""
        return next((t for t in self.targets if t.topic == topic), None)


class PlanTarget(db.Model):
    """Chỉ tiêu: the plan's target for one topic."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "topic", name="uq_plan_targets_plan_topic"),
        CheckConstraint("classes >= 0", name="classes_nonneg"),
        CheckConstraint("learners >= 0", name="learners_nonneg"),
        CheckConstraint("trained_pct >= 0 AND trained_pct <= 100", name="trained_pct_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"))
    #: training topic (``lms.catalog.models.Topic``)
    topic: Mapped[str] = mapped_column(String(16))
    #: in-person classes to hold in the year (số lớp)
    classes: Mapped[int] = mapped_column(Integer, default=0)
    #: attendances to reach (lượt học viên = count of training records in the topic)
    learners: Mapped[int] = mapped_column(Integer, default=0)
    #: share of active cadres of the subtree with ≥ 1 record in the topic in the year, in percent
    trained_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))

    plan: Mapped[TrainingPlan] = relationship(back_populates="targets")


class PlanSpending(db.Model):
    """Kinh phí đã chi: one amount spent under a plan on a day (summed per quarter, half-year, year)."""

    __tablename__ = "plan_spendings"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_plan_spendings_plan_day", "plan_id", "spent_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"))
    spent_on: Mapped[date] = mapped_column(Date)
    #: in đồng
    amount: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[TrainingPlan] = relationship(back_populates="spendings")


class CertificateKind(enum.StrEnum):
    """What a certificate attests."""

    module = "module"  #: a completed module
    standard = "standard"  #: a training-standard requirement met


class Certificate(db.Model):
    """Giấy chứng nhận: a PDF certificate with an unguessable verification code."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('module', 'standard')", name="kind_valid"),
        CheckConstraint("hours >= 0", name="hours_nonneg"),
        Index("ix_certificates_cadre_issued", "cadre_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: verification code: 120 random bits, 24 base32 characters, printed in groups of four (stored without dashes)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: the module completed (kind module)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    #: the requirement met (kind standard), id in the standards feature's tables
    requirement_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: makes issuing idempotent: "module:<record id>", "standard:<requirement id>:<cadre id>:<valid until>"
    subject_key: Mapped[str] = mapped_column(String(128), unique=True)
    #: snapshot of what is certified, in Vietnamese, as printed
    title: Mapped[str] = mapped_column(String(255))
    #: snapshots of the holder's name and unit at issue (the PDF shows them; /verify shows only the name)
    holder_name: Mapped[str] = mapped_column(String(255))
    unit_name: Mapped[str] = mapped_column(String(255), default="")
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    #: the day the training was completed or the requirement met
    completed_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    #: last day the certificate is valid; None = no expiry
    expires_on: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cadre: Mapped[Cadre] = relationship()

    @property
    def grouped_code(self) -> str:
        """The code as printed: groups of four separated by dashes."""
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))

    def state(self, today: date) -> str:
        """``valid``, ``revoked`` or ``expired`` on ``today``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "valid"


class ReminderLog(db.Model):
    """One reminder sent: at most one per recipient, day and kind (idempotent runs)."""

    __tablename__ = "reminder_logs"
    __table_args__ = (
        UniqueConstraint("recipient", "day", "kind", name="uq_reminder_logs_recipient_day_kind"),
        CheckConstraint("kind IN ('cadre', 'digest', 'summary')", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "cadre:<id>" or "user:<id>" — the person, not the address, so a changed address is not mailed twice
    recipient: Mapped[str] = mapped_column(String(64))
    #: the day of the run (reminders are daily at most)
    day: Mapped[date] = mapped_column(Date)
    #: ``cadre`` (own due/overdue items), ``digest`` (a manager's subtree list, daily) or ``summary`` (the
    #: periodic counts of a manager's subtree with a link to the dashboard, ``lms report digest``)
    kind: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(255))
    #: number of items listed in the message
    items: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VerifyLookup(db.Model):
    """A lookup on the public /verify page, kept to rate-limit guessing per address."""

    __tablename__ = "verify_lookups"
    __table_args__ = (Index("ix_verify_lookups_ip_at", "ip", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CadreTrainedYear(db.Model):
    """An active cadre and a year with an effective training record in it (year 0: every active cadre),
    with the cadre's unit and path when counted; kept by :mod:`lms.reports.trained`. No foreign key: a
    deleted cadre's rows are removed by the refresh that takes them off the unit counts."""

    __tablename__ = "cadre_trained_years"

    cadre_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(Integer)
    org_path: Mapped[str] = mapped_column(BinaryString)


class UnitTrainedCount(db.Model):
    """Per unit and year: how many of its own active cadres were trained (year 0: active cadres)."""

    __tablename__ = "unit_trained_counts"
    __table_args__ = (Index("ix_unit_trained_counts_year_path", "year", "org_path", "n"),)

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_path: Mapped[str] = mapped_column(BinaryString)
    n: Mapped[int] = mapped_column(Integer, default=0)
