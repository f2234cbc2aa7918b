"""The outbox sender as a job: :func:`send_statements` runs every minute (``lms scheduler``, entry
``xapi-send`` of :data:`lms.core.jobs.PERIODIC`) and after each commit that queues statements.

One job row (key ``periodic:xapi-send``) is queued again each time, so a burst of completions adds one
run, not one per statement. Running it twice sends nothing twice: a sent statement is no longer
pending, and the LRS keeps the first copy of a statement id (deterministic ids; 409 counts as sent).
The back-off on LRS failure is the outbox's, per statement (30 s doubling to 6 h, see
:mod:`lms.xapi.sender`); the job then fails with the LRS's answer as its reason, without a retry of its
own, and the next minute's run sends whatever is due again.
"""

from __future__ import annotations

from lms.core.db import db
from lms.core.jobs import Context, JobFailed, enqueue, periodic_key, task
from lms.xapi import sender

NAME = "xapi-send"
KEY = periodic_key(NAME, "")
TITLE = "Gửi câu lệnh xAPI đến LRS"
BATCH = 500


def schedule_send() -> None:
    """Have the outbox sent once the current transaction commits (one job per transaction at most)."""
    enqueue(send_statements, key=KEY, again=True, title=TITLE)


@task
def send_statements(ctx: Context, limit: int = BATCH) -> str:
    """Send every due statement, ``limit`` at a time, each batch's outcomes committed as it goes (a
    statement the LRS stored cannot be unsent)."""
    total = max(sender.due_count(), 1)
    done = sender.SendResult()
    while True:
        batch = sender.send_pending(limit=limit)
        db.session.commit()
        done.sent, done.retrying, done.failed = (done.sent + batch.sent, done.retrying + batch.retrying,
                                                 done.failed + batch.failed)
        done.last_error = batch.last_error or done.last_error
        ctx.progress(100 * (done.sent + done.retrying + done.failed) / total)
        if batch.stopped or batch.retrying or batch.failed or batch.sent < limit:
            break
    summary = f"Đã gửi {done.sent} câu lệnh, chờ gửi lại {done.retrying}, bỏ qua {done.failed}."
    if done.retrying or done.failed or batch.stopped:
        raise JobFailed(f"LRS không nhận câu lệnh ({done.last_error}). {summary}", retry=False)
    return summary
