"""Sessions end on the server: logout, "log out everywhere" and a password change revoke every session
cookie and remember-me cookie of the account, copies included (issue 16).

On main the logout view emptied the session after Flask-Login had asked for the remember-me cookie to be
deleted, so the cookie stayed in the browser and logged the user straight back in; and a session cookie
copied before logout stayed valid for its whole 8-hour lifetime.
"""

from __future__ import annotations

from lms.accounts.models import User
from lms.core.db import db
from tests.conftest import csrf_token_from


def _login(client, login: str = "ql.hanoi", **extra):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"login": login, "password": "matkhau-123", "csrf_token": token, **extra})


def _cookie(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def _client_with(app, **cookies):
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _post(client, path: str, page: str = "/account/password"):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def test_a_copied_session_cookie_is_refused_after_logout(app, client, tree):
    _login(client)
    stolen = _cookie(client, "session")
    thief = _client_with(app, session=stolen)
    assert thief.get("/").status_code == 200
    _post(client, "/logout", "/")
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302  # the copy died with the logout


def test_logout_deletes_the_remember_me_cookie_and_the_server_refuses_an_old_copy(app, client, tree):
    _login(client, remember="y")
    remembered = _cookie(client, "remember_token")
    assert remembered
    assert _client_with(app, remember_token=remembered).get("/").status_code == 200  # it does log in
    response = _post(client, "/logout", "/")
    deleted = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert deleted and ("Max-Age=0" in deleted[0] or "1970" in deleted[0])
    assert _cookie(client, "remember_token") is None
    assert client.get("/").status_code == 302
    assert _client_with(app, remember_token=remembered).get("/").status_code == 302  # refused server-side


def test_log_out_everywhere_ends_every_session_and_remember_me(app, client, tree):
    phone = app.test_client()
    _login(phone, remember="y")
    phone_remember = _cookie(phone, "remember_token")
    _login(client)
    page = client.get("/account/password").get_data(as_text=True)
    assert "Đăng xuất mọi nơi" in page
    response = _post(client, "/account/logout-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert _client_with(app, remember_token=phone_remember).get("/").status_code == 302
    assert _login(client).status_code == 302 and client.get("/").status_code == 200  # a fresh login works


def test_log_out_everywhere_needs_csrf(client, tree):
    _login(client)
    version = db.session.get(User, tree["hn_manager"].id).session_version
    assert client.post("/account/logout-everywhere").status_code in (302, 400)
    assert db.session.get(User, tree["hn_manager"].id).session_version == version
    assert client.get("/").status_code == 200


def test_a_password_change_revokes_other_remember_me_cookies(app, client, tree):
    laptop = app.test_client()
    _login(laptop, remember="y")
    remembered = _cookie(laptop, "remember_token")
    _login(client)
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    client.post("/account/password", data={"old": "matkhau-123", "new": "mat-khau-moi-1", "csrf_token": token})
    assert client.get("/").status_code == 200
    assert _client_with(app, remember_token=remembered).get("/").status_code == 302
