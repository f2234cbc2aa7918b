"""Standard, Requirement (versioned) and ComplianceStatus (the engine's stored result per cadre).

A requirement is versioned: editing it closes the current row (``effective_to``) and adds a new row
with the same ``code`` and ``version + 1``, effective from a date. Statuses always point at the version
in force on the day they were computed; as-of queries pick the version in force on that day.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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


class State(enum.StrEnum):
    """Compliance state of one cadre against one requirement."""

    compliant = "compliant"  #: satisfied and valid, outside the renewal window
    due_soon = "due_soon"  #: in the renewal window, or not satisfied and due within 30 days
    overdue = "overdue"  #: never satisfied and past the due date
    expired = "expired"  #: was satisfied, validity has run out
    not_yet_due = "not_yet_due"  #: not satisfied, due date more than 30 days away
    waived = "waived"  #: exempted by a waiver record


STATE_LABELS = {
    State.compliant: ("Đạt", "Compliant"),
    State.due_soon: ("Sắp đến hạn", "Due soon"),
    State.overdue: ("Quá hạn", "Overdue"),
    State.expired: ("Hết hiệu lực", "Expired"),
    State.not_yet_due: ("Chưa đến hạn", "Not yet due"),
    State.waived: ("Được miễn", "Waived"),
}
#: Bootstrap colour of each state
STATE_COLOURS = {
    State.compliant: "success", State.due_soon: "warning", State.overdue: "danger",
    State.expired: "danger", State.not_yet_due: "secondary", State.waived: "info",
}
_STATES = ", ".join(f"'{s.value}'" for s in State)


class Standard(db.Model):
    """A training standard (chuẩn đào tạo) with a target share of compliant cadres."""

    __tablename__ = "standards"
    __table_args__ = (CheckConstraint("target_pct >= 0 AND target_pct <= 100", name="target_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: target share of applicable cadres that must be compliant, in percent (chỉ tiêu)
    target_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("100"))
    #: the standard counts from this day …
    effective_from: Mapped[date] = mapped_column(Date)
    #: … until the day before this one (None = open-ended)
    effective_to: Mapped[date | None] = mapped_column(Date)
    #: shipped example an admin is expected to adapt
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="standard", order_by="(Requirement.code, Requirement.version)"
    )

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang`` (Vietnamese fallback)."""
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi


class Requirement(db.Model):
    """One version of a requirement of a standard: to whom, what satisfies it, by when, for how long."""

    __tablename__ = "requirements"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_requirements_code_version"),
        CheckConstraint("validity_months >= 0", name="validity_nonneg"),
        CheckConstraint("renewal_days >= 0", name="renewal_nonneg"),
        CheckConstraint("due_days IS NULL OR due_days >= 0", name="due_days_nonneg"),
        CheckConstraint("min_score IS NULL OR (min_score >= 0 AND min_score <= 100)", name="min_score_range"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="effective_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    #: stable code across versions, e.g. "CT-ATVSLD"
    code: Mapped[str] = mapped_column(String(64), index=True)
    #: 1, 2, 3 … per code
    version: Mapped[int] = mapped_column(Integer, default=1)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255), default="")
    #: whom it applies to: {"employment": [...], "positions": [...], "is_key": bool, "org_units": [codes],
    #: "levels": [...], "gender": [...]}; every key given must hold (AND), values in a list are OR
    applies_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: alternatives, any one satisfies: [{"kind": "any_modules"|"all_modules", "modules": [codes]} |
    #: {"kind": "hours", "topic": "osh", "hours": 16, "period_months": 24}]
    satisfied_by: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: a scored record counts only with at least this score (unscored records, e.g. attendance, count)
    min_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    #: due this many days after appointment (or after ``since`` for cadres appointed earlier)
    due_days: Mapped[int | None] = mapped_column(Integer)
    #: or due by this fixed date
    due_date: Mapped[date | None] = mapped_column(Date)
    #: a satisfying record is valid this many months (0 = for good)
    validity_months: Mapped[int] = mapped_column(Integer, default=0)
    #: the renewal window opens this many days before expiry
    renewal_days: Mapped[int] = mapped_column(Integer, default=60)
    #: the first version's effective_from: due dates of earlier appointees count from here
    since: Mapped[date] = mapped_column(Date)
    #: this version is in force from … (inclusive)
    effective_from: Mapped[date] = mapped_column(Date)
    #: … to (exclusive); None while current
    effective_to: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    standard: Mapped[Standard] = relationship(back_populates="requirements")

    def name(self, lang: str = "vi") -> str:
        """The name in ``lang`` (Vietnamese fallback)."""
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi

    def in_force(self, day: date) -> bool:
        """True when this version (and its standard) is in force on ``day``."""
        std = self.standard
        return (self.effective_from <= day and (self.effective_to is None or day < self.effective_to)
                and std.effective_from <= day and (std.effective_to is None or day < std.effective_to))

    def __repr__(self) -> str:
        return f"<Requirement {self.code} v{self.version}>"


class ComplianceStatus(db.Model):
    """The engine's stored answer for one cadre and one requirement (version) that applies to them."""

    __tablename__ = "compliance_statuses"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state_valid"),
        #: dashboards: per requirement and state over a subtree (path range) — index-only scans
        Index("ix_compliance_statuses_req_state_path", "requirement_id", "state", "org_path"),
        Index("ix_compliance_statuses_path", "org_path"),
    )

    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"),
                                                primary_key=True)
    #: the cadre's unit when computed (denormalised for subtree aggregates)
    org_unit_id: Mapped[int] = mapped_column(Integer)
    #: the cadre's unit path when computed (denormalised: a subtree is a range on this column)
    org_path: Mapped[str] = mapped_column(BinaryString)
    #: state as of ``computed_on``
    state: Mapped[str] = mapped_column(String(16))
    #: when the requirement must first be met (None once satisfied records exist but no due rule)
    due_on: Mapped[date | None] = mapped_column(Date)
    #: the day the satisfying training was completed (the latest alternative met)
    satisfied_on: Mapped[date | None] = mapped_column(Date)
    #: the last day the satisfaction counts (None = for good, or not satisfied)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: the day a waiver took effect, when waived
    waived_on: Mapped[date | None] = mapped_column(Date)
    #: ids of the training records that satisfied it (or the waiver), comma-separated — the "why"
    record_ids: Mapped[str | None] = mapped_column(String(2000))
    #: the day the state was computed for; ``lms standards recompute`` refreshes it daily
    computed_on: Mapped[date] = mapped_column(Date)

    requirement: Mapped[Requirement] = relationship()

    def record_id_list(self) -> list[int]:
        """The satisfying record ids, sorted."""
        return sorted(int(x) for x in (self.record_ids or "").split(",") if x)


class ComplianceUnitCount(db.Model):
    """Pre-aggregated statuses of one unit's *own* cadres: how many are in each state, per requirement.

    Maintained by the engine: rebuilt with one ``GROUP BY`` on a full recompute, adjusted (old state −1,
    new state +1) on per-cadre updates in the same transaction. A subtree's totals are a ``SUM`` over the
    rows in its path range. Rows may hold ``n = 0`` after cadres moved on (harmless; a recompute drops them).
    """

    __tablename__ = "compliance_unit_counts"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state_valid"),
        #: subtree totals: a range on the path, covering the summed columns
        Index("ix_compliance_unit_counts_path", "org_path", "requirement_id", "state", "n", "renewing"),
    )

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"),
                                                primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: the unit's path (denormalised like ``compliance_statuses.org_path``)
    org_path: Mapped[str] = mapped_column(BinaryString)
    #: cadres of this unit in this state
    n: Mapped[int] = mapped_column(Integer, default=0)
    #: of which due soon but still valid (in the renewal window): they count as valid in the percentage
    renewing: Mapped[int] = mapped_column(Integer, default=0)


class StandardsGeneration(db.Model):
    """One row: a counter bumped in the transaction that changes a standard, requirement or module.

    Processes cache the resolved requirement versions per (generation, day); reading this row once per
    transaction tells them whether their cache is still current, across processes.
    """

    __tablename__ = "standards_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceRollupCount(db.Model):
    """Subtree totals of the top units (depth ≤ :data:`ROLLUP_DEPTH`: the root and the provinces).

    A snapshot rebuilt from ``compliance_unit_counts`` by the full recompute (daily) and by the rarer
    partial rebuilds; changes since are in :class:`ComplianceCountDelta`. Readers add both.
    """

    __tablename__ = "compliance_rollup_counts"

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"),
                                                primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    renewing: Mapped[int] = mapped_column(Integer, default=0)


#: units this deep or shallower (the root, the provinces) have a subtree snapshot
ROLLUP_DEPTH = 1


class ComplianceCountDelta(db.Model):
    """An append-only change of the per-unit counts since the last rollup snapshot.

    Per-cadre updates only INSERT here (no shared row is locked, so concurrent record transactions do
    not queue on the root's totals); the next rebuild folds them into the snapshot and deletes them.
    """

    __tablename__ = "compliance_count_deltas"
    __table_args__ = (Index("ix_compliance_count_deltas_path", "org_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the path of the unit whose own counts changed
    org_path: Mapped[str] = mapped_column(BinaryString)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirements.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(Integer)
    renewing: Mapped[int] = mapped_column(Integer)


class ComplianceStandardCount(db.Model):
    """Per unit and standard, in distinct cadres of the unit's *own*: applicable, meeting it, late, due soon.

    ``standard_id`` 0 is every standard together (the headline). Maintained like
    :class:`ComplianceUnitCount` (see :mod:`lms.standards.counts`); no foreign key, because of row 0.
    """

    __tablename__ = "compliance_standard_counts"
    __table_args__ = (
        Index("ix_compliance_standard_counts_path", "org_path", "standard_id", "applicable", "met", "overdue",
              "due_soon"),
    )

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standard_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_path: Mapped[str] = mapped_column(BinaryString)
    #: cadres of this unit to whom the standard applies (at least one of its requirements)
    applicable: Mapped[int] = mapped_column(Integer, default=0)
    #: … who meet every requirement of it that applies to them
    met: Mapped[int] = mapped_column(Integer, default=0)
    #: … with at least one requirement overdue or expired
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    #: … with at least one requirement due soon and none overdue
    due_soon: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceStandardRollup(db.Model):
    """Subtree totals per standard of the top units (depth ≤ :data:`ROLLUP_DEPTH`), a snapshot."""

    __tablename__ = "compliance_standard_rollups"

    org_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    standard_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicable: Mapped[int] = mapped_column(Integer, default=0)
    met: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    due_soon: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceStandardDelta(db.Model):
    """An append-only change of the per-standard counts since the last snapshot (see the rollup)."""

    __tablename__ = "compliance_standard_deltas"
    __table_args__ = (Index("ix_compliance_standard_deltas_path", "org_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_path: Mapped[str] = mapped_column(BinaryString)
    standard_id: Mapped[int] = mapped_column(Integer)
    applicable: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    due_soon: Mapped[int] = mapped_column(Integer)


class ComplianceSnapshot(db.Model):
    """The status rows as of a past day (a period end), kept so that "as of" reads need not replay the ledger.

    Taken by :func:`lms.standards.snapshots.take` (the scheduler: every month end); as of a later day
    the rows of cadres whose inputs did not change since are re-classified for that day, the others
    evaluated from the ledger (see :mod:`lms.standards.snapshots`).
    """

    __tablename__ = "compliance_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the day the rows are as of (records created by the end of that day, Vietnam time)
    day: Mapped[date] = mapped_column(Date, unique=True)
    #: when it was taken: cadres and units changed from (about) then on are evaluated from the ledger
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: hash of the requirement versions in force on ``day`` (rules, applicability, module ids)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: cadres with a ledger row entered by then but completed after ``day`` (it counts on a later day)
    pending: Mapped[list[int]] = mapped_column(JSON, default=list)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceSnapshotRow(db.Model):
    """One status row of a snapshot: the day-independent facts; the state follows from them and the day."""

    __tablename__ = "compliance_snapshot_rows"
    __table_args__ = (Index("ix_compliance_snapshot_rows_path", "snapshot_id", "org_path"),)

    #: cadre first: deleting a cadre finds its rows by the primary key
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("compliance_snapshots.id", ondelete="CASCADE"),
                                             primary_key=True)
    requirement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(Integer)
    org_path: Mapped[str] = mapped_column(BinaryString)
    due_on: Mapped[date | None] = mapped_column(Date)
    satisfied_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: ``valid_until`` minus the requirement's renewal window: due soon from this day
    renew_from: Mapped[date | None] = mapped_column(Date)
    waived_on: Mapped[date | None] = mapped_column(Date)
    record_ids: Mapped[str | None] = mapped_column(String(2000))
