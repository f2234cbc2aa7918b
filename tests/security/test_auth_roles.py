"""Role grants: nobody grants a role wider than their own nor outside their own subtree (issue 16).

Each test failed on main before the fix: a province admin created a whole-tree admin by giving the new
account a cadre of their province and no scope unit, edited the national admin's password when that
admin had a cadre in the province, and registered XBlock consumers.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.scope import sees_everything
from lms.api.models import Consumer
from lms.core.db import db
from lms.core.roles import Role
from tests.conftest import csrf_token_from
from tests.factories import gen_cadre, gen_user


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == login))


def _province_admin(tree) -> User:
    admin = gen_user("admin.hn", (Role.admin,), scope=tree["hn"])
    db.session.commit()
    return admin


def _post_user(client, path: str, **data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "password": "mat-khau-moi-1", "active": "y", **data})


def test_province_admin_cannot_create_a_whole_tree_admin_through_a_cadre(client, auth, tree):
    gen_cadre(tree["hn_base"], "HN0007", "Đỗ Văn Bảy")
    _province_admin(tree)
    auth.login("admin.hn")
    response = _post_user(client, "/admin/users/new", login="sieu.admin", roles=["admin"], cadre_code="HN0007")
    assert response.status_code == 403
    assert "không thể tạo quản trị toàn hệ thống" in response.get_data(as_text=True)
    assert _user("sieu.admin") is None


def test_province_admin_may_create_an_admin_inside_their_province(client, auth, tree):
    _province_admin(tree)
    auth.login("admin.hn")
    response = _post_user(client, "/admin/users/new", login="admin.kcn", roles=["admin"], scope_code="HN-KCN")
    assert response.status_code == 302
    created = _user("admin.kcn")
    assert created.scope_org_unit_id == tree["hn_up"].id and not sees_everything(created)


def test_province_admin_cannot_turn_a_user_into_a_whole_tree_admin(client, auth, tree):
    _province_admin(tree)
    auth.login("admin.hn")
    learner = tree["hn_learner"]
    response = _post_user(client, f"/admin/users/{learner.id}", login=learner.login, roles=["admin", "learner"],
                          cadre_code="HN0001")
    assert response.status_code == 403
    assert _user("hv.nhung").roles == {Role.learner}


def test_province_admin_cannot_see_or_edit_the_national_admin_even_with_a_cadre_in_the_province(
        client, auth, tree):
    national = tree["admin"]
    national.cadre_id = gen_cadre(tree["hn_base"], "HN0008", "Vũ Thị Tám").id
    db.session.commit()
    _province_admin(tree)
    auth.login("admin.hn")
    assert ">admin</a>" not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{national.id}").status_code == 404
    response = client.post(f"/admin/users/{national.id}", data={
        "csrf_token": csrf_token_from(client.get("/admin/users/new").get_data(as_text=True)),
        "login": "admin", "roles": ["admin"], "password": "da-chiem-quyen-1", "active": "y"})
    assert response.status_code == 404
    assert auth.logout() and auth.login("admin").status_code == 302  # the password did not change


def test_province_admin_cannot_edit_a_user_scoped_outside_the_province(client, auth, tree):
    """A manager scoped to Cao Bằng whose cadre sits in Hà Nội is not wholly inside Hà Nội."""
    cadre = gen_cadre(tree["hn_base"], "HN0042", "Phạm Văn Lạc")
    outsider = gen_user("ql.cb.lac", (Role.manager,), scope=tree["cb"], cadre=cadre)
    db.session.commit()
    _province_admin(tree)
    auth.login("admin.hn")
    assert client.get(f"/admin/users/{outsider.id}").status_code == 404
    assert ">ql.cb.lac</a>" not in client.get("/admin/users?q=lac").get_data(as_text=True)


def test_only_the_national_admin_creates_or_changes_xblock_consumers(client, auth, tree):
    _province_admin(tree)
    auth.login("admin.hn")
    page = client.get("/admin/consumers/")
    assert page.status_code == 200 and 'name="key"' not in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/admin/users/new").get_data(as_text=True))
    response = client.post("/admin/consumers/", data={"csrf_token": token, "key": "edx-rogue", "name": "Rogue"})
    assert response.status_code == 403
    assert db.session.scalar(select(Consumer).where(Consumer.key == "edx-rogue")) is None
    auth.logout()
    auth.login("admin")
    token = csrf_token_from(client.get("/admin/consumers/").get_data(as_text=True))
    response = client.post("/admin/consumers/", data={"csrf_token": token, "key": "edx-hn", "name": "Open edX HN"})
    assert response.status_code == 201
    consumer = db.session.scalar(select(Consumer).where(Consumer.key == "edx-hn"))
    auth.logout()
    auth.login("admin.hn")
    token = csrf_token_from(client.get("/admin/users/new").get_data(as_text=True))
    for action in ("rotate", "active", "origins"):
        response = client.post(f"/admin/consumers/{consumer.id}/{action}", data={"csrf_token": token,
                                                                                 "origins": "https://evil.example"})
        assert response.status_code == 403, action
