"""Coalesced rebuilds: a full recount run as one background job, however many changes ask for it.

A change that invalidates a derived table wholesale (an org import for the trained counts, an edited
standard for the compliance statuses) calls :func:`request` in its own transaction. One row per kind of
rebuild (``rebuilds``) points at the last job asked for: while that job is still *queued*, a further
request adds nothing (the job has not started, so it will see this transaction's writes); once it runs
or has finished, a new job is queued (its idempotency key names the previous one, so two concurrent
requests queue one). The job row is locked with the request, so a worker cannot start the queued job
between the check and the requester's commit. The job calls :func:`finished` when its recount is
written; pages read :func:`status` (one primary-key read) to say the figure is being rebuilt and show
the date of the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import db, insert_once, utcnow
from lms.core.jobs import enqueue
from lms.core.jobs_models import Job


class Rebuild(db.Model):
    """Tính lại toàn bộ: the last full recount of one kind asked for, and when the last one finished."""

    __tablename__ = "rebuilds"

    #: what is rebuilt (``trained-counts``, ``standards-recompute``)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the last job asked for: queued, running or finished
    job_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("jobs.id", ondelete="SET NULL"))
    #: when the last full recount was written (the figures are as of then, plus incremental updates since)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Status:
    """What a page says about a rebuilt figure."""

    #: a rebuild is queued or running: the figure shown predates the last bulk change
    pending: bool = False
    #: the last rebuild failed for good (the figure shown is the one before it)
    failed: bool = False
    #: when the last rebuild finished (None: never, since the counts were first built)
    done_at: datetime | None = None


def request(name: str, func: Callable[..., Any], *, title: str) -> Job:
    """Ask for one rebuild job ``func`` after this transaction commits; coalesced with a queued one."""
    insert_once(Rebuild, "name", {"name": name})
    row = db.session.scalars(select(Rebuild).where(Rebuild.name == name).with_for_update()
                             .execution_options(populate_existing=True)).one()
    if row.job_id is not None:
        job = db.session.scalars(select(Job).where(Job.id == row.job_id).with_for_update()
                                 .execution_options(populate_existing=True)).first()
        if job is not None and job.state == "queued":
            return job  # not started: it will see this transaction's writes
    job = enqueue(func, title=title, key=f"{name}:after:{row.job_id or 0}")
    row.job_id = job.id
    return job


def finished(name: str) -> None:
    """Called by the rebuild job, in its transaction, once the recount is written."""
    db.session.execute(update(Rebuild).where(Rebuild.name == name).values(done_at=utcnow())
                       .execution_options(synchronize_session=False))


def status(name: str) -> Status:
    """Whether a rebuild of ``name`` is pending or failed, and when the last one finished (one read)."""
    found = db.session.execute(select(Job.state, Rebuild.done_at).select_from(Rebuild)
                               .outerjoin(Job, Job.id == Rebuild.job_id).where(Rebuild.name == name)).first()
    if found is None:
        return Status()
    state, done_at = found
    return Status(pending=state in ("queued", "running"), failed=state == "failed", done_at=done_at)
