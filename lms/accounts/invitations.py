"""Getting cadres in: invitation e-mails, printed activation codes, "forgot password" e-mails, an admin's reset.

Who: an admin picks a unit (its whole subtree) or a list of cadre codes, always inside their own scope
(:func:`lms.accounts.scope.unit_condition`). The accounts of the picked cadres are created first when missing
(:func:`lms.accounts.provision.ensure_accounts`); the ones that have no password yet are the targets.
Cadres with an e-mail get an invitation link; the others get a code on a printable sheet.

No request objects here: the views pass ``link``, which turns a secret into the absolute URL of the page
that redeems it. Mail goes through :mod:`lms.core.mail` (SMTP, or the file outbox).
"""

from __future__ import annotations

import secrets
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from lms.accounts import tokens
from lms.accounts.models import User
from lms.accounts.provision import ensure_accounts
from lms.accounts.scope import in_subtree, unit_condition
from lms.accounts.services import has_password, set_password
from lms.core import mail
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms.org.models import Cadre, OrgUnit

Link = Callable[[str], str]
#: at most one "forgot password" mail per account in this many seconds (the answer stays the same)
RESET_MAIL_INTERVAL = 120
MAX_CODES = 5000


@dataclass
class Selection:
    """The accounts an invitation run targets, split by whether they can be mailed."""

    with_email: list[User] = field(default_factory=list)
    without_email: list[User] = field(default_factory=list)
    already_active: int = 0


def _unit_in_scope(actor: User, code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip(), unit_condition(actor)))
    if unit is None:
        raise UserError(f"Không tìm thấy đơn vị “{code}” trong phạm vi của bạn.",
                        f"No unit “{code}” in your part of the tree.", code="unit_unknown")
    return unit


def parse_codes(text: str) -> list[str]:
    """Cadre codes typed one per line or separated by commas, spaces or semicolons."""
    return list(dict.fromkeys(c for c in (nfc(x) for x in text.replace(",", " ").replace(";", " ").split()) if c))


def _cadres(actor: User, unit_code: str, codes: list[str]) -> list[Cadre]:
    query = select(Cadre).join(Cadre.org_unit).where(unit_condition(actor), Cadre.active)
    if unit_code.strip():
        query = query.where(in_subtree(_unit_in_scope(actor, unit_code)))
    if codes:
        found = db.session.scalars(query.where(Cadre.code.in_(codes))).all()
        missing = sorted(set(codes) - {c.code for c in found})
        if missing:
            shown = ", ".join(missing[:10]) + ("…" if len(missing) > 10 else "")
            raise UserError(f"Không tìm thấy cán bộ đang hoạt động trong phạm vi của bạn: {shown}.",
                            f"No active cadre in your part of the tree: {shown}.", code="cadre_unknown")
        return list(found)
    if not unit_code.strip():
        raise UserError("Hãy nhập mã đơn vị hoặc danh sách mã cán bộ.", "Enter a unit code or a list of cadre codes.",
                        code="selection_empty")
    return list(db.session.scalars(query.order_by(OrgUnit.path, Cadre.full_name)))


def select_accounts(actor: User, unit_code: str = "", codes: Sequence[str] = ()) -> Selection:
    """The accounts (created when missing) of the active cadres picked, inside ``actor``'s scope."""
    cadres = _cadres(actor, unit_code, list(codes))
    ensure_accounts(cadres)
    order = {c.id: i for i, c in enumerate(cadres)}
    users = db.session.scalars(select(User).where(User.cadre_id.in_(list(order)), User.active)).all() if order else []
    selection = Selection()
    for user in sorted(users, key=lambda u: order[u.cadre_id or 0]):
        if has_password(user):
            selection.already_active += 1
        elif _email(user):
            selection.with_email.append(user)
        else:
            selection.without_email.append(user)
    return selection


def _email(user: User) -> str | None:
    return user.email or (user.cadre.email if user.cadre else None) or None


def _send(user: User, subject: str, body: str) -> bool:
    message = mail.build_message(_email(user) or "", subject, body, to_name=user.full_name)
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError) as exc:
        current_app.logger.warning("mail to account %s failed: %s", user.id, exc)
        return False
    return True


def invitation_body(user: User, url: str) -> str:
    days = tokens.lifetime(tokens.INVITE).days
    return (f"Kính gửi đồng chí {user.full_name},\n\n"
            "Đồng chí được mời sử dụng Hệ thống đào tạo cán bộ công đoàn.\n"
            f"Tên đăng nhập của đồng chí: {user.login}\n\n"
            f"Hãy mở liên kết sau để đặt mật khẩu (dùng được một lần, trong {days} ngày):\n{url}\n\n"
            "Nếu đồng chí không mong đợi thư này, xin bỏ qua.\n")


def send_invitations(users: Sequence[User], by: User, link: Link) -> tuple[int, int]:
    """Mail an invitation link to each account; returns (sent, failed)."""
    sent = failed = 0
    for user in users:
        secret = tokens.issue(user, tokens.INVITE, by)
        ok = _send(user, "Mời kích hoạt tài khoản học tập cán bộ công đoàn", invitation_body(user, link(secret)))
        sent, failed = sent + ok, failed + (not ok)
    return sent, failed


@dataclass
class CodeRow:
    """One line of the activation-code sheet."""

    unit: str
    full_name: str
    login: str
    code: str


def issue_codes(users: Sequence[User], by: User) -> list[CodeRow]:
    """A fresh activation code for each account (older codes stop working), in sheet order."""
    if len(users) > MAX_CODES:
        raise UserError(f"Mỗi lần in tối đa {MAX_CODES} mã; hãy chọn đơn vị nhỏ hơn.",
                        f"At most {MAX_CODES} codes per sheet; pick a smaller unit.", code="too_many")
    return [CodeRow(u.cadre.org_unit.name if u.cadre else "", u.full_name, u.login, tokens.issue(u, tokens.CODE, by))
            for u in users]


def request_reset(email: str, link: Link) -> None:
    """"Forgot password": mail a reset link to every active account with this address. Says nothing
    about whether one exists (the page answers the same); at most one mail per account per
    :data:`RESET_MAIL_INTERVAL` seconds."""
    address = email.strip().lower()
    if not address:
        return
    for user in db.session.scalars(select(User).where(func.lower(User.email) == address, User.active)):
        if tokens.recently_issued(user, tokens.RESET, RESET_MAIL_INTERVAL):
            continue
        secret = tokens.issue(user, tokens.RESET)
        minutes = int(tokens.lifetime(tokens.RESET).total_seconds() // 60)
        _send(user, "Đặt lại mật khẩu — Hệ thống đào tạo cán bộ công đoàn",
              f"Kính gửi đồng chí {user.full_name},\n\nCó yêu cầu đặt lại mật khẩu cho tài khoản “{user.login}”.\n"
              f"Mở liên kết sau để đặt mật khẩu mới (dùng được một lần, trong {minutes} phút):\n{link(secret)}\n\n"
              "Nếu đồng chí không yêu cầu, xin bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.\n")


def temporary_password() -> str:
    """A readable temporary password (12 characters from the code alphabet, lower-cased)."""
    return "".join(secrets.choice(tokens.CODE_ALPHABET.lower()) for _ in range(12))


def admin_reset(user: User, by: User) -> str:
    """An admin's reset: a temporary password (returned, to be handed over once) that must be changed at
    the next login; every session of the account ends and its outstanding links and codes stop working."""
    password = temporary_password()
    set_password(user, password, temporary=True)  # ends the sessions too
    tokens.void_all(user)
    return password
