"""Module, PackageVersion and PackageFile.

A module has numbered package versions; a new upload never changes a version that attempts use.
Package files are stored once by content hash (see :mod:`lms.core.storage`); ``PackageFile`` maps a
version's paths to those hashes.
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
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import BinaryString, db, utcnow


class Topic(enum.StrEnum):
    """Training topics; requirements count hours per topic."""

    union_law = "union_law"
    osh = "osh"
    finance = "finance"
    democracy = "democracy"
    other = "other"


TOPIC_LABELS = {
    Topic.union_law: ("Pháp luật công đoàn", "Union law"),
    Topic.osh: ("An toàn, vệ sinh lao động", "Occupational safety and health"),
    Topic.finance: ("Tài chính công đoàn", "Union finance"),
    Topic.democracy: ("Đối thoại, dân chủ cơ sở", "Dialogue and workplace democracy"),
    Topic.other: ("Khác", "Other"),
}


class NewAttempt(enum.StrEnum):
    """When launching starts a new attempt (Moodle's 'force new attempt')."""

    never = "never"
    on_complete = "on_complete"
    always = "always"


class Grading(enum.StrEnum):
    """How the module's grade comes from several attempts."""

    highest = "highest"
    average = "average"
    first = "first"
    last = "last"


class ScoAggregation(enum.StrEnum):
    """How an attempt's result comes from several SCOs."""

    all_complete = "all_complete"
    average = "average"
    sum = "sum"


class Module(db.Model):
    """A course module (học phần) on a topic, delivered as SCORM and/or assessed by a quiz."""

    __tablename__ = "modules"
    __table_args__ = (
        CheckConstraint("topic IN ('union_law', 'osh', 'finance', 'democracy', 'other')", name="topic_valid"),
        CheckConstraint("new_attempt IN ('never', 'on_complete', 'always')", name="new_attempt_valid"),
        CheckConstraint("grading IN ('highest', 'average', 'first', 'last')", name="grading_valid"),
        CheckConstraint("sco_aggregation IN ('all_complete', 'average', 'sum')", name="sco_aggregation_valid"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_nonneg"),
        CheckConstraint("hours >= 0", name="hours_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255), default="")
    #: the topic whose hours this module counts toward
    topic: Mapped[str] = mapped_column(String(16), default=Topic.other.value)
    #: credit hours a completion records (giờ học)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    #: completion rule, e.g. {"all": [{"kind": "completed"}, {"kind": "score_at_least", "value": 70}]}
    #: kinds: completed, passed, score_at_least, quiz_passed; combined with "all" / "any"
    completion_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: {"all": [{"kind": "completed"}]})
    #: attempts allowed, 0 = unlimited
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)
    new_attempt: Mapped[str] = mapped_column(String(16), default=NewAttempt.never.value)
    grading: Mapped[str] = mapped_column(String(16), default=Grading.highest.value)
    sco_aggregation: Mapped[str] = mapped_column(String(16), default=ScoAggregation.all_complete.value)
    #: the version new attempts launch; None until a package is published
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("package_versions.id", use_alter=True, name="fk_modules_published_version_id"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    versions: Mapped[list[PackageVersion]] = relationship(
        back_populates="module", foreign_keys="PackageVersion.module_id", order_by="PackageVersion.number"
    )
    published_version: Mapped[PackageVersion | None] = relationship(foreign_keys=[published_version_id], post_update=True)

    def title(self, lang: str = "vi") -> str:
        """The title in ``lang``, falling back to Vietnamese."""
        return self.title_en if lang.startswith("en") and self.title_en else self.title_vi

    def __repr__(self) -> str:
        return f"<Module {self.code}>"


class PackageVersion(db.Model):
    """One uploaded SCORM package of a module. Immutable once created."""

    __tablename__ = "package_versions"
    __table_args__ = (UniqueConstraint("module_id", "number", name="uq_package_versions_module_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    #: 1, 2, 3 … per module
    number: Mapped[int] = mapped_column(Integer)
    #: "1.2", "2004-2nd", "2004-3rd" or "2004-4th"
    scorm_version: Mapped[str] = mapped_column(String(16))
    #: sha256 of the uploaded zip
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    #: the validation report's summary (organizations, item tree, SCOs with launch URLs, warnings)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    module: Mapped[Module] = relationship(back_populates="versions", foreign_keys=[module_id])

    def __repr__(self) -> str:
        return f"<PackageVersion {self.module_id}#{self.number}>"


class PackageFile(db.Model):
    """A file of a package version: its path inside the package and its content hash in storage."""

    __tablename__ = "package_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id", ondelete="CASCADE"), primary_key=True)
    #: path relative to the package root (where imsmanifest.xml is), "/"-separated
    path: Mapped[str] = mapped_column(BinaryString, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
