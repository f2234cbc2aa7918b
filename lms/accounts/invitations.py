"""Getting cadres in: invitation e-mails, printed activation codes, "forgot password" e-mails, an admin's reset.

Who: an admin picks a unit (its whole subtree) or a list of cadre codes, always inside their own scope
(:func:`lms.accounts.scope.unit_condition`). The accounts of the picked cadres are created first when missing
(:func:`lms.accounts.provision.ensure_accounts`); the ones that have no password yet are the targets.
Cadres with an e-mail get an invitation link; the others get a code on a printable sheet.

No request objects here: the views pass ``base_url``, the address links in mails start with. The mails
are sent by jobs after the caller commits (:mod:`lms.accounts.mail_jobs`), so the request answers at once
and a mail failure is retried and shown on the job.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.accounts import tokens
from lms.accounts.mail_jobs import email_of
from lms.accounts.models import User
from lms.accounts.provision import ensure_accounts
from lms.accounts.scope import in_subtree, unit_condition
from lms.accounts.services import has_password, set_password
from lms.core import jobs
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms.core.jobs_models import Job
from lms.org.models import Cadre, OrgUnit

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
        elif email_of(user):
            selection.with_email.append(user)
        else:
            selection.without_email.append(user)
    return selection


def send_invitations(users: Sequence[User], by: User, base_url: str) -> Job:
    """Enqueue the job mailing an invitation link to each account (it starts once the caller commits);
    ``by`` follows its progress on the job's page."""
    from lms.accounts.mail_jobs import send_invitations as task

    return jobs.enqueue(task, user_ids=[u.id for u in users], by_id=by.id, base_url=base_url, user_id=by.id,
                        title="Gửi thư mời kích hoạt tài khoản")


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


def request_reset(email: str, base_url: str) -> None:
    """"Forgot password": enqueue a reset-link mail to every active account with this address (sent once
    the caller commits). Says nothing about whether one exists (the page answers the same); at most one
    mail per account per :data:`RESET_MAIL_INTERVAL` seconds (a job per account and interval)."""
    from lms.accounts.mail_jobs import send_reset

    address = email.strip().lower()
    if not address:
        return
    window = int(time.time()) // RESET_MAIL_INTERVAL
    for user in db.session.scalars(select(User).where(func.lower(User.email) == address, User.active)):
        if not tokens.recently_issued(user, tokens.RESET, RESET_MAIL_INTERVAL):
            jobs.enqueue(send_reset, account_id=user.id, base_url=base_url, key=f"reset:{user.id}:{window}",
                         title="Gửi thư đặt lại mật khẩu")


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
