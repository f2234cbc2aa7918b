"""cmi5 tables: the course structure of an imported package version (course, AUs), a cadre's
registration for it, the state of each AU in a registration, and each AU launch (session) with its
one-use fetch token and its LRS auth token (only hashes are stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import db, utcnow
from lms.org.models import Cadre


class Cmi5Course(db.Model):
    """The course of a cmi5 package version (cmi5 §13.1.2)."""

    __tablename__ = "cmi5_courses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("package_versions.id", ondelete="CASCADE"), unique=True)
    course_iri: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(255), default="")

    aus: Mapped[list[Cmi5Au]] = relationship(order_by="Cmi5Au.position", back_populates="course")


class Cmi5Au(db.Model):
    """An assignable unit of a course (§13.1.4); ``url`` is relative to the package root."""

    __tablename__ = "cmi5_aus"
    __table_args__ = (UniqueConstraint("course_id", "position", name="uq_cmi5_aus_course_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3 … in document order
    position: Mapped[int] = mapped_column(Integer)
    au_iri: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(255), default="")
    url: Mapped[str] = mapped_column(Text)
    move_on: Mapped[str] = mapped_column(String(32), default="NotApplicable")
    mastery_score: Mapped[float | None] = mapped_column(Float)
    launch_method: Mapped[str] = mapped_column(String(16), default="AnyWindow")
    launch_parameters: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Cmi5Course] = relationship(back_populates="aus")


class Cmi5Registration(db.Model):
    """A cadre's enrolment in a course (§5.3: one registration id for all its AUs)."""

    __tablename__ = "cmi5_registrations"
    __table_args__ = (UniqueConstraint("course_id", "cadre_id", name="uq_cmi5_registrations_course_cadre"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  #: the registration UUID
    course_id: Mapped[int] = mapped_column(ForeignKey("cmi5_courses.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    satisfied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    course: Mapped[Cmi5Course] = relationship()
    cadre: Mapped[Cadre] = relationship()


class Cmi5AuState(db.Model):
    """What an AU reported in a registration: completed, passed/failed, and when moveOn was met."""

    __tablename__ = "cmi5_au_states"

    registration_id: Mapped[str] = mapped_column(ForeignKey("cmi5_registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    au_id: Mapped[int] = mapped_column(ForeignKey("cmi5_aus.id", ondelete="CASCADE"), primary_key=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    satisfied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Cmi5Session(db.Model):
    """One launch of an AU (§9.6.2.1 session id): the fetch token (one use, §8.2) and the auth token the
    AU then sends to our LRS proxy as Basic credentials — both stored as sha256 hashes."""

    __tablename__ = "cmi5_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  #: the session id UUID
    registration_id: Mapped[str] = mapped_column(ForeignKey("cmi5_registrations.id", ondelete="CASCADE"), index=True)
    au_id: Mapped[int] = mapped_column(ForeignKey("cmi5_aus.id", ondelete="CASCADE"))
    fetch_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    auth_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the LMS.LaunchData document (§10.2.1) of this launch, served by the proxy (the LRS may lack a State API)
    launch_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    registration: Mapped[Cmi5Registration] = relationship()
    au: Mapped[Cmi5Au] = relationship()
