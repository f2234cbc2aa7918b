"""Sending the outbox to the LRS with retries and back-off. :func:`send_pending` is a plain function:
the CLI calls it (``lms xapi send``), and so does the job :func:`lms.xapi.jobs.send_statements` (every
minute, and after each commit that queues statements).

Each statement is PUT with its own id (xAPI 1.0.3 Communication §2.1.1: ``PUT /statements?statementId=``);
204 means stored, 409 means the LRS already has that id (a resend) and counts as sent. Any other answer or
a network error keeps the statement pending until ``next_try_at`` = now + 30 s × 2^(tries−1) (at most
6 h); after :data:`MAX_TRIES` it is marked failed (``lms xapi send --retry-failed`` queues it again).
After :data:`STOP_AFTER` failures in a row the run stops (an LRS that is down is not tried once per
statement, at up to :data:`TIMEOUT` seconds each): the statements not tried stay due for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import func, select, update

from lms.core.db import db, utcnow
from lms.xapi.models import OutboxStatus, XapiOutbox

MAX_TRIES = 10
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=6)
TIMEOUT = 10
STOP_AFTER = 3
VERSION = "1.0.3"


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: the last failure's cause (HTTP status and body, or the network error), for the job's reason
    last_error: str = ""
    #: the run stopped after :data:`STOP_AFTER` failures in a row, leaving due statements untried
    stopped: bool = False


def backoff(tries: int) -> timedelta:
    """The wait after the ``tries``-th failed try."""
    return min(FIRST_DELAY * (2 ** max(tries - 1, 0)), LONGEST_DELAY)


def send_pending(limit: int = 500, now: datetime | None = None) -> SendResult:
    """Send the due pending statements (oldest first) and record each outcome (flushes; the caller commits:
    after a crash the batch is sent again, which the deterministic ids make harmless). Does nothing
    without ``LMS_XAPI_ENDPOINT``."""
    result = SendResult()
    endpoint = current_app.config.get("LMS_XAPI_ENDPOINT")
    if not endpoint:
        return result
    now = now or utcnow()
    due = list(db.session.scalars(select(XapiOutbox).where(
        XapiOutbox.status == OutboxStatus.pending.value, XapiOutbox.next_try_at <= now)
        .order_by(XapiOutbox.id).limit(limit)))
    with requests.Session() as http:
        http.auth = _auth()
        http.headers["X-Experience-API-Version"] = VERSION
        in_a_row = 0
        for row in due:
            in_a_row = 0 if _send_one(http, endpoint.rstrip("/"), row, now, result) else in_a_row + 1
            if in_a_row >= STOP_AFTER:
                result.stopped = True
                break
    db.session.flush()
    return result


def _auth() -> tuple[str, str] | None:
    config = current_app.config
    user = config.get("LMS_XAPI_USERNAME")
    return (user, config.get("LMS_XAPI_PASSWORD") or "") if user else None


def _send_one(http: requests.Session, endpoint: str, row: XapiOutbox, now: datetime, result: SendResult) -> bool:
    """PUT one statement and record the outcome on its row; True when the LRS stored it."""
    try:
        response = http.put(f"{endpoint}/statements", params={"statementId": row.statement_id},
                            json=row.statement, timeout=TIMEOUT)
        error = "" if response.status_code in (200, 204, 409) else f"HTTP {response.status_code}: {response.text[:500]}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    row.tries += 1
    if not error:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent.value, now, ""
        result.sent += 1
        return True
    result.last_error = error
    if row.tries >= MAX_TRIES:
        row.status, row.last_error = OutboxStatus.failed.value, error
        result.failed += 1
    else:
        row.next_try_at, row.last_error = now + backoff(row.tries), error
        result.retrying += 1
    return False


def retry_failed() -> int:
    """Queue the statements given up on again (after the LRS is fixed; the caller commits); returns how many."""
    changed = db.session.execute(update(XapiOutbox).where(XapiOutbox.status == OutboxStatus.failed.value)
                                 .values(status=OutboxStatus.pending.value, tries=0, next_try_at=utcnow()))
    return changed.rowcount or 0


def due_count(now: datetime | None = None) -> int:
    """How many pending statements are due now."""
    return db.session.scalar(select(func.count()).select_from(XapiOutbox).where(
        XapiOutbox.status == OutboxStatus.pending.value, XapiOutbox.next_try_at <= (now or utcnow()))) or 0


def counts() -> dict[str, int]:
    """Statements per status."""
    rows = db.session.execute(select(XapiOutbox.status, func.count()).group_by(XapiOutbox.status))
    return {str(status): int(n) for status, n in rows.tuples()}
