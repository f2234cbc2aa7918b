"""Consumers and their secrets, signed-request checks with replay protection, learner mapping, results.

Plain values in; services flush, never commit.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.api.models import Consumer, ConsumerLearner, LinkStatus, UsedNonce
from lms.catalog.models import Module
from lms.core.db import db, insert_once, utcnow
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms.core.roles import Role
from lms.core.scope import visible_cadres
from lms.org.models import Cadre
from lms_xblock import signing

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


# --- secrets ---------------------------------------------------------------------------------------


def _fernet() -> Fernet:
    """The cipher of stored secrets: a key derived from ``LMS_API_SECRET_KEY`` (else ``SECRET_KEY``)."""
    material = current_app.config.get("LMS_API_SECRET_KEY") or current_app.config["SECRET_KEY"]
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"lms-api-secrets:{material}".encode()).digest()))


def consumer_secret(consumer: Consumer) -> str:
    """The consumer's shared secret in clear (UserError 500-class if the key changed)."""
    try:
        return _fernet().decrypt(consumer.secret_encrypted.encode()).decode()
    except InvalidToken as exc:
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


def match_cadre(email: str | None) -> Cadre | None:
    """The one active cadre with this email (case-insensitive); None when none or several."""
    if not email:
        return None
    found = db.session.scalars(select(Cadre).where(func.lower(Cadre.email) == email,
                                                   Cadre.active.is_(True)).limit(2)).all()
    return found[0] if len(found) == 1 else None


def _insert_learner(consumer: Consumer, anon: str) -> ConsumerLearner | None:
    """Create the consumer's learner row for ``anon``; None when it exists (a concurrent launch of the same
    learner created it: ``insert_once`` waited for that transaction, then did nothing)."""
    return insert_once(ConsumerLearner, ("consumer_id", "anonymous_user_id"), {
        "consumer_id": consumer.id, "anonymous_user_id": anon, "status": LinkStatus.pending.value,
        "full_name": "", "last_module": "", "created_at": utcnow()})


def map_learner(consumer: Consumer, params: Mapping[str, str]) -> ConsumerLearner:
    """The consumer's learner for ``anonymous_user_id``: created on first launch, linked to the cadre with
    the shared email when exactly one matches, else pending until an admin confirms.

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
    if learner.status == LinkStatus.pending.value:
        cadre = match_cadre(email)
        if cadre is not None:
            learner.cadre_id, learner.status = cadre.id, LinkStatus.linked.value
    db.session.flush()
    return learner


#: the password hash of accounts created by launches: not an argon2 hash, so no password ever matches
UNUSABLE_PASSWORD = "!launch-only"  # noqa: S105 - a marker, not a secret


def learner_user(cadre: Cadre) -> User:
    """The account the cadre studies as: their existing one, else a learner account created now
    (login ``xb-<cadre code>``, no usable password: it only logs in through launches; an admin can set
    a password later). A concurrent launch creating the same account is tolerated: the insert runs in a
    savepoint and, when it collides, the account the other launch committed is used."""
    user = db.session.scalar(select(User).where(User.cadre_id == cadre.id).order_by(User.id).limit(1))
    if user is not None:
        return user
    login = f"xb-{cadre.code}".lower()
    if db.session.scalar(select(User.id).where(User.login == login)) is not None:
        login = f"{login}-{secrets.token_hex(3)}"
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


# --- results ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the results endpoint answers."""

    status: str
    completion: float = 0.0
    completed: bool = False
    success: str = "unknown"
    score: float | None = None
    updated_at: datetime | None = None
    attempts: int = 0
    #: what the outcome is of: "module" (the SCORM package's attempts) or "quiz"
    kind: str = "module"

    def as_dict(self) -> dict[str, Any]:
        """The JSON body (documented in openapi.yaml)."""
        stamp = self.updated_at
        if stamp is not None and stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return {"status": self.status, "completion": self.completion, "completed": self.completed,
                "success": self.success, "score": self.score, "attempts": self.attempts,
                "updated_at": stamp.isoformat() if stamp else None, "kind": self.kind}


def find_learner(consumer: Consumer, anonymous_user_id: str) -> ConsumerLearner | None:
    """The consumer's learner with this anonymous id."""
    return db.session.scalar(select(ConsumerLearner).where(
        ConsumerLearner.consumer_id == consumer.id, ConsumerLearner.anonymous_user_id == nfc(anonymous_user_id)))


def get_module_or_refuse(code: str) -> Module:
    """The active module with ``code`` (404 with a Vietnamese message otherwise)."""
    module = db.session.scalar(select(Module).where(Module.code == (nfc(code) or "").strip().upper()))
    if module is None or not module.active:
        raise UserError(f"Không tìm thấy học phần {code}.", f"No module {code}.", status=404, code="module_unknown")
    return module


@dataclass(frozen=True)
class Target:
    """What a launch opens: the module's SCORM package (``quiz`` None) or one of its quizzes."""

    kind: str
    module: Module
    quiz: Any = None


def resolve_target(module: Module, kind: str | None) -> Target:
    """What ``kind`` means for ``module``: "module" → its SCORM package; "quiz" → its first active quiz
    (404 when it has none); "auto"/absent → the package when one is published, else the quiz when the
    module has one, else the package (whose launch then says it is not published). 400 for another kind."""
    kind = (kind or "auto").strip().lower()
    if kind not in signing.KINDS:
        raise UserError(f"Loại nội dung không hợp lệ: {kind} (auto, module hoặc quiz).",
                        f"Unknown kind: {kind} (auto, module or quiz).", status=400, code="kind_invalid")
    if kind == "module":
        return Target("module", module)
    from lms.assessments.services import quizzes_of_module  # noqa: PLC0415 - assessments own quizzes

    quizzes = quizzes_of_module(module.id)
    if kind == "quiz" and not quizzes:
        raise UserError(f"Học phần {module.code} chưa có bài kiểm tra đang mở.",
                        f"The module {module.code} has no active quiz.", status=404, code="quiz_unknown")
    if kind == "quiz" or (module.published_version_id is None and quizzes):
        return Target("quiz", module, quizzes[0])
    return Target("module", module)


def quiz_outcome(learner: ConsumerLearner | None, target: Target) -> Outcome:
    """The learner's standing on the target's quiz: completed once an attempt is submitted; score 0–1 by
    the module's grading rule (highest, average, first, last) over the submitted attempts; success
    "passed" when any submitted attempt passed, else the last submitted attempt's verdict. An attempt in
    progress counts toward ``attempts`` only."""
    if learner is None:
        return Outcome(status="unknown", kind="quiz")
    if learner.status != LinkStatus.linked.value or learner.cadre_id is None:
        return Outcome(status=learner.status, kind="quiz")
    from lms.assessments.models import AttemptStatus  # noqa: PLC0415
    from lms.assessments.services import attempts_of  # noqa: PLC0415
    from lms.player import rules  # noqa: PLC0415 - the module grading rule

    attempts = attempts_of(target.quiz, learner.cadre_id)
    if not attempts:
        return Outcome(status="linked", kind="quiz")
    submitted = [a for a in attempts if a.status == AttemptStatus.submitted.value]
    stamps = [a.submitted_at or a.started_at for a in attempts]
    if not submitted:
        return Outcome(status="linked", kind="quiz", attempts=len(attempts), updated_at=max(stamps))
    grade = rules.grade([a.score for a in submitted], target.module.grading)
    success = "passed" if any(a.passed for a in submitted) else ("failed" if submitted[-1].passed is False
                                                                  else "unknown")
    return Outcome(status="linked", completion=1.0, completed=True, success=success,
                   score=None if grade is None else float(Decimal(grade) / 100),
                   updated_at=max(stamps), attempts=len(attempts), kind="quiz")


def outcome(learner: ConsumerLearner | None, module: Module) -> Outcome:
    """The learner's standing on ``module`` across their attempts (grade by the module's grading rule)."""
    if learner is None:
        return Outcome(status="unknown")
    if learner.status != LinkStatus.linked.value or learner.cadre_id is None:
        return Outcome(status=learner.status)
    from lms.player import rules  # noqa: PLC0415 - the player owns attempts and grading
    from lms.player.models import Attempt, ScoState  # noqa: PLC0415

    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.cadre_id == learner.cadre_id, Attempt.module_id == module.id).order_by(Attempt.number)))
    if not attempts:
        return Outcome(status="linked")
    completed = any(a.rule_met for a in attempts)
    grade = rules.grade([a.score for a in attempts], module.grading)
    latest = attempts[-1]
    states = list(db.session.scalars(select(ScoState.completion).where(ScoState.attempt_id == latest.id)))
    done = sum(1 for s in states if s == "completed")
    completion = 1.0 if completed else (round(done / len(states), 4) if states else 0.0)
    success = "passed" if any(a.success == "passed" for a in attempts) else latest.success
    return Outcome(status="linked", completion=completion, completed=completed, success=success,
                   score=None if grade is None else float(Decimal(grade) / 100),
                   updated_at=max(a.updated_at for a in attempts), attempts=len(attempts))
