"""OrgUnit (a tree of any depth, materialized path) and Cadre."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import BinaryString, db, utcnow


class Gender(enum.StrEnum):
    """Gender as recorded in cadre files."""

    male = "male"
    female = "female"


class Employment(enum.StrEnum):
    """Chuyên trách (full-time, paid by the union) or không chuyên trách (part-time, kiêm nhiệm)."""

    full_time = "full_time"
    part_time = "part_time"


class Position(enum.StrEnum):
    """A cadre's union position (fixed vocabulary; labels in :data:`POSITION_LABELS`)."""

    chair = "chair"
    vice_chair = "vice_chair"
    executive_member = "executive_member"
    inspection_member = "inspection_member"
    group_leader = "group_leader"
    deputy_group_leader = "deputy_group_leader"
    full_time_officer = "full_time_officer"
    osh_officer = "osh_officer"
    other = "other"


#: position -> (Vietnamese, English)
POSITION_LABELS: dict[Position, tuple[str, str]] = {
    Position.chair: ("Chủ tịch", "Chair"),
    Position.vice_chair: ("Phó Chủ tịch", "Vice-chair"),
    Position.executive_member: ("Ủy viên Ban Chấp hành", "Executive committee member"),
    Position.inspection_member: ("Ủy viên Ủy ban Kiểm tra", "Inspection committee member"),
    Position.group_leader: ("Tổ trưởng công đoàn", "Union group leader"),
    Position.deputy_group_leader: ("Tổ phó công đoàn", "Deputy group leader"),
    Position.full_time_officer: ("Cán bộ chuyên trách", "Full-time union officer"),
    Position.osh_officer: ("An toàn, vệ sinh viên", "Safety and hygiene officer"),
    Position.other: ("Khác", "Other"),
}
GENDER_LABELS = {Gender.male: ("Nam", "Male"), Gender.female: ("Nữ", "Female")}
EMPLOYMENT_LABELS = {
    Employment.full_time: ("Chuyên trách", "Full-time"),
    Employment.part_time: ("Không chuyên trách", "Part-time"),
}


def _enum_check(column: str, values: type[enum.Enum]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_valid")


class OrgUnit(db.Model):
    """A union organisation (Tổng LĐLĐ, LĐLĐ tỉnh, công đoàn ngành, CĐ cấp trên cơ sở, CĐCS, tổ CĐ)."""

    __tablename__ = "org_units"
    #: updated_at: units edited since a compliance snapshot (lms.standards.snapshots)
    __table_args__ = (Index("ix_org_units_path", "path"), Index("ix_org_units_updated_at", "updated_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: unique business code, used by imports and URLs
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    #: free label of the level ("Tổng Liên đoàn", "LĐLĐ tỉnh", "CĐCS", …): no code assumes a fixed depth
    level: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: materialized path of ids, "/1/5/23/"; a subtree is the byte range [path, path[:-1] + "0")
    path: Mapped[str] = mapped_column(BinaryString, default="")
    #: 0 for a root
    depth: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"

    @property
    def path_end(self) -> str:
        """Exclusive upper bound of this unit's subtree in path order."""
        return self.path[:-1] + "0"

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit (inclusive)."""
        return [int(p) for p in self.path.strip("/").split("/") if p]


class Cadre(db.Model):
    """A union cadre (cán bộ công đoàn): the person whose training is recorded."""

    __tablename__ = "cadres"
    __table_args__ = (
        _enum_check("gender", Gender),
        _enum_check("employment", Employment),
        _enum_check("position", Position),
        Index("ix_cadres_org_active", "org_unit_id", "active"),
        #: cadres edited since a compliance snapshot (lms.standards.snapshots)
        Index("ix_cadres_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: unique business code (mã cán bộ), the key for imports
    code: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    #: full_name folded (lower case, no diacritics) for search
    name_search: Mapped[str] = mapped_column(String(255), index=True, default="")
    gender: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: union position; compliance requirements select cadres by it
    position: Mapped[str] = mapped_column(String(32))
    #: full-time (chuyên trách) or part-time (không chuyên trách)
    employment: Mapped[str] = mapped_column(String(16))
    #: cán bộ chủ chốt (key officer)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    #: start of the current position; "due within N days of appointment" counts from here
    appointed_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()

    def __repr__(self) -> str:
        return f"<Cadre {self.code}>"
