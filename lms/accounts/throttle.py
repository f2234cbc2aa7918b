"""Login throttling that slows a password guesser without letting a stranger lock an account out.

The client is ``request.remote_addr``: the socket address, or — with ``LMS_TRUSTED_PROXIES = n`` — the
address the n trusted reverse proxies put in ``X-Forwarded-For`` (Werkzeug's ``ProxyFix``, installed by
the app factory); a forged header from the client itself is never read when n is 0.

Four limits, each answering 429 with ``Retry-After`` (the login page says "try again later"):

1. **per client, requests** — ``LMS_LOGIN_RATE`` (default 120 per minute) POSTs to ``/login`` per
   address, counted with the ``limits`` library (moving window; Redis with ``LMS_REDIS_URL``, else memory:
   per process). Only the login asks: no hook runs on other requests (Flask-Limiter's global
   ``before_request`` cost the run-time commit ≈ 7 % of its CPU, issue 15);
2. **per client, failures** — ``LMS_LOGIN_MAX_FAILURES_PER_IP`` failures from one address in the window,
   whatever the logins;
3. **per (account, client)** — ``LMS_LOGIN_MAX_FAILURES`` failures for one login from one address in the
   window: the guesser's address is stopped for that login; the owner's own address is not;
4. **per account, progressive** — once a login has ``LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures in the
   window from all addresses together (a storm from many clients), a browser that has not logged in to
   that account before must wait 2, 4, 8 … (at most 300) seconds after the account's last failure. A
   browser holding the account's *device cookie* (signed, set at each successful login: OWASP's
   "device cookies") is exempt, so the real owner is never locked out of their own browser.

Failures are rows of ``login_attempts`` (shared by every worker); a success clears the login's failures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select

from lms.accounts.models import LoginAttempt
from lms.core.db import db, utcnow
from lms.core.errors import UserError

DEVICE_COOKIE = "lms_device"
_DEVICE_SALT = "lms.accounts.device"
#: logins remembered in one browser's device cookie
_DEVICE_LOGINS = 8
MAX_DELAY_SECONDS = 300


@dataclass(frozen=True)
class Verdict:
    """Whether a login attempt may go on; when not, how long to wait (seconds)."""

    allowed: bool
    retry_after: int = 0


ALLOWED = Verdict(True)


def _rate_limiter(app: Flask) -> MovingWindowRateLimiter:
    """The app's login-rate counter on ``RATELIMIT_STORAGE_URI`` (made on first use, one per app)."""
    found = app.extensions.get("lms_login_rate")
    if found is None:
        storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        found = app.extensions["lms_login_rate"] = MovingWindowRateLimiter(storage)
    return found


def reset_login_rate(app: Flask) -> None:
    """Forget every client's login-rate count (tests)."""
    _rate_limiter(app).storage.reset()


def _rate_allows(client: str) -> bool:
    """Count one login request of ``client``; False when it is over ``LMS_LOGIN_RATE``."""
    cfg = current_app.config
    limiter = _rate_limiter(current_app)
    return limiter.hit(parse(cfg["LMS_LOGIN_RATE"]), cfg.get("RATELIMIT_KEY_PREFIX") or "lms", "login", client)


def rate_limited(rate: str, scope: str) -> Callable:
    """Decorator: at most ``rate`` (``"5 per minute"``) POSTs per client address to the view, counted like
    the login rate (same storage); beyond it a 429 with a Vietnamese message. GETs are not counted."""
    item = parse(rate)

    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(*args, **kwargs):
            prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "lms"
            if request.method == "POST" and not _rate_limiter(current_app).hit(item, prefix, scope,
                                                                                client_address()):
                raise UserError("Quá nhiều yêu cầu từ máy của bạn. Hãy thử lại sau ít phút.",
                                "Too many requests from your device. Try again in a few minutes.", 429,
                                "rate_limited")
            return view(*args, **kwargs)
        return inner
    return wrap


def client_address() -> str:
    """The client's address (after ``ProxyFix`` when proxies are trusted)."""
    return (request.remote_addr or "?")[:64]


def _since(seconds: int):
    moment = utcnow() - timedelta(seconds=seconds)
    return moment.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else moment


def _failures(*conditions) -> tuple[int, object]:
    window = current_app.config["LMS_LOGIN_WINDOW_SECONDS"]
    return db.session.execute(select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.at >= _since(window), ~LoginAttempt.success, *conditions)).one()


def check(login: str) -> Verdict:
    """May ``login`` be tried now from this client? Counts one request against the client's rate."""
    cfg = current_app.config
    window = cfg["LMS_LOGIN_WINDOW_SECONDS"]
    client = client_address()
    if not _rate_allows(client):
        return Verdict(False, 60)
    if _failures(LoginAttempt.ip == client)[0] >= cfg["LMS_LOGIN_MAX_FAILURES_PER_IP"]:
        return Verdict(False, window)
    if _failures(LoginAttempt.ip == client, LoginAttempt.login == login)[0] >= cfg["LMS_LOGIN_MAX_FAILURES"]:
        return Verdict(False, window)
    return _account_delay(login)


def _account_delay(login: str) -> Verdict:
    """Limit 4: the progressive delay of a stormed account for browsers without its device cookie."""
    count, last = _failures(LoginAttempt.login == login)
    excess = count - current_app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    if excess < 0 or last is None or login in device_logins():
        return ALLOWED
    delay = min(2 ** (excess + 1), MAX_DELAY_SECONDS)
    last = last.replace(tzinfo=None)
    waited = (utcnow().replace(tzinfo=None) - last).total_seconds()
    return ALLOWED if waited >= delay else Verdict(False, int(delay - waited) + 1)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_DEVICE_SALT)


def device_logins() -> list[str]:
    """The logins this browser has logged in to (its signed device cookie), newest last."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        logins = _serializer().loads(value)
    except BadSignature:
        return []
    return [str(x) for x in logins] if isinstance(logins, list) else []


def remember_device(response: Response, login: str) -> Response:
    """Set the device cookie (a year, HttpOnly) with ``login`` added, after a successful login."""
    logins = [x for x in device_logins() if x != login][-(_DEVICE_LOGINS - 1):] + [login]
    cfg = current_app.config
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps(logins), max_age=365 * 24 * 3600, httponly=True,
                        secure=cfg.get("SESSION_COOKIE_SECURE", False), samesite="Lax")
    return response
