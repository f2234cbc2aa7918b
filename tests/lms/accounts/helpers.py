"""Shared bits of the accounts tests: the file outbox."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from flask import current_app


def outbox() -> list[email.message.EmailMessage]:
    """The messages in the test app's file outbox, oldest first."""
    folder = Path(current_app.config["LMS_MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


def clear_outbox() -> None:
    folder = Path(current_app.config["LMS_MAIL_OUTBOX"])
    for path in folder.glob("*.eml") if folder.exists() else []:
        path.unlink()


def link_in(message) -> str:
    """The path of the first /password/set/ link in a message's body."""
    body = message.get_content()
    match = re.search(r"https?://[^/\s]+(/password/set/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)
