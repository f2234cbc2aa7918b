"""Passwords (argon2id), login throttling, user creation. No request objects here."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, select

from lms.accounts.models import LoginAttempt, User
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.roles import Role

_hasher = PasswordHasher()
#: verified against when the login is unknown, so timing does not reveal which logins exist
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id."""
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant-ish time whether or not the user exists; rehash when params changed."""
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
    return True


#: the password hash of an account nobody has set a password for yet (imported, invited): not an argon2
#: hash, so no password ever matches it
UNSET_PASSWORD = "!unset"  # noqa: S105 - a marker, not a secret


def check_password_policy(password: str, login: str | None = None) -> None:
    """Refuse passwords that are too short or equal to the login (case and surrounding spaces ignored)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            code="password_too_short",
        )
    if login and password.strip().lower() == normalize_login(login):
        raise UserError("Mật khẩu không được trùng với tên đăng nhập.", "The password may not equal the login.",
                        code="password_is_login")


def has_password(user: User) -> bool:
    """True once a real password is set (imported and launch-created accounts have a marker instead)."""
    return not user.password_hash.startswith("!")


def set_password(user: User, new: str, *, temporary: bool = False) -> None:
    """Set ``user``'s password after the policy check and end their sessions. ``temporary`` (an admin's
    reset) makes every page ask for a new password at the next login; otherwise the flag is cleared."""
    check_password_policy(new, user.login)
    user.password_hash = hash_password(new)
    user.must_change_password = temporary
    end_all_sessions(user)


def record_attempt(login: str, ip: str, success: bool) -> None:
    """Remember an attempt; a success clears that login's failures."""
    if success:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.login == login))
    db.session.add(LoginAttempt(login=login, ip=ip, success=success))


def normalize_login(login: str) -> str:
    """Logins are case-insensitive and trimmed."""
    return login.strip().lower()


def find_user(login: str) -> User | None:
    """The user with this login, or None."""
    return db.session.scalar(select(User).where(User.login == normalize_login(login)))


def create_user(
    login: str,
    password: str,
    roles: list[Role] | set[Role],
    *,
    full_name: str = "",
    email: str | None = None,
    scope_org_unit_id: int | None = None,
    cadre_id: int | None = None,
) -> User:
    """Create a user (flushes; the caller commits)."""
    login = normalize_login(login)
    if not login:
        raise UserError("Tên đăng nhập không được để trống.", "The login may not be empty.", code="login_empty")
    if find_user(login) is not None:
        raise UserError(f"Tên đăng nhập '{login}' đã tồn tại.", f"Login '{login}' exists.", code="login_taken")
    check_password_policy(password, login)
    user = User(
        login=login,
        password_hash=hash_password(password),
        full_name=full_name,
        email=email,
        scope_org_unit_id=scope_org_unit_id,
        cadre_id=cadre_id,
    )
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, old: str, new: str) -> None:
    """Change the password after checking the old one; other sessions are logged out."""
    if not verify_password(user, old):
        raise UserError("Mật khẩu hiện tại không đúng.", "The current password is wrong.", code="wrong_password")
    if new == old:
        raise UserError("Mật khẩu mới phải khác mật khẩu hiện tại.", "The new password must differ from the current one.",
                        code="password_unchanged")
    set_password(user, new)


def end_all_sessions(user: User) -> None:
    """Revoke every session and remember-me cookie of ``user`` on the server: both carry the session
    version (``User.get_id``), which every request checks, so bumping it ends them all at once — a copied
    cookie included. Used by logout, "log out everywhere", a password change or reset, deactivation."""
    user.session_version += 1


# -- the session's claim, checked inside a feature's own query (hot endpoints) -----------------------


def claimed_cadre(claim: tuple[int, int]):
    """SQL for the cadre of the account a session claims ``(user id, session version)``: NULL unless the
    account is active and has that session version — :func:`lms.accounts.loader.load_user`'s checks,
    made inside the caller's query instead of loading the user first (compare it with an owner column)."""
    user_id, version = claim
    return (select(User.cadre_id).where(User.id == user_id, User.active, User.session_version == version)
            .scalar_subquery())


#: :func:`claimed_cadre` built once, the claim as the parameters of :func:`claim_params` (a statement that
#: uses it is built once too: hot endpoints)
CLAIMED_CADRE = (select(User.cadre_id).where(User.id == bindparam("claim_user"), User.active,
                                             User.session_version == bindparam("claim_version"))
                 .scalar_subquery())


def claim_params(claim: tuple[int, int]) -> dict[str, int]:
    """The parameters of :data:`CLAIMED_CADRE` for the claim ``(user id, session version)``."""
    return {"claim_user": claim[0], "claim_version": claim[1]}


def claim_cadre_or_401(claim: tuple[int, int]) -> int:
    """Why a query restricted by :func:`claimed_cadre` found nothing: 401 ``session_ended`` when the
    account is gone, inactive or logged out everywhere; else its cadre id (-1 for an account without one)."""
    found = db.session.execute(select(User.active, User.session_version, User.cadre_id)
                               .where(User.id == claim[0])).one_or_none()
    if found is None or not found.active or found.session_version != claim[1]:
        raise UserError("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.", "Your session has ended. Log in again.",
                        status=401, code="session_ended")
    return -1 if found.cadre_id is None else found.cadre_id
