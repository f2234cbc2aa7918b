"""Login throttling behind a proxy: per (account, client) failures, a per-client rate, a progressive
per-account delay that spares the owner's own browser, and ``X-Forwarded-For`` read only from trusted
proxies (issue 16).

On main the throttle counted failures per login alone and keyed clients on the socket address, so five
wrong passwords from anyone locked the admin out for 15 minutes, and behind the documented reverse
proxy every user shared the proxy's bucket.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms import create_app
from lms.accounts.models import LoginAttempt
from lms.core.db import db, utcnow
from tests.conftest import IsolatedClient, csrf_token_from

ATTACKER, OWNER, OTHER = "203.0.113.66", "198.51.100.7", "192.0.2.10"


def _login(client, login: str = "admin", password: str = "matkhau-123", **environ):
    token = csrf_token_from(client.get("/login", **environ).get_data(as_text=True))
    return client.post("/login", data={"login": login, "password": password, "csrf_token": token}, **environ)


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _forwarded(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}, "environ_base": {"REMOTE_ADDR": "10.0.0.2"}}


@pytest.fixture
def proxied_app(app):
    """The same application built with ``LMS_TRUSTED_PROXIES=1`` (one reverse proxy at 10.0.0.2)."""
    other = create_app({key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "LMS_STORAGE_DIR", "LMS_MAIL_OUTBOX",
        "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")} | {"LMS_TRUSTED_PROXIES": 1})
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_five_wrong_passwords_from_one_address_do_not_lock_the_admin_out_from_another(app, client, tree):
    for _ in range(app.config["LMS_LOGIN_MAX_FAILURES"]):
        assert _login(client, password="doan-sai-1", **_from(ATTACKER)).status_code == 401
    blocked = _login(client, **_from(ATTACKER))
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    owner = app.test_client()
    assert _login(owner, **_from(OWNER)).status_code == 302
    assert owner.get("/").status_code == 200


def test_behind_the_proxy_each_forwarded_client_has_its_own_bucket(proxied_app, tree):
    attacker, owner = proxied_app.test_client(), proxied_app.test_client()
    for _ in range(5):
        assert _login(attacker, password="doan-sai-1", **_forwarded(ATTACKER)).status_code == 401
    assert _login(attacker, **_forwarded(ATTACKER)).status_code == 429
    with proxied_app.app_context():
        addresses = set(db.session.scalars(db.select(LoginAttempt.ip)))
    assert addresses == {ATTACKER}  # the client, not the proxy's 10.0.0.2
    assert _login(owner, **_forwarded(OWNER)).status_code == 302


def test_a_forged_forwarded_header_is_ignored_without_trusted_proxies(app, client, tree):
    assert app.config["LMS_TRUSTED_PROXIES"] == 0
    for n in range(5):  # a new forged address each time: still one bucket, the socket's
        forged = {"headers": {"X-Forwarded-For": f"198.18.0.{n}"}, **_from(ATTACKER)}
        assert _login(client, password="doan-sai-1", **forged).status_code == 401
    forged = {"headers": {"X-Forwarded-For": "198.18.0.99"}, **_from(ATTACKER)}
    assert _login(client, **forged).status_code == 429
    assert set(db.session.scalars(db.select(LoginAttempt.ip))) == {ATTACKER}


def test_a_storm_from_many_clients_slows_strangers_but_never_locks_the_owner_out_of_their_browser(
        app, client, tree):
    owner = app.test_client()
    assert _login(owner, **_from(OWNER)).status_code == 302  # the owner's browser gets the device cookie
    owner.post("/logout", data={"csrf_token": csrf_token_from(owner.get("/").get_data(as_text=True))})
    limit = app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(limit):  # wrong passwords from many addresses, each below its own pair limit
        assert _login(app.test_client(), password="doan-sai-1", **_from(f"203.0.113.{n}")).status_code == 401
    stranger = _login(app.test_client(), **_from(OTHER))  # even with the right password: wait first
    assert stranger.status_code == 429 and 0 < int(stranger.headers["Retry-After"]) <= 300
    assert _login(owner, **_from(OWNER)).status_code == 302  # the owner's own browser is not locked out
    assert owner.get("/").status_code == 200


def test_the_account_delay_grows_and_then_lets_a_stranger_try_again(app, client, tree):
    limit = app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    old = utcnow() - timedelta(seconds=10)
    stamp = old.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else old
    for n in range(limit + 1):
        db.session.add(LoginAttempt(login="admin", ip=f"203.0.113.{n}", success=False, at=stamp))
    db.session.commit()
    # limit + 1 failures: the delay is 4 s, and the last failure was 10 s ago — a stranger may try
    assert _login(client, **_from(OTHER)).status_code == 302


def test_the_per_client_request_rate_is_enforced(app, client, tree):
    previous = app.config["LMS_LOGIN_RATE"]
    app.config["LMS_LOGIN_RATE"] = "3 per minute"
    try:
        for _ in range(3):
            assert _login(client, login=f"khong-co-{_}", password="x", **_from(ATTACKER)).status_code == 401
        assert _login(client, login="khong-co-9", password="x", **_from(ATTACKER)).status_code == 429
        assert _login(app.test_client(), **_from(OWNER)).status_code == 302
    finally:
        app.config["LMS_LOGIN_RATE"] = previous
