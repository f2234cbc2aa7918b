"""The ``jobs`` table: one row per background job, visible to the user who started it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, utcnow

#: a job's life: queued → running → succeeded | failed (a failed attempt with retries left goes back to queued)
STATES = ("queued", "running", "succeeded", "failed")


class Job(db.Model):
    """Tác vụ nền: a task run off the request (by a worker, or in-process when no Redis is configured)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("state IN ('queued', 'running', 'succeeded', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``module:function`` of the task (a function decorated with :func:`lms.core.jobs.task`)
    task: Mapped[str] = mapped_column(String(200))
    #: the task's keyword arguments, JSON
    args: Mapped[str] = mapped_column(Text, default="{}")
    #: idempotency key: a second enqueue with the same key returns the first job instead of a new one
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    #: what the user sees (Vietnamese)
    title: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    #: a short outcome line (e.g. "120 statuses"), shown when done
    summary: Mapped[str | None] = mapped_column(Text)
    #: the file to download, kept in the content-addressed storage
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_mime: Mapped[str | None] = mapped_column(String(100))
    #: why the last attempt failed, in Vietnamese (shown to the user)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed")
