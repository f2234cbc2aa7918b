"""Flask's signed-cookie sessions, with the signature check done once per cookie value.

Every request of a learner carries the same session cookie until the session changes; Flask checks
its HMAC, base64-decodes and decompresses it each time — on the player's commit endpoint, the largest
share of the request after the database. :class:`CachingSessionInterface` remembers, per cookie value,
the verified payload and the time it was signed; each request gets its own copy (a flat session is
copied, a nested one decoded afresh from its JSON text), and the age limit is checked every time. A cookie that fails verification is never
cached. The same is done for the CSRF header token of JSON endpoints (:func:`check_csrf_header`).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from lms.core.request_checks import Lru, csrf_header, verify_csrf

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CachingSessionInterface(SecureCookieSessionInterface):
    """:class:`SecureCookieSessionInterface` that verifies each cookie value once (see the module)."""

    def __init__(self) -> None:
        self._verified = Lru()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        return self.session_from_cookie(app, request.cookies.get(self.get_cookie_name(app)))

    def session_from_cookie(self, app: Flask, value: str | None) -> SecureCookieSession | None:
        """The session a cookie value holds (empty when missing, expired or forged); None without a secret
        key (Flask's null session). Shared by Flask's request path and the lean path (lms.core.lean)."""
        if not app.secret_key:
            return None
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


def check_csrf_header() -> None:
    """Flask-WTF's CSRF check for a JSON endpoint exempted from ``CSRFProtect``: the ``X-CSRFToken``
    header must be a token signed by this app for this session (``validate_csrf``'s rules, with
    ``WTF_CSRF_TIME_LIMIT``), the signature checked once per token value
    (:func:`lms.core.request_checks.verify_csrf`). Raises :class:`CSRFError` (400)."""
    config = current_app.config
    verify_csrf(config, current_app.secret_key, csrf_header(request.headers),
                session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
