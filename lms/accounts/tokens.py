"""One-time secrets that let someone set an account's password.

* ``invite`` — the link of an invitation e-mail (valid ``LMS_INVITE_DAYS``, default 7 days);
* ``reset`` — the link of a "forgot password" e-mail (valid ``LMS_RESET_MINUTES``, default 60);
* ``code`` — a printed activation code, typed with the username (valid ``LMS_ACTIVATION_CODE_DAYS``,
  default 30 days). Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
  ``ABCDE-FGHJK``: 50 bits, and guessing is rate-limited per account and per client by the login throttle.

Only an HMAC-SHA256 of the secret (keyed with the app's secret key) is stored, so a copy of the
database opens no account. A secret works once: using one (or issuing a new one of the same kind)
voids the account's other outstanding secrets. No request objects here.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from lms.accounts.models import AccountToken, User
from lms.accounts.services import set_password
from lms.core.db import db, utcnow
from lms.core.errors import UserError

INVITE, RESET, CODE = "invite", "reset", "code"
_LIFETIME = {INVITE: ("LMS_INVITE_DAYS", 7 * 24 * 60), RESET: ("LMS_RESET_MINUTES", 60),
             CODE: ("LMS_ACTIVATION_CODE_DAYS", 30 * 24 * 60)}
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def lifetime(kind: str) -> timedelta:
    """How long a secret of ``kind`` stays valid (config in days for invitations and codes, minutes for resets)."""
    key, default_minutes = _LIFETIME[kind]
    value = current_app.config.get(key)
    if value is None:
        return timedelta(minutes=default_minutes)
    return timedelta(minutes=int(value)) if kind == RESET else timedelta(days=int(value))


def _digest(secret: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def normalize_code(text: str) -> str:
    """An activation code as typed: case, spaces and dashes ignored."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def issue(user: User, kind: str, by: User | None = None) -> str:
    """A new secret of ``kind`` for ``user`` (older unused ones of that kind are voided); the caller
    shows or mails it — it is not stored and cannot be shown again."""
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.kind == kind,
                                                  AccountToken.used_at.is_(None)))
    secret = _new_code() if kind == CODE else secrets.token_urlsafe(32)
    stored = normalize_code(secret) if kind == CODE else secret
    db.session.add(AccountToken(user_id=user.id, kind=kind, secret_hash=_digest(stored),
                                expires_at=utcnow() + lifetime(kind), created_by_id=by.id if by else None))
    db.session.flush()
    return secret


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _usable(token: AccountToken | None) -> bool:
    return (token is not None and token.used_at is None and _aware(token.expires_at) > utcnow()
            and token.user.active)


def find_link(secret: str) -> AccountToken:
    """The invitation or reset behind a link: 404 for an unknown (or forged) one, 410 once used or expired."""
    token = db.session.scalar(select(AccountToken).where(AccountToken.secret_hash == _digest(secret[:128]),
                                                         AccountToken.kind.in_((INVITE, RESET))))
    if token is None:
        raise UserError("Liên kết không hợp lệ. Hãy kiểm tra lại địa chỉ trong thư.",
                        "This link is not valid. Check the address in the e-mail.", status=404, code="token_unknown")
    if not _usable(token):
        raise UserError("Liên kết đã được dùng hoặc đã hết hạn. Hãy yêu cầu một liên kết mới.",
                        "This link was already used or has expired. Ask for a new one.", status=410,
                        code="token_expired")
    return token


def void_all(user: User) -> None:
    """Every outstanding secret of ``user`` stops working (an admin's reset)."""
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None)))


def _spend(token: AccountToken) -> None:
    token.used_at = utcnow()
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == token.user_id,
                                                  AccountToken.id != token.id, AccountToken.used_at.is_(None)))


def redeem_link(secret: str, new_password: str) -> User:
    """Set the password through an invitation or reset link; the link (and every other outstanding
    secret of the account) stops working and the account's sessions end."""
    token = find_link(secret)
    set_password(token.user, new_password)
    _spend(token)
    return token.user


def redeem_code(user: User | None, code: str, new_password: str) -> bool:
    """Set ``user``'s password with an activation code; False (nothing written) when the code is not
    theirs, used or expired — the caller counts that as a failed attempt. Raises UserError for a password
    the policy refuses (only once the code is known to be right)."""
    if user is None:
        return False
    digest = _digest(normalize_code(code)[:64])
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == user.id,
                                                         AccountToken.kind == CODE,
                                                         AccountToken.secret_hash == digest))
    if not _usable(token):
        return False
    set_password(user, new_password)
    _spend(token)  # type: ignore[arg-type]
    return True


def recently_issued(user: User, kind: str, seconds: int) -> bool:
    """True when a secret of ``kind`` was issued to ``user`` less than ``seconds`` ago (mail flooding)."""
    since = utcnow() - timedelta(seconds=seconds)
    if db.engine.dialect.name == "sqlite":
        since = since.replace(tzinfo=None)
    return db.session.scalar(select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.kind == kind, AccountToken.created_at >= since).limit(1)) is not None
