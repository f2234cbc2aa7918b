"""Flask's signed-cookie sessions, with the signature check done once per cookie value.

Every request of a learner carries the same session cookie until the session changes; Flask checks
its HMAC, base64-decodes and decompresses it each time — on the player's commit endpoint, the largest
share of the request after the database. :class:`CachingSessionInterface` remembers, per cookie value,
the verified payload and the time it was signed; each request gets its own copy (a flat session is
copied, a nested one decoded afresh from its JSON text), and the age limit is checked every time. A cookie that fails verification is never
cached. The same is done for the CSRF header token of JSON endpoints (:func:`check_csrf_header`).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer

_SIZE = 20_000
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Lru:
    def __init__(self, size: int = _SIZE):
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class CachingSessionInterface(SecureCookieSessionInterface):
    """:class:`SecureCookieSessionInterface` that verifies each cookie value once (see the module)."""

    def __init__(self) -> None:
        self._verified = _Lru()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = f"{app.secret_key}\x00{value}"
        hit = self._verified.get(key)
        if hit is not None:
            data, text, signed_at = hit
            if time.time() - signed_at > max_age:
                return self.session_class()
            # flat sessions (strings, numbers, flags) are copied; nested ones decoded afresh from JSON
            return self.session_class(dict(data) if text is None else self.serializer.loads(text))
        signer = self.get_signing_serializer(app)
        if signer is None:
            return None
        try:
            data, signed_at = signer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        flat = all(isinstance(v, str | int | float | bool | None) for v in data.values())
        self._verified.put(key, (dict(data) if flat else None, None if flat else self.serializer.dumps(data),
                                 signed_at.timestamp()))
        return self.session_class(data)


    def save_session(self, app: Flask, session: SecureCookieSession, response: Any) -> None:
        """Write the cookie as Flask does, except on a cross-site POST (or other unsafe method): the browser
        withheld the session cookie (``SameSite=Lax``), so whatever this request's session holds is not the
        user's, and a cookie written now would replace — log out — the real one. A hostile package's popup
        posting to the LMS therefore cannot end its viewer's session (docs/security.md)."""
        if request.method not in _SAFE_METHODS and request.headers.get("Sec-Fetch-Site") == "cross-site":
            return
        super().save_session(app, session, response)


_CSRF_VERIFIED = _Lru()


def check_csrf_header() -> None:
    """Flask-WTF's CSRF check for a JSON endpoint exempted from ``CSRFProtect``: the ``X-CSRFToken``
    header must be a token signed by this app for this session (``validate_csrf``'s rules, with
    ``WTF_CSRF_TIME_LIMIT``), the signature checked once per token value. Raises :class:`CSRFError` (400)."""
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    expected = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not token or not expected:
        raise CSRFError("The CSRF token is missing.")
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    key = f"{secret}\x00{token}"
    raw = _CSRF_VERIFIED.get(key) if limit is None else None
    if raw is None:
        try:
            raw = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(token, max_age=limit)
        except BadSignature:
            raise CSRFError("The CSRF token is invalid.") from None
        if limit is None:
            _CSRF_VERIFIED.put(key, raw)
    if not isinstance(raw, str) or not hmac.compare_digest(expected, raw):
        raise CSRFError("The CSRF tokens do not match.")
