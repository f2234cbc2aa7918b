"""Consumers and their secrets, signed-request checks with replay protection, learner mapping, results.

Plain values in; services flush, never commit.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.provision import free_login, username_for
from lms.accounts.scope import visible_cadres
from lms.api.models import Consumer, ConsumerLearner, LinkStatus, UsedNonce
from lms.catalog.models import Module
from lms.core import sealing
from lms.core.db import db, insert_once, utcnow
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms.core.roles import Role
from lms.org.models import Cadre
from lms_xblock import signing

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# --- secrets ---------------------------------------------------------------------------------------


def _fernet() -> sealing.Fernet:
    """The cipher of stored secrets: a key derived from ``LMS_API_SECRET_KEY`` (else ``SECRET_KEY``)."""
    return sealing.cipher("lms-api-secrets")


def consumer_secret(consumer: Consumer) -> str:
    """The consumer's shared secret in clear (UserError 500-class if the key changed)."""
    try:
        return _fernet().decrypt(consumer.secret_encrypted.encode()).decode()
    except sealing.InvalidToken as exc:
        raise UserError("Không giải mã được khoá bí mật của consumer (khoá máy chủ đã đổi?). Hãy tạo lại khoá.",
                        "The consumer secret cannot be decrypted (server key changed?). Rotate it.",
                        status=409, code="secret_unreadable") from exc


def _new_secret(consumer: Consumer) -> str:
    secret = secrets.token_urlsafe(32)
    consumer.secret_encrypted = _fernet().encrypt(secret.encode()).decode()
    return secret


def create_consumer(key: str, name: str, *, origins: str = "",
                    created_by_id: int | None = None) -> tuple[Consumer, str]:
    """Register a consumer; returns it and its secret (shown once). 422/409 for a bad or taken key or
    malformed origins."""
    key, name = (nfc(key) or "").strip(), (nfc(name) or "").strip()
    if not KEY_PATTERN.match(key) or not name:
        raise UserError("Khoá phải gồm 3–64 ký tự chữ, số, '.', '_' hoặc '-', và cần có tên.",
                        "The key needs 3–64 letters, digits, '.', '_' or '-'; a name is required.",
                        status=422, code="consumer_invalid")
    if db.session.scalar(select(Consumer.id).where(Consumer.key == key)) is not None:
        raise UserError(f"Khoá {key} đã được dùng.", f"The key {key} is taken.", status=409, code="consumer_exists")
    consumer = Consumer(key=key, name=name, active=True, created_by_id=created_by_id, secret_encrypted="",
                        origins=" ".join(parse_origins(origins)))
    secret = _new_secret(consumer)
    db.session.add(consumer)
    db.session.flush()
    forget_framing_origins()
    return consumer, secret


def parse_origins(text: str | None) -> list[str]:
    """Origins ``scheme://host[:port]`` (http or https, no path) separated by spaces, commas or lines;
    UserError 422 naming the first malformed one."""
    origins: list[str] = []
    for item in re.split(r"[\s,]+", (text or "").strip()):
        if not item:
            continue
        parts = urlsplit(item.rstrip("/"))
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query \
                or parts.fragment or parts.username or parts.password:
            raise UserError(f"Địa chỉ nền tảng không hợp lệ: {item} (dạng https://ten-mien[:cong]).",
                            f"Invalid origin: {item} (use https://host[:port]).", status=422, code="origin_invalid")
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if origin not in origins:
            origins.append(origin)
    return origins


def set_origins(consumer: Consumer, text: str) -> Consumer:
    """Replace the origins allowed to frame the consumer's launches."""
    consumer.origins = " ".join(parse_origins(text))
    db.session.flush()
    forget_framing_origins()
    return consumer


#: (loaded at, origins) — the origins of active consumers, cached for FRAMING_CACHE_SECONDS per process
_framing_cache: tuple[float, tuple[str, ...]] | None = None
FRAMING_CACHE_SECONDS = 60


def forget_framing_origins() -> None:
    """Drop this process's cache of framing origins (after a change)."""
    global _framing_cache
    _framing_cache = None


def framing_origins() -> tuple[str, ...]:
    """The origins of active consumers (allowed to frame launched pages), cached for a minute."""
    global _framing_cache
    now = time.monotonic()
    if _framing_cache is None or now - _framing_cache[0] > FRAMING_CACHE_SECONDS:
        rows = db.session.scalars(select(Consumer.origins).where(Consumer.active.is_(True))).all()
        origins = sorted({o for row in rows for o in (row or "").split() if o})
        _framing_cache = (now, tuple(origins))
    return _framing_cache[1]


def rotate_secret(consumer: Consumer) -> str:
    """Give the consumer a new secret (the old one stops working at once); returns it, shown once."""
    secret = _new_secret(consumer)
    consumer.secret_rotated_at = utcnow()
    db.session.flush()
    return secret


# --- signed requests -------------------------------------------------------------------------------

#: reason → (Vietnamese, English, status)
REFUSALS: dict[str, tuple[str, str, int]] = {
    "missing": ("Thiếu tham số của liên kết học.", "The launch is missing parameters.", 400),
    "consumer": ("Nền tảng gửi yêu cầu chưa được đăng ký hoặc đã bị khoá.", "Unknown or disabled consumer.", 403),
    "signature": ("Chữ ký của liên kết không hợp lệ.", "The signature is invalid.", 403),
    "malformed": ("Thời điểm trong liên kết không hợp lệ.", "The launch times are malformed.", 400),
    "future": ("Liên kết có thời điểm ở tương lai; hãy kiểm tra đồng hồ máy chủ.", "The launch is dated in the future.", 403),
    "too_long": ("Liên kết có thời hạn quá 5 phút.", "The launch lives longer than five minutes.", 403),
    "expired": ("Liên kết học đã hết hạn. Hãy tải lại trang khoá học để mở lại.",
                "The launch link has expired. Reload the course page.", 403),
    "nonce": ("Mã dùng một lần (nonce) không hợp lệ.", "The nonce is malformed.", 400),
    "replayed": ("Liên kết học này đã được sử dụng. Hãy tải lại trang khoá học để mở lại.",
                 "This launch link was already used. Reload the course page.", 409),
}


def refusal(reason: str) -> UserError:
    """The UserError for a refused signed request."""
    vi, en, status = REFUSALS[reason]
    return UserError(vi, en, status=status, code=f"launch_{reason}")


def verify_signed(purpose: str, params: Mapping[str, str], now: float | None = None) -> Consumer:
    """Check a signed request (consumer, signature, time window, nonce once) and return its consumer.

    Raises the matching :func:`refusal`. The nonce is recorded (flushed) only when everything else holds.
    """
    if not params.get("consumer") or not params.get("signature") or not params.get("anonymous_user_id") \
            or not params.get("module"):
        raise refusal("missing")
    consumer = db.session.scalar(select(Consumer).where(Consumer.key == params["consumer"]))
    if consumer is None or not consumer.active:
        raise refusal("consumer")
    if not signing.signature_valid(consumer_secret(consumer), purpose, params):
        raise refusal("signature")
    problem = signing.time_problem(params, now)
    if problem:
        raise refusal(problem)
    if not NONCE_PATTERN.match(params.get("nonce") or ""):
        raise refusal("nonce")
    use_nonce(consumer, params["nonce"], int(params["expiry"]))
    return consumer


def use_nonce(consumer: Consumer, nonce: str, expiry: int) -> None:
    """Record ``nonce`` as used until ``expiry`` (Unix seconds); refusal("replayed") when already used.

    With ``LMS_REDIS_URL`` the nonce lives in Redis (SET NX with expiry); else in ``api_used_nonces``.
    """
    ttl = max(1, expiry - int(datetime.now(UTC).timestamp())) + signing.CLOCK_SKEW
    redis_url = current_app.config.get("LMS_REDIS_URL")
    if redis_url:
        import redis  # noqa: PLC0415 - optional dependency, only with LMS_REDIS_URL

        client = redis.Redis.from_url(redis_url)
        try:
            if not client.set(f"lms:api:nonce:{consumer.id}:{nonce}", b"1", nx=True, ex=ttl):
                raise refusal("replayed")
        finally:
            client.close()
        return
    now = utcnow()
    db.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    try:
        with db.session.begin_nested():
            db.session.add(UsedNonce(consumer_id=consumer.id, nonce=nonce,
                                     expires_at=datetime.fromtimestamp(expiry + signing.CLOCK_SKEW, UTC)))
    except IntegrityError as exc:
        raise refusal("replayed") from exc


# --- learners --------------------------------------------------------------------------------------


def _email(value: str | None) -> str | None:
    value = (nfc(value) or "").strip().lower()
    return value if "@" in value else None


def _insert_learner(consumer: Consumer, anon: str) -> ConsumerLearner | None:
    """Create the consumer's learner row for ``anon``; None when it exists (a concurrent launch of the same
    learner created it: ``insert_once`` waited for that transaction, then did nothing)."""
    return insert_once(ConsumerLearner, ("consumer_id", "anonymous_user_id"), {
        "consumer_id": consumer.id, "anonymous_user_id": anon, "status": LinkStatus.pending.value,
        "full_name": "", "last_module": "", "created_at": utcnow()})


def map_learner(consumer: Consumer, params: Mapping[str, str]) -> ConsumerLearner:
    """The consumer's learner for ``anonymous_user_id``: created (pending) on first launch. A learner is an
    identity of that consumer; it is linked to an LMS account only by proof from that account
    (:func:`link_by_login`) or by an admin in the cadre's scope (:func:`confirm_link`) — never by the
    e-mail the consumer sends, which is kept only as a hint for the admin.

    Two simultaneous first launches of the same learner both succeed (one creates the row, the other
    reads it)."""
    anon = nfc(params["anonymous_user_id"]) or ""
    learner = find_learner(consumer, anon)
    if learner is None:
        learner = _insert_learner(consumer, anon) or find_learner(consumer, anon)
        if learner is None:  # pragma: no cover - the row was just inserted or committed by another launch
            raise UserError("Không tạo được người học; hãy thử lại.", "The learner could not be created; retry.",
                            status=409, code="learner_conflict")
    email = _email(params.get("email"))
    learner.email = email or learner.email
    learner.full_name = (nfc(params.get("full_name")) or learner.full_name or "")[:255]
    learner.last_module = (params.get("module") or "")[:64]
    learner.last_launch_at = utcnow()
    db.session.flush()
    return learner


# --- linking a learner to an LMS account by proof from that account ---------------------------------

LINK_TICKET_MAX_AGE = 15 * 60
_LINK_SALT = "lms.api.link"


@dataclass(frozen=True)
class LinkTicket:
    """What the waiting page's link form carries back (signed): whose launch, of what."""

    consumer: Consumer
    learner: ConsumerLearner
    module: Module
    kind: str

    def __iter__(self):
        return iter((self.consumer, self.learner, self.module, self.kind))


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_LINK_SALT)


def link_ticket(learner: ConsumerLearner, module_code: str, kind: str) -> str:
    """A signed ticket for the waiting page's link form (valid :data:`LINK_TICKET_MAX_AGE` seconds)."""
    return _link_serializer().dumps({"l": learner.id, "m": module_code, "k": kind})


def read_link_ticket(token: str) -> LinkTicket | None:
    """The ticket's learner (of an active consumer) and module, or None when forged, expired or stale."""
    try:
        data = _link_serializer().loads(token, max_age=LINK_TICKET_MAX_AGE)
    except BadSignature:
        return None
    learner = db.session.get(ConsumerLearner, data.get("l")) if isinstance(data, dict) else None
    module = db.session.scalar(select(Module).where(Module.code == data.get("m"))) if learner else None
    if learner is None or module is None or not module.active or not learner.consumer.active:
        return None
    return LinkTicket(learner.consumer, learner, module, str(data.get("k") or ""))


def link_by_login(learner: ConsumerLearner, login: str, password: str) -> User:
    """Link a pending learner to the account whose password they know (the attempt is recorded for the
    login throttle); the account must be active and have a cadre. 401 for a wrong login or password."""
    from lms.accounts.services import find_user, record_attempt, verify_password  # noqa: PLC0415
    from lms.accounts.throttle import client_address  # noqa: PLC0415

    user = find_user(login)
    ok = verify_password(user, password) and user is not None and user.active
    record_attempt(login, client_address(), ok)
    if not ok:
        raise UserError("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong login or password.", status=401,
                        code="wrong_login")
    if user.cadre_id is None:
        raise UserError("Tài khoản này không gắn với hồ sơ cán bộ nào nên không học được qua Open edX.",
                        "This account has no cadre, so it cannot study through Open edX.", status=422,
                        code="account_without_cadre")
    learner.cadre_id, learner.status = user.cadre_id, LinkStatus.linked.value
    learner.decided_by_id, learner.decided_at = user.id, utcnow()
    db.session.flush()
    return user


def check_active(user: User) -> None:
    """403 when the launch's account is deactivated."""
    if not user.active:
        raise UserError("Tài khoản học của bạn đã bị khoá.", "Your learner account is disabled.", status=403,
                        code="user_inactive")


#: the password hash of accounts created by launches: not an argon2 hash, so no password ever matches
UNUSABLE_PASSWORD = "!launch-only"  # noqa: S105 - a marker, not a secret


def learner_user(cadre: Cadre) -> User:
    """The account the cadre studies as: their existing one, else a learner account created now
    (login by the username rule of :mod:`lms.accounts.provision`, no usable password: it only logs in through launches; an admin can set
    a password later). A concurrent launch creating the same account is tolerated: the insert runs in a
    savepoint and, when it collides, the account the other launch committed is used."""
    user = db.session.scalar(select(User).where(User.cadre_id == cadre.id).order_by(User.id).limit(1))
    if user is not None:
        return user
    login = free_login(username_for(cadre.code))  # the accounts' username rule (lms.accounts.provision)
    user = User(login=login, password_hash=UNUSABLE_PASSWORD, full_name=cadre.full_name, email=cadre.email,
                cadre_id=cadre.id)
    user.set_roles({Role.learner})
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        existing = db.session.scalar(select(User).where(User.cadre_id == cadre.id).order_by(User.id).limit(1))
        if existing is None:
            raise UserError("Không tạo được tài khoản học; hãy tải lại trang.",
                            "The learner account could not be created; reload the page.", status=409,
                            code="user_conflict") from None
        return existing
    return user


def find_learner(consumer: Consumer, anonymous_user_id: str) -> ConsumerLearner | None:
    """The consumer's learner with this anonymous id."""
    return db.session.scalar(select(ConsumerLearner).where(
        ConsumerLearner.consumer_id == consumer.id, ConsumerLearner.anonymous_user_id == nfc(anonymous_user_id)))


def pending_learners() -> list[ConsumerLearner]:
    """Learners waiting for an admin to pick their cadre, oldest first."""
    return list(db.session.scalars(select(ConsumerLearner).where(
        ConsumerLearner.status == LinkStatus.pending.value).order_by(ConsumerLearner.created_at, ConsumerLearner.id)))


def confirm_link(learner: ConsumerLearner, cadre_code: str, by: User) -> ConsumerLearner:
    """Link a pending (or rejected) learner to the cadre with ``cadre_code`` in the admin's scope."""
    code = (nfc(cadre_code) or "").strip()
    cadre = db.session.scalar(visible_cadres(by).where(Cadre.code == code)) if code else None
    if cadre is None:
        raise UserError(f"Không tìm thấy cán bộ mã {code or '(trống)'} trong phạm vi của bạn.",
                        f"No cadre with code {code or '(empty)'} in your scope.", status=422, code="cadre_unknown")
    learner.cadre_id, learner.status = cadre.id, LinkStatus.linked.value
    learner.decided_by_id, learner.decided_at = by.id, utcnow()
    db.session.flush()
    return learner


def reject_link(learner: ConsumerLearner, by: User) -> ConsumerLearner:
    """Refuse a pending learner (their launches keep showing the waiting page)."""
    learner.cadre_id, learner.status = None, LinkStatus.rejected.value
    learner.decided_by_id, learner.decided_at = by.id, utcnow()
    db.session.flush()
    return learner
