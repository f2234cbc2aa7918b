"""What a learner's new record sets off, run after the request's commit as one job per cadre.

A record appended inside a request from one of :data:`REQUEST_SOURCES` (a quiz pass, a player or
Open edX/LTI completion) is answered as soon as the ledger row is stored: the cadre's compliance
statuses and module certificate are settled by :func:`settle_cadre`, a job enqueued in the request's
transaction (so it exists only if the record does) and run after the commit — by ``lms worker`` on
Redis, or in-process right after the request in eager mode. Every other record (in-person classes,
imports, waivers, corrections and revocations, and anything appended by a command or a job) keeps its
listeners in the same transaction.

The job is keyed per cadre (``ledger:cadre:<id>``): records of one cadre arriving while its job is
still queued add nothing, since the job reads the cadre's whole ledger when it runs. The features
register what it does with :func:`on_settle` (``handler(cadre_id)``, idempotent: a recompute from
the ledger, an ``INSERT … ON CONFLICT DO NOTHING``); all of them run in the job's one transaction, so
a failure leaves nothing half-written and the job is retried.

A queued job taken over by a later record is locked by that record's transaction (:func:`_hold`), so
the worker cannot start it before the record is committed. A job already running may have read the
ledger before the record, so the record gets a second run (``…:next``), or a job of its own when that
one is running too.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import has_request_context
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from lms.core.db import db, listen_once
from lms.core.jobs import Context, enqueue, task
from lms.core.jobs_models import Job
from lms.records.models import Kind, Source, TrainingRecord

#: sources whose records come from a learner's request and are settled after its commit
REQUEST_SOURCES = frozenset({Source.assessment.value, Source.online.value, Source.lti.value, Source.xblock.value})
TITLE = "Cập nhật tuân thủ và giấy chứng nhận sau khi học"
_SCHEDULED = "lms_records_scheduled"
_handlers: list[Callable[[int], None]] = []
#: the lock taken on a queued job: a Core statement built once (the ORM-enabled UPDATE cost more CPU)
_HOLD = update(Job.__table__).where(Job.__table__.c.id == bindparam("job"),
                                    Job.__table__.c.state == "queued").values(state="queued")


def on_settle(handler: Callable[[int], None]) -> Callable[[int], None]:
    """Register ``handler(cadre_id)``, run by :func:`settle_cadre` (registering twice is harmless)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def applies(record: TrainingRecord) -> bool:
    """Whether ``record``'s follow-ups wait for the job: an original record from a learner's request."""
    return has_request_context() and record.kind == Kind.record.value and record.source in REQUEST_SOURCES


def schedule(cadre_id: int) -> None:
    """Make sure a run of :func:`settle_cadre` for ``cadre_id`` starts after this transaction commits
    (two statements: the job's ``INSERT … ON CONFLICT``, the lock; nothing for the cadre's next record
    in the same transaction)."""
    scheduled = db.session.info.setdefault(_SCHEDULED, set())
    if cadre_id in scheduled:
        return
    for key in (f"ledger:cadre:{cadre_id}", f"ledger:cadre:{cadre_id}:next"):
        job = enqueue(settle_cadre, key=key, again=True, title=TITLE, cadre_id=cadre_id)
        if _hold(job.id):
            break
    else:  # both keyed runs are running: one of its own
        enqueue(settle_cadre, title=TITLE, cadre_id=cadre_id)
    scheduled.add(cadre_id)


def _hold(job_id: int) -> bool:
    """Lock the job's row if it is queued (it then cannot start before this transaction ends); False
    when it is running (or done meanwhile)."""
    return db.session.execute(_HOLD, {"job": job_id}).rowcount == 1



@task
def settle_cadre(ctx: Context, cadre_id: int) -> str:
    """Every registered follow-up for ``cadre_id`` (compliance statuses, module certificates), in the
    job's one transaction."""
    for handler in list(_handlers):
        handler(cadre_id)
    return f"Đã cập nhật cán bộ #{cadre_id}."


def _forget(session: Session, *args: object) -> None:
    session.info.pop(_SCHEDULED, None)


def install() -> None:
    """The per-transaction memory of scheduled cadres is dropped at commit and rollback (idempotent)."""
    listen_once(Session, {"after_commit": _forget, "after_soft_rollback": _forget})
