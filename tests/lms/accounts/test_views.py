"""The recovery and admin pages: CSRF, 404/410 on forged or used links, the same answer for any address,
activation codes through the login throttle, the forced change, an admin's reset inside their subtree."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts import tokens
from lms.accounts.models import User
from lms.accounts.provision import ensure_accounts
from lms.core.db import db
from tests.conftest import csrf_token_from
from tests.factories import gen_cadre
from tests.lms.accounts.helpers import clear_outbox, link_in, outbox

NEW = "mat-khau-moi-9"


@pytest.fixture
def learner(tree) -> User:
    cadre = gen_cadre(tree["hn_base"], "HN0002", "Lê Thị Lan", email="lan@example.vn")
    ensure_accounts([cadre])
    db.session.commit()
    return db.session.scalar(select(User).where(User.cadre_id == cadre.id))


def token_of(client, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def test_recovery_forms_refuse_a_post_without_csrf(client, learner):
    for path in ("/password/forgot", "/activate"):
        assert client.post(path, data={"email": "lan@example.vn", "login": "hn0002"}).status_code == 400
    secret = tokens.issue(learner, tokens.INVITE)
    db.session.commit()
    assert client.post(f"/password/set/{secret}", data={"new": NEW, "confirm": NEW}).status_code == 400
    assert tokens.find_link(secret).used_at is None


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(client, learner):
    clear_outbox()
    pages = []
    for address in ("nobody@example.vn", "lan@example.vn"):
        response = client.post("/password/forgot", data={"email": address,
                                                          "csrf_token": token_of(client, "/password/forgot")})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        pages.append(body[body.index('id="forgot-sent"'):body.index("</main>")])
    assert pages[0] == pages[1]
    assert len(outbox()) == 1


def test_a_reset_link_sets_the_password_once_then_410(client, auth, learner):
    clear_outbox()
    client.post("/password/forgot", data={"email": "lan@example.vn", "csrf_token": token_of(client, "/password/forgot")})
    path = link_in(outbox()[0])
    page = client.get(path)
    assert page.status_code == 200 and "hn0002" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    mismatch = client.post(path, data={"new": NEW, "confirm": NEW + "x", "csrf_token": token})
    assert mismatch.status_code == 400
    done = client.post(path, data={"new": NEW, "confirm": NEW, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert client.get(path).status_code == 410
    assert client.get("/password/set/forged-token-value").status_code == 404
    assert auth.login("hn0002", NEW).status_code == 302


def test_activation_with_a_code(client, auth, learner):
    code = tokens.issue(learner, tokens.CODE)
    db.session.commit()
    wrong = client.post("/activate", data={"login": "hn0002", "code": "AAAAA-AAAAA", "new": NEW, "confirm": NEW,
                                           "csrf_token": token_of(client, "/activate")})
    assert wrong.status_code == 400
    unknown = client.post("/activate", data={"login": "nobody", "code": code, "new": NEW, "confirm": NEW,
                                             "csrf_token": token_of(client, "/activate")})
    assert unknown.status_code == 400
    text = "Tên đăng nhập hoặc mã kích hoạt không đúng"
    assert text in wrong.get_data(as_text=True) and text in unknown.get_data(as_text=True)
    ok = client.post("/activate", data={"login": "HN0002", "code": code.lower(), "new": NEW, "confirm": NEW,
                                        "csrf_token": token_of(client, "/activate")})
    assert ok.status_code == 302
    assert auth.login("hn0002", NEW).status_code == 302


def test_code_guessing_is_throttled(client, app, learner):
    tokens.issue(learner, tokens.CODE)
    db.session.commit()
    limit = app.config["LMS_LOGIN_MAX_FAILURES"]
    statuses = [client.post("/activate", data={"login": "hn0002", "code": "AAAAA-AAAAA", "new": NEW, "confirm": NEW,
                                               "csrf_token": token_of(client, "/activate")}).status_code
                for _ in range(limit + 1)]  # fewer than the 10 POSTs a minute of the page's own rate limit
    assert statuses[:limit] == [400] * limit and statuses[-1] == 429


def test_admin_reset_forces_a_new_password_on_every_page(client, auth, tree, learner):
    auth.login("admin")
    page = client.get(f"/admin/users/{learner.id}")
    assert 'id="reset-password"' in page.get_data(as_text=True)
    done = client.post(f"/admin/users/{learner.id}/reset-password", data={"csrf_token": csrf_token_from(
        page.get_data(as_text=True))})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    body = done.get_data(as_text=True)
    temporary = body.split('id="temporary-password">')[1].split("<")[0]
    auth.logout()
    assert auth.login("hn0002", temporary).status_code == 302
    for path in ("/", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    form = client.get("/account/password")
    assert 'id="must-change"' in form.get_data(as_text=True)
    same = client.post("/account/password", data={"old": temporary, "new": temporary,
                                                   "csrf_token": csrf_token_from(form.get_data(as_text=True))})
    assert same.status_code == 400
    changed = client.post("/account/password", data={"old": temporary, "new": NEW,
                                                      "csrf_token": csrf_token_from(form.get_data(as_text=True))})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert not db.session.get(User, learner.id).must_change_password


def test_a_scoped_admin_resets_only_inside_the_subtree(client, auth, tree, learner):
    from lms.accounts.services import create_user
    from lms.core.roles import Role

    create_user("qt.caobang", "matkhau-123", {Role.admin}, scope_org_unit_id=tree["cb"].id)
    db.session.commit()
    auth.login("qt.caobang")
    token = token_of(client, "/admin/users")
    version = learner.session_version
    assert client.post(f"/admin/users/{learner.id}/reset-password", data={"csrf_token": token}).status_code == 404
    assert db.session.get(User, learner.id).session_version == version
    inside = db.session.scalar(select(User).where(User.login == "ql.caobang"))
    assert client.post(f"/admin/users/{inside.id}/reset-password", data={"csrf_token": token}).status_code == 200
    assert client.post(f"/admin/users/{inside.id}/reset-password", data={}).status_code == 400


def test_invitations_and_the_code_sheet(client, auth, tree, learner):
    gen_cadre(tree["hn_base"], "HN0003", "Phạm Văn Bình")
    db.session.commit()
    clear_outbox()
    auth.login("admin")
    token = token_of(client, "/admin/users/invitations")
    outside = client.post("/admin/users/invitations", data={"unit_code": "NOPE", "csrf_token": token})
    assert outside.status_code == 400
    sent = client.post("/admin/users/invitations", data={"unit_code": "HN", "csrf_token": token})
    assert sent.status_code == 200 and 'id="invite-result"' in sent.get_data(as_text=True)
    assert [m["To"].addresses[0].addr_spec for m in outbox()] == ["lan@example.vn"]
    sheet = client.post("/admin/users/activation-codes", data={"unit_code": "HN", "format": "html", "csrf_token": token})
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    html = sheet.get_data(as_text=True)
    assert 'data-login="hn0003"' in html and 'data-login="hn0002"' not in html
    pdf = client.post("/admin/users/activation-codes", data={"cadre_codes": "HN0003", "format": "pdf",
                                                             "csrf_token": token})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # the PDF made a new code: the one on the HTML sheet no longer works
    user = db.session.scalar(select(User).where(User.login == "hn0003"))
    old = html.split('data-login="hn0003"')[1].split("data-code>")[1].split("<")[0]
    assert not tokens.redeem_code(user, old, NEW)


def test_forgot_password_posts_are_rate_limited_per_client(client, learner):
    """At most 5 reset requests a minute from one client (lms.accounts.throttle.rate_limited): the sixth is a
    429 with a Vietnamese message, and no mail is sent for it; reading the page is never counted."""
    statuses = [client.post("/password/forgot", data={"email": f"x{i}@example.vn",
                                                      "csrf_token": token_of(client, "/password/forgot")}).status_code
                for i in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = client.post("/password/forgot", data={"email": "y@example.vn",
                                                    "csrf_token": token_of(client, "/password/forgot")})
    assert refused.status_code == 429 and "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    assert client.get("/password/forgot").status_code == 200
