"""``lms lti …``: rotate the tool key, resend failed scores, purge expired OIDC entries."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.core.db import db

group = AppGroup("lti", help="LTI 1.3 tool: keys and grade passback.")


@group.command("rotate-key")
def rotate_key() -> None:
    """Create a new signing key; the previous one stays published, older ones are retired."""
    from lms.lti import keys

    key = keys.rotate()
    db.session.commit()
    click.echo(f"new key {key.kid}")


@group.command("send-scores")
def send_scores() -> None:
    """Resend the scores a platform did not accept."""
    from lms.lti import services

    sent, failed = services.retry_failed()
    db.session.commit()
    click.echo(f"sent {sent}, still failing {failed}")


@group.command("purge")
def purge() -> None:
    """Delete expired OIDC states, nonces and tickets."""
    from lms.lti.storage import purge_expired

    count = purge_expired()
    db.session.commit()
    click.echo(f"purged {count}")


commands = [group]
