"""Login, logout, throttling, language switch."""

import pytest

from lms.accounts.models import LoginAttempt, User
from lms.accounts.services import hash_password, verify_password
from lms.core.db import db
from tests.conftest import csrf_token_from


def test_password_hash_is_argon2id():
    hashed = hash_password("mot-mat-khau")
    assert hashed.startswith("$argon2id$")


def test_login_and_logout(client, auth, tree):
    response = auth.login("ql.hanoi")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "LĐLĐ thành phố Hà Nội" in home.get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive(client, auth, tree):
    assert auth.login("QL.HaNoi").status_code == 302


@pytest.mark.parametrize("login,password", [("ql.hanoi", "sai-mat-khau"), ("khong.ton.tai", "matkhau-123")])
def test_wrong_password_and_unknown_user_get_the_same_generic_message(client, auth, tree, login, password):
    response = auth.login(login, password)
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in body
    assert "không tồn tại" not in body


def test_failed_attempts_are_stored_and_throttled(app, client, auth, tree):
    limit = app.config["LMS_LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert auth.login("ql.hanoi", "sai-mat-khau").status_code == 401
    assert db.session.query(LoginAttempt).filter_by(login="ql.hanoi", success=False).count() == limit
    blocked = auth.login("ql.hanoi")  # even the right password is refused while throttled
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    assert auth.login("ql.caobang").status_code == 302  # another login is not affected


def test_successful_login_clears_failures(app, client, auth, tree):
    auth.login("ql.hanoi", "sai")
    assert auth.login("ql.hanoi").status_code == 302
    assert db.session.query(LoginAttempt).filter_by(login="ql.hanoi", success=False).count() == 0


def test_inactive_user_cannot_log_in(client, auth, tree):
    tree["hn_manager"].active = False
    db.session.commit()
    assert auth.login("ql.hanoi").status_code == 401


def test_login_form_requires_csrf(client, tree):
    response = client.post("/login", data={"login": "ql.hanoi", "password": "matkhau-123"})
    assert response.status_code == 400


def test_open_redirect_after_login_refused(client, tree):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x",
                           data={"login": "ql.hanoi", "password": "matkhau-123", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_language_switch_saved_on_user(client, auth, tree):
    auth.login("ql.hanoi")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/language/en", data={"csrf_token": token, "next": "/"})
    assert db.session.get(User, tree["hn_manager"].id).locale == "en"
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page and "Đăng xuất" not in page
    token = csrf_token_from(page)
    client.post("/language/vi", data={"csrf_token": token, "next": "/"})
    assert "Đăng xuất" in client.get("/").get_data(as_text=True)


def test_language_switch_anonymous_uses_session(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language/en", data={"csrf_token": token, "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_password_change_logs_out_other_sessions(app, client, auth, tree):
    other = app.test_client()
    token = csrf_token_from(other.get("/login").get_data(as_text=True))
    other.post("/login", data={"login": "ql.hanoi", "password": "matkhau-123", "csrf_token": token})
    assert other.get("/").status_code == 200
    auth.login("ql.hanoi")
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    response = client.post("/account/password", data={"old": "matkhau-123", "new": "mat-khau-moi-1", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert other.get("/").status_code == 302  # the other one is logged out
    assert verify_password(db.session.get(User, tree["hn_manager"].id), "mat-khau-moi-1")
