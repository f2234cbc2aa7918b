"""Accounts for cadres: created or linked when cadres are imported (xlsx) or first launch a module (API).

**Username rule.** The cadre's code, trimmed and lower-cased: ``HN0001`` → ``hn0001``. When that login is
already held by an account that cannot be linked (see below), the first free of ``hn0001-2``,
``hn0001-3``, … is used.

**Never a duplicate.** For each active cadre:

1. an account already linked to the cadre (``users.cadre_id``) is kept as it is (*existing*);
2. else an account with no cadre, not an admin, whose login is the cadre's username is linked to the
   cadre and given the learner role (*linked*);
3. else a learner account is created (*created*): name and e-mail from the cadre, no password yet
   (:data:`~lms.accounts.services.UNSET_PASSWORD`), so the cadre gets in through an invitation
   e-mail or a printed activation code (:mod:`lms.accounts.tokens`).

Inactive cadres get no new account (*skipped*). Set-based: a few queries and one bulk insert per 500
cadres, so an import of thousands stays quick. Flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert, select

from lms.accounts.models import User, UserRole
from lms.accounts.services import UNSET_PASSWORD
from lms.core.db import db
from lms.core.i18n import nfc
from lms.core.roles import Role
from lms.org.models import Cadre

CHUNK = 500
#: a Cadre, or a row with its ``id``, ``code``, ``full_name``, ``email`` and ``active``
CadreLike = Any


@dataclass
class AccountsResult:
    """What :func:`ensure_accounts` did, by cadre."""

    created: int = 0
    linked: int = 0
    existing: int = 0
    skipped: int = 0

    def counts(self) -> dict[str, int]:
        """The numbers, for the import report and JSON."""
        return asdict(self)


def username_for(code: str) -> str:
    """The login the username rule gives a cadre code."""
    return (nfc(code) or "").lower()


def free_login(base: str, reserved: set[str] | None = None) -> str:
    """``base`` if no account holds it (nor ``reserved``), else the first free ``base-2``, ``base-3``, …"""
    taken = set(db.session.scalars(select(User.login).where(
        (User.login == base) | User.login.startswith(f"{base}-", autoescape=True))))
    taken |= reserved or set()
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def ensure_accounts(cadres: Sequence[CadreLike]) -> AccountsResult:
    """Create or link the learner account of each cadre (rules in the module's docstring)."""
    result = AccountsResult()
    for start in range(0, len(cadres), CHUNK):
        _ensure_chunk(cadres[start:start + CHUNK], result)
    db.session.flush()
    return result


def ensure_accounts_for_codes(codes: Iterable[str]) -> AccountsResult:
    """:func:`ensure_accounts` for the cadres with these codes (the importer's hook); reads plain rows,
    a chunk at a time, so an import of 100,000 cadres does not load 100,000 ORM objects."""
    codes = list(dict.fromkeys(codes))
    result = AccountsResult()
    for start in range(0, len(codes), CHUNK):
        rows = db.session.execute(select(Cadre.id, Cadre.code, Cadre.full_name, Cadre.email, Cadre.active)
                                  .where(Cadre.code.in_(codes[start:start + CHUNK]))).all()
        _ensure_chunk(rows, result)
    db.session.flush()
    return result


def _ensure_chunk(cadres: Sequence[CadreLike], result: AccountsResult) -> None:
    have = set(db.session.scalars(select(User.cadre_id).where(User.cadre_id.in_([c.id for c in cadres]))))
    result.existing += len(have)
    result.skipped += sum(1 for c in cadres if c.id not in have and not c.active)
    wanted = [c for c in cadres if c.id not in have and c.active]
    holders = {u.login: u for u in db.session.scalars(
        select(User).where(User.login.in_([username_for(c.code) for c in wanted])))}
    new_rows: list[dict] = []
    reserved: set[str] = set()
    for cadre in wanted:
        login = username_for(cadre.code)
        holder = holders.get(login)
        if holder is not None and holder.cadre_id is None and not holder.has_role(Role.admin):
            holder.cadre_id = cadre.id
            holder.set_roles(holder.roles | {Role.learner})
            result.linked += 1
            continue
        if holder is not None or login in reserved:
            login = free_login(login, reserved)
        reserved.add(login)
        new_rows.append({"login": login, "password_hash": UNSET_PASSWORD, "full_name": cadre.full_name,
                         "email": (cadre.email or "").strip().lower() or None, "cadre_id": cadre.id})
    _insert(new_rows)
    result.created += len(new_rows)


def _insert(rows: list[dict]) -> None:
    if not rows:
        return
    ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.learner.value} for i in ids])
