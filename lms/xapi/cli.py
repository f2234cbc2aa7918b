"""``lms xapi send``: send the queued statements to the LRS; ``lms xapi status``: the outbox's counts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.core.db import db

xapi = AppGroup("xapi", help="xAPI statements to the configured LRS (docs/xapi.md).")


@xapi.command("send")
@click.option("--limit", default=500, show_default=True, help="Most statements sent in this run.")
@click.option("--retry-failed", is_flag=True, help="First queue again the statements given up on.")
def send(limit: int, retry_failed: bool) -> None:
    """Send the due statements; failures wait (back-off) for a later run."""
    from flask import current_app

    from lms.xapi import sender

    if not current_app.config.get("LMS_XAPI_ENDPOINT"):
        raise click.ClickException("LMS_XAPI_ENDPOINT chưa được đặt: không có LRS để gửi.")
    requeued = sender.retry_failed() if retry_failed else 0
    result = sender.send_pending(limit=limit)
    db.session.commit()
    click.echo(f"sent {result.sent}, retrying {result.retrying}, failed {result.failed}, requeued {requeued}")


@xapi.command("status")
def status() -> None:
    """How many statements are pending, sent and failed."""
    from lms.xapi import sender

    counts = sender.counts()
    click.echo(", ".join(f"{name} {counts.get(name, 0)}" for name in ("pending", "sent", "failed")))
