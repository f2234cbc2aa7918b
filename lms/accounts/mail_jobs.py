"""The account mails as jobs: invitations and "forgot password" links are sent after the request's
commit, off the request (docs/jobs.md). A mail failure fails the attempt with the address and the
server's answer as its reason, and the job is retried with back-off.

Idempotent: a link's token and its mail go together (the token is written in a savepoint that a failed
send rolls back, and committed after each mail), so a retry skips the accounts that got their mail —
an invitation issued since the job was queued, a reset link in the last
:data:`~lms.accounts.invitations.RESET_MAIL_INTERVAL` seconds — and mails only the rest.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from lms.accounts import tokens
from lms.accounts.models import AccountToken, User
from lms.accounts.services import has_password
from lms.core import mail
from lms.core.db import db
from lms.core.jobs import Context, JobFailed, task
from lms.core.jobs_models import Job

INVITE_SUBJECT = "Mời kích hoạt tài khoản học tập cán bộ công đoàn"
RESET_SUBJECT = "Đặt lại mật khẩu — Hệ thống đào tạo cán bộ công đoàn"


def set_password_url(base_url: str, secret: str) -> str:
    """The absolute URL of the page redeeming ``secret``, under ``base_url`` (the address the person who
    started the job used: a worker has no request to take it from)."""
    parts = urlsplit(base_url)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build("recovery.set_password", {"token": secret}, force_external=True)


def email_of(user: User) -> str | None:
    return user.email or (user.cadre.email if user.cadre else None) or None


def _mail_with_token(user: User, kind: str, by: User | None, body: Callable[[str], str], subject: str) -> str | None:
    """Issue a token and mail it in one savepoint; the error (address and cause) when the mail failed."""
    address = email_of(user) or ""
    try:
        with db.session.begin_nested():
            secret = tokens.issue(user, kind, by)
            mail.send(mail.build_message(address, subject, body(secret), to_name=user.full_name))
    except (smtplib.SMTPException, OSError) as exc:
        current_app.logger.warning("mail to account %s failed: %s", user.id, exc)
        return f"{address}: {type(exc).__name__}: {exc}"[:300]
    finally:
        db.session.commit()
    return None


def invitation_body(user: User, url: str) -> str:
    days = tokens.lifetime(tokens.INVITE).days
    return (f"Kính gửi đồng chí {user.full_name},\n\n"
            "Đồng chí được mời sử dụng Hệ thống đào tạo cán bộ công đoàn.\n"
            f"Tên đăng nhập của đồng chí: {user.login}\n\n"
            f"Hãy mở liên kết sau để đặt mật khẩu (dùng được một lần, trong {days} ngày):\n{url}\n\n"
            "Nếu đồng chí không mong đợi thư này, xin bỏ qua.\n")


def reset_body(user: User, url: str) -> str:
    minutes = int(tokens.lifetime(tokens.RESET).total_seconds() // 60)
    return (f"Kính gửi đồng chí {user.full_name},\n\nCó yêu cầu đặt lại mật khẩu cho tài khoản “{user.login}”.\n"
            f"Mở liên kết sau để đặt mật khẩu mới (dùng được một lần, trong {minutes} phút):\n{url}\n\n"
            "Nếu đồng chí không yêu cầu, xin bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.\n")


def _invited_since(user: User, since: datetime) -> bool:
    return db.session.scalar(select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.kind == tokens.INVITE,
        AccountToken.created_at >= since).limit(1)) is not None


@task
def send_invitations(ctx: Context, user_ids: list[int], by_id: int | None, base_url: str) -> str:
    """An invitation link to each account still without a password; a retry mails only those whose
    invitation was not sent by an earlier attempt."""
    since = db.session.get(Job, ctx.job_id).created_at
    by = db.session.get(User, by_id) if by_id else None
    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids), User.active).order_by(User.id)))
    sent, errors = 0, []
    for index, user in enumerate(users, 1):
        if _invited_since(user, since):
            sent += 1  # by an earlier attempt
        elif not has_password(user) and email_of(user):
            error = _mail_with_token(user, tokens.INVITE, by,
                                     lambda secret, u=user: invitation_body(u, set_password_url(base_url, secret)),
                                     INVITE_SUBJECT)
            sent, errors = (sent + 1, errors) if error is None else (sent, [*errors, error])
        ctx.progress(100 * index / len(users))
    if errors:
        raise JobFailed(f"Gửi thư mời lỗi cho {len(errors)} người (đã gửi {sent}): {errors[0]}")
    return f"Đã gửi {sent} thư mời."


@task
def send_reset(ctx: Context, account_id: int, base_url: str) -> str:
    """A "forgot password" link (at most one per account per RESET_MAIL_INTERVAL seconds, retries included)."""
    from lms.accounts.invitations import RESET_MAIL_INTERVAL

    user = db.session.get(User, account_id)
    if user is None or not user.active or not email_of(user):
        return "Không có tài khoản để gửi."
    if tokens.recently_issued(user, tokens.RESET, RESET_MAIL_INTERVAL):
        return "Đã gửi gần đây."
    error = _mail_with_token(user, tokens.RESET, None, lambda secret: reset_body(user, set_password_url(base_url, secret)),
                             RESET_SUBJECT)
    if error:
        raise JobFailed(f"Gửi thư đặt lại mật khẩu lỗi: {error}")
    return "Đã gửi thư đặt lại mật khẩu."
