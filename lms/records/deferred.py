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

A queued job taken over by a later record is locked by that record's transaction, so the worker cannot
start it before the record is committed; a job already running may have read the ledger before the
record, so the record gets a second run (``…:next``), or a job of its own when that one is running too
(:mod:`lms.core.coalesce`, shared with the quiz grading job). The quiz grading job, which finishes
learners' submissions 50 at a time, settles its passes with one job for their cadres
(:func:`for_learners`, :func:`settle_cadres`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import has_request_context
from sqlalchemy.orm import Session

from lms.core import coalesce
from lms.core.db import db, listen_once
from lms.core.jobs import Context, enqueue, task
from lms.records.models import Kind, Source, TrainingRecord

#: sources whose records come from a learner's request and are settled after its commit
REQUEST_SOURCES = frozenset({Source.assessment.value, Source.online.value, Source.lti.value, Source.xblock.value})
TITLE = "Cập nhật tuân thủ và giấy chứng nhận sau khi học"
_SCHEDULED = "lms_records_scheduled"
_FOR_LEARNERS = "lms_records_for_learners"
_handlers: list[Callable[[int], None]] = []


def on_settle(handler: Callable[[int], None]) -> Callable[[int], None]:
    """Register ``handler(cadre_id)``, run by :func:`settle_cadre` (registering twice is harmless)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def applies(record: TrainingRecord) -> bool:
    """Whether ``record``'s follow-ups wait for the job: an original record from a learner's request (or
    from a job finishing learners' requests, see :func:`for_learners`)."""
    return ((has_request_context() or db.session.info.get(_FOR_LEARNERS) is not None)
            and record.kind == Kind.record.value and record.source in REQUEST_SOURCES)


@contextmanager
def for_learners() -> Iterator[None]:
    """Records appended inside the block finish learners' requests (the quiz grading job, 50 passes a run):
    their follow-ups are settled after the commit by one job for all their cadres (:func:`settle_cadres`),
    so the learners' scores are not held back by them, and a burst costs one job per batch, not per cadre."""
    cadres: set[int] = set()
    db.session.info[_FOR_LEARNERS] = cadres
    try:
        yield
    finally:
        db.session.info.pop(_FOR_LEARNERS, None)
    if cadres:
        enqueue(settle_cadres, title=TITLE, cadre_ids=sorted(cadres))


def schedule(cadre_id: int) -> None:
    """Make sure a run of :func:`settle_cadre` for ``cadre_id`` starts after this transaction commits
    (``lms.core.coalesce``: two statements, the job's ``INSERT … ON CONFLICT`` and the lock; nothing for
    the cadre's next record in the same transaction). Inside :func:`for_learners` the cadre joins its batch."""
    batch = db.session.info.get(_FOR_LEARNERS)
    if batch is not None:
        batch.add(cadre_id)
        return
    scheduled = db.session.info.setdefault(_SCHEDULED, set())
    if cadre_id in scheduled:
        return
    coalesce.schedule(settle_cadre, f"ledger:cadre:{cadre_id}", title=TITLE, cadre_id=cadre_id)
    scheduled.add(cadre_id)


@task
def settle_cadre(ctx: Context, cadre_id: int) -> str:
    """Every registered follow-up for ``cadre_id`` (compliance statuses, module certificates), in the
    job's one transaction."""
    _settle(cadre_id)
    return f"Đã cập nhật cán bộ #{cadre_id}."


@task
def settle_cadres(ctx: Context, cadre_ids: list[int]) -> str:
    """:func:`settle_cadre` for each of ``cadre_ids`` (a grading run's passes), in the job's one transaction."""
    for cadre_id in cadre_ids:
        _settle(cadre_id)
    return f"Đã cập nhật {len(cadre_ids)} cán bộ."


def _settle(cadre_id: int) -> None:
    for handler in list(_handlers):
        handler(cadre_id)


def _forget(session: Session, *args: object) -> None:
    session.info.pop(_SCHEDULED, None)


def install() -> None:
    """The per-transaction memory of scheduled cadres is dropped at commit and rollback (idempotent)."""
    listen_once(Session, {"after_commit": _forget, "after_soft_rollback": _forget})
