"""Sending mail: SMTP when ``LMS_MAIL_HOST`` is set, otherwise a file outbox (one .eml per message).

The outbox (``LMS_MAIL_OUTBOX``) is for development and tests: each message is written atomically
(temporary name, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from flask import current_app


def build_message(to: str, subject: str, body: str, *, to_name: str = "") -> Message:
    """A UTF-8 plain-text message from ``LMS_MAIL_FROM`` to ``to``.

    Built with ``MIMEText`` and ``Header``: the newer ``EmailMessage`` folding drops the spaces between
    encoded words of long Vietnamese subjects.
    """
    message = MIMEText(body, "plain", "utf-8")
    message["From"] = current_app.config.get("LMS_MAIL_FROM") or "lms@localhost"
    message["To"] = formataddr((to_name, to), charset="utf-8") if to_name else to
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lms.local")
    return message


def send(message: Message) -> str:
    """Send ``message``; return where it went (the SMTP host, or the .eml path)."""
    config = current_app.config
    host = config.get("LMS_MAIL_HOST")
    if host:
        return _send_smtp(message, host, int(config.get("LMS_MAIL_PORT") or 25))
    return _write_outbox(message, Path(config.get("LMS_MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox"))


def _send_smtp(message: Message, host: str, port: int) -> str:
    config = current_app.config
    user, password = config.get("LMS_MAIL_USER"), config.get("LMS_MAIL_PASSWORD")
    context = ssl.create_default_context()
    if port == 465:
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=30)
    with server:
        if port != 465 and server.has_extn("starttls"):
            server.starttls(context=context)
        if user:
            server.login(user, password or "")
        server.send_message(message)
    return host


def _write_outbox(message: Message, outbox: Path) -> str:
    outbox.mkdir(parents=True, exist_ok=True)
    stem = message["Message-ID"].strip("<>").split("@")[0]
    handle, temp = tempfile.mkstemp(dir=outbox, prefix=".tmp-", suffix=".eml")
    with os.fdopen(handle, "wb") as out:
        out.write(message.as_bytes())
    final = outbox / f"{stem}.eml"
    os.replace(temp, final)
    return str(final)
