"""Attempts of a cadre on a module, the run-time state of each SCO, and the log of commits.

An :class:`Attempt` is pinned to the package version it started on (a new upload never changes it).
Each SCO of the attempt has one :class:`ScoState` row holding the flat cmi state
(``{"cmi.core.lesson_status": "passed", …}``) and the sequence number of the last commit applied;
:class:`CommitLog` keeps one row per commit received (stored, duplicate, stale or refused).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Module, PackageVersion
from lms.core.db import db, utcnow
from lms.org.models import Cadre


class AttemptStatus(enum.StrEnum):
    """Where an attempt stands (from its SCOs, aggregated by the module's policy)."""

    not_attempted = "not_attempted"
    in_progress = "in_progress"
    completed = "completed"


ATTEMPT_STATUS_LABELS = {
    AttemptStatus.not_attempted: ("Chưa học", "Not attempted"),
    AttemptStatus.in_progress: ("Đang học", "In progress"),
    AttemptStatus.completed: ("Đã hoàn thành", "Completed"),
}


class Attempt(db.Model):
    """One attempt of a cadre on a module, on one package version."""

    __tablename__ = "player_attempts"
    __table_args__ = (
        UniqueConstraint("cadre_id", "module_id", "number", name="uq_player_attempts_cadre_module_number"),
        CheckConstraint("status IN ('not_attempted', 'in_progress', 'completed')", name="status_valid"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        Index("ix_player_attempts_module_cadre", "module_id", "cadre_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    #: the version this attempt plays; never changes
    package_version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id"), index=True)
    #: 1, 2, 3 … per cadre and module
    number: Mapped[int] = mapped_column(Integer)
    #: aggregated over the SCOs by the module's SCO aggregation
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.not_attempted.value)
    #: "passed", "failed" or "unknown" (aggregated)
    success: Mapped[str] = mapped_column(String(16), default="unknown")
    #: score in percent 0–100 (aggregated over SCOs); None when no SCO reported a score
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    #: learning time of all SCOs, seconds
    total_seconds: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: whether the module's completion rule is met by this attempt
    rule_met: Mapped[bool] = mapped_column(Boolean, default=False)
    #: why the rule is (not) met: [{"kind", "met", "reason_vi", "reason_en"}, …]
    rule_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the training record appended when the rule was first met
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_records.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: when the completion rule was first met
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the SCO a 2004 ``adl.nav.request = suspendAll`` left from: the next launch resumes it
    suspended_sco: Mapped[str | None] = mapped_column(String(255))

    cadre: Mapped[Cadre] = relationship()
    module: Mapped[Module] = relationship()
    package_version: Mapped[PackageVersion] = relationship()
    sco_states: Mapped[list[ScoState]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="ScoState.id"
    )

    def __repr__(self) -> str:
        return f"<Attempt {self.id} cadre={self.cadre_id} module={self.module_id} #{self.number}>"


class ScoState(db.Model):
    """The run-time data of one SCO in one attempt."""

    __tablename__ = "player_sco_states"
    __table_args__ = (
        UniqueConstraint("attempt_id", "sco_id", name="uq_player_sco_states_attempt_sco"),
        CheckConstraint("last_seq >= 0", name="last_seq_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("player_attempts.id", ondelete="CASCADE"))
    #: the manifest item identifier of the SCO
    sco_id: Mapped[str] = mapped_column(String(255))
    #: the flat cmi state, e.g. {"cmi.core.lesson_status": "passed", "cmi.suspend_data": "…"}
    cmi: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the sequence number of the last commit applied; older or equal ones change nothing
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the client's run-time session (one per launch) whose session_time is counted in ``session_seconds``
    session_key: Mapped[str] = mapped_column(String(64), default="")
    #: seconds of the current session already included in the total
    session_seconds: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: "completed", "incomplete", "not attempted" or "unknown" (scorm.cmi.outcome)
    completion: Mapped[str] = mapped_column(String(16), default="not attempted")
    #: "passed", "failed" or "unknown"
    success: Mapped[str] = mapped_column(String(16), default="unknown")
    #: 0..1 (1.2: from the raw score; 2004: cmi.score.scaled)
    score_scaled: Mapped[float | None] = mapped_column(Float)
    #: learning time of every learner attempt on the SCO (``prior_seconds`` + this one's total_time)
    total_seconds: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: the learner attempt on the SCO (2004: a new one after a non-suspend exit, RTE 4.2.8 cmi.entry)
    sco_attempt: Mapped[int] = mapped_column(Integer, default=1)
    #: learning time of the earlier learner attempts on the SCO (their data is gone, their time is not)
    prior_seconds: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    #: elements the server refused in otherwise stored commits (latest last, at most 50):
    #: [{"element", "code", "message_vi", "message_en", "seq"}]
    refused: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="sco_states")

    def __repr__(self) -> str:
        return f"<ScoState attempt={self.attempt_id} {self.sco_id} seq={self.last_seq}>"


class CommitStatus(enum.StrEnum):
    """What happened to a commit."""

    stored = "stored"
    duplicate = "duplicate"  #: a retry of a commit already applied
    stale = "stale"  #: older than the stored state (another tab, out of order): not applied
    refused = "refused"  #: invalid data: nothing stored


class CommitLog(db.Model):
    """One commit received for a SCO state (for support and audits; the state itself is in ScoState)."""

    __tablename__ = "player_commit_logs"
    __table_args__ = (
        CheckConstraint("status IN ('stored', 'duplicate', 'stale', 'refused')", name="status_valid"),
        Index("ix_player_commit_logs_state_seq", "sco_state_id", "seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sco_state_id: Mapped[int] = mapped_column(ForeignKey("player_sco_states.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    #: size of the request body in bytes
    size: Mapped[int] = mapped_column(Integer, default=0)
    #: for refused commits: [{"element", "code", "message_vi", "message_en"}]
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SharedData(db.Model):
    """A learner's shared data bucket (SCORM 2004 4th ed. RTE 4.3 ``adl.data``, CAM ``adlcp:data/adlcp:map``),
    kept across SCOs and attempts. ``key`` is ``scorm.seeding.DataBucket.key``: the ``targetID`` when the
    organization's ``adlcp:sharedDataGlobalToSystem`` is true (the default), else ``<manifest id>/<targetID>``."""

    __tablename__ = "player_shared_data"
    __table_args__ = (UniqueConstraint("cadre_id", "key", name="uq_player_shared_data_cadre_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(4000))
    store: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SequencingState(db.Model):
    """The SCORM 2004 activity tree state of one attempt (scorm-again's ``serializeSequencingState``: activity
    states, current and suspended activity, attempt counts), kept on the server so that the next page — on
    this browser or another — rebuilds the sequencing engine where the learner left it (docs/sequencing.md)."""

    __tablename__ = "player_sequencing_states"
    __table_args__ = (CheckConstraint("seq >= 0", name="seq_nonneg"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("player_attempts.id", ondelete="CASCADE"), unique=True)
    #: the serialized tree, as scorm-again wrote it (JSON text)
    tree: Mapped[str] = mapped_column(Text, default="")
    #: the page's sequence number of the last save applied; older or equal ones change nothing
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the activity delivered (None after the session ended) and the one a suspendAll left from
    current_activity: Mapped[str | None] = mapped_column(String(255))
    suspended_activity: Mapped[str | None] = mapped_column(String(255))
    #: the root activity's rolled-up status (SN 4.6): completion, success ("passed"/"failed"/"unknown"), measure
    root_completion: Mapped[str] = mapped_column(String(16), default="unknown")
    root_success: Mapped[str] = mapped_column(String(16), default="unknown")
    root_measure: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GlobalObjective(db.Model):
    """A learner's shared global objective (SN 3.10.1 ``mapInfo targetObjectiveID``), kept across SCOs, attempts
    and — when the organization's ``adlseq:objectivesGlobalToSystem`` is true (the default) — packages.
    ``key`` is the ``targetObjectiveID``, or ``<manifest id>/<targetObjectiveID>`` when it is false; ``data``
    is scorm-again's global objective map entry (satisfied status, measure, completion, progress, scores)."""

    __tablename__ = "player_global_objectives"
    __table_args__ = (UniqueConstraint("cadre_id", "key", name="uq_player_global_objectives_cadre_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(4000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
