"""The checks a JSON endpoint makes, shared by Flask's request path and the lean WSGI path (lms.core.lean).

Each function takes plain values — the session's data, the request's headers, the app's settings — never
Flask's ``request``, so both paths run the same code: the session's claim (:func:`claim_of`), the CSRF
header token (:func:`csrf_header`, :func:`verify_csrf`) and whether the JSON answer gets HSTS
(:func:`https_request`, Talisman's rule). The JSON security headers themselves are computed once by
:mod:`lms.core.headers` (``json_header_list``).
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer

_SIZE = 20_000


class Lru:
    """A small thread-safe LRU of verified values (signature checks done once per value)."""

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


def claim_of(session: Mapping[str, Any]) -> tuple[int, int] | None:
    """The ``(user id, session version)`` a session's ``_user_id`` (``"<id>:<version>"``) claims, else None."""
    user_id, _, version = str(session.get("_user_id") or "").partition(":")
    if user_id.isdigit() and version.isdigit():
        return int(user_id), int(version)
    return None


def csrf_header(headers: Mapping[str, str]) -> str | None:
    """The CSRF token a JSON request sends (``X-CSRFToken``, or ``X-CSRF-Token``)."""
    return headers.get("X-CSRFToken") or headers.get("X-CSRF-Token")


_CSRF_VERIFIED = Lru()


def verify_csrf(config: Mapping[str, Any], secret_key: Any, token: str | None, expected: Any) -> None:
    """Flask-WTF's ``validate_csrf`` rules for a header token: ``token`` must be signed by this app
    (``WTF_CSRF_SECRET_KEY`` or the secret key, ``WTF_CSRF_TIME_LIMIT``) and hold ``expected``, the session's
    token; the signature is checked once per token value when there is no time limit. Raises
    :class:`CSRFError` (400)."""
    if not token or not expected:
        raise CSRFError("The CSRF token is missing.")
    secret = config.get("WTF_CSRF_SECRET_KEY") or secret_key
    limit = config.get("WTF_CSRF_TIME_LIMIT")
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


def https_request(is_secure: bool, headers: Mapping[str, str]) -> bool:
    """Talisman's rule for sending HSTS: the request came over HTTPS, or a proxy says it did."""
    return is_secure or headers.get("X-Forwarded-Proto", "http") == "https"
