"""Sessions verified once per cookie value, and the CSRF header check of JSON endpoints."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import session
from flask_wtf.csrf import CSRFError, generate_csrf
from itsdangerous import URLSafeTimedSerializer

from lms.core.sessions import CachingSessionInterface, check_csrf_header


def _cookie(app, data: dict) -> str:
    with app.test_request_context("/"):
        for key, value in data.items():
            session[key] = value
        return app.session_interface.get_signing_serializer(app).dumps(dict(session))


def _open(app, cookie: str | None):
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def test_the_app_uses_the_caching_interface(app):
    assert isinstance(app.session_interface, CachingSessionInterface)


def test_a_cookie_is_read_the_same_way_twice_and_sessions_do_not_share_state(app):
    cookie = _cookie(app, {"_user_id": "7:2", "launch": {"module": "LCD2024"}})
    first = _open(app, cookie)
    assert first["_user_id"] == "7:2" and first["launch"] == {"module": "LCD2024"}
    first["launch"]["module"] = "changed"  # a request mutating its session …
    second = _open(app, cookie)  # … from the cache this time
    assert second["launch"] == {"module": "LCD2024"} and second is not first


def test_a_tampered_or_foreign_cookie_gives_an_empty_session(app):
    cookie = _cookie(app, {"_user_id": "7:2"})
    assert dict(_open(app, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))) == {}
    forged = URLSafeTimedSerializer("another key", salt="cookie-session",
                                    signer_kwargs={"key_derivation": "hmac", "digest_method": __import__(
                                        "hashlib").sha1}).dumps({"_user_id": "1:1"})
    assert dict(_open(app, forged)) == {}
    assert dict(_open(app, None)) == {}


def test_an_expired_cookie_is_refused_even_from_the_cache(app):
    cookie = _cookie(app, {"_user_id": "7:2"})
    assert _open(app, cookie)["_user_id"] == "7:2"  # cached now
    lifetime = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=-1)
    try:
        assert dict(_open(app, cookie)) == {}
    finally:
        app.permanent_session_lifetime = lifetime


def _check(app, token: str | None, session_token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    with app.test_request_context("/", method="POST", headers=headers):
        if session_token:
            session["csrf_token"] = session_token
        check_csrf_header()


def test_the_csrf_header_check(app):
    with app.test_request_context("/"):
        token = generate_csrf()
        raw = session["csrf_token"]
    for _ in range(2):  # the second time from the cache
        _check(app, token, raw)
    with pytest.raises(CSRFError):
        _check(app, None, raw)  # no header
    with pytest.raises(CSRFError):
        _check(app, token, None)  # no token in the session
    with pytest.raises(CSRFError):
        _check(app, token, "f" * 40)  # another session's token
    forged = URLSafeTimedSerializer("another key", salt="wtf-csrf-token").dumps(raw)
    with pytest.raises(CSRFError):
        _check(app, forged, raw)
