"""One job for many changes: a keyed job queued after the commit, joined by every change while it is queued.

A change that a job must process later (a learner's new record, a received quiz submission) calls
:func:`schedule` in its own transaction. The job is keyed (e.g. ``ledger:cadre:<id>``) and queued again
when it has finished (``enqueue(..., again=True)``), so changes arriving while it is still queued add
nothing: the job reads everything pending when it runs. A queued job taken over by a change is locked
by the change's transaction (:func:`hold`), so a worker cannot start it before that change is committed.
A job already running may have read before the change, so the change gets a second run (``<key>:next``),
or a job of its own when that one is running too.

The lock is exclusive by default (one statement, an ``UPDATE`` of the job's row: right when few
transactions share a key). ``shared=True`` takes a ``FOR SHARE`` lock instead (PostgreSQL; nothing on
SQLite, which runs one writer at a time): hundreds of concurrent transactions joining one job (a quiz
burst) then do not wait for each other's commits, only the worker's start waits for them; and they join a
queued run in one Core statement (the ORM's ``INSERT … ON CONFLICT`` and read of the job row were most of a
submission's CPU in a burst).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select, update

from lms.core.db import db
from lms.core.jobs import enqueue
from lms.core.jobs_models import Job

_J = Job.__table__.c
#: the locks taken on a queued job: Core statements built once (an ORM-enabled statement cost more CPU)
_HOLD = update(Job.__table__).where(_J.id == bindparam("job"), _J.state == "queued").values(state="queued")
_SHARE = select(_J.id).where(_J.id == bindparam("job"), _J.state == "queued").with_for_update(read=True)
#: a burst's common case in one statement: either keyed run queued, locked for share
JOIN = (select(_J.id).where(_J.key.in_([bindparam("key"), bindparam("next")]), _J.state == "queued")
         .limit(1).with_for_update(read=True))


def schedule(func: Callable[..., Any], key: str, *, title: str, shared: bool = False, **kwargs: Any) -> Job | None:
    """Make sure a run of ``func(**kwargs)`` keyed ``key`` starts after this transaction commits (two
    statements when its row exists: the job's ``INSERT … ON CONFLICT``, the lock). ``shared``: one statement
    when either keyed run is queued (it was handed to the queue when it was queued)."""
    if shared and db.session.execute(JOIN, {"key": key, "next": f"{key}:next"}).first() is not None:
        return None
    for each in (key, f"{key}:next"):
        job = enqueue(func, key=each, again=True, title=title, **kwargs)
        if hold(job.id, shared=shared):
            return job
    return enqueue(func, title=title, **kwargs)  # both keyed runs are running: one of its own


def hold(job_id: int, *, shared: bool = False) -> bool:
    """Lock the job's row if it is queued (it then cannot start before this transaction ends); False
    when it is running (or done meanwhile)."""
    if shared:
        return db.session.execute(_SHARE, {"job": job_id}).first() is not None
    return db.session.execute(_HOLD, {"job": job_id}).rowcount == 1
