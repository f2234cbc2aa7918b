"""Admin user management: list and search, create, edit, reset password; managers get 403; scoped admins
manage only their subtree."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from lms.core.roles import Role
from tests.conftest import csrf_token_from
from tests.factories import gen_user


def form_token(client, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def user(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def test_list_and_search(client, auth, tree):
    auth.login("admin")
    body = client.get("/admin/users").get_data(as_text=True)
    for login in ("admin", "ql.hanoi", "ql.caobang", "hv.nhung", "gv.hanoi"):
        assert f">{login}</a>" in body
    body = client.get("/admin/users?q=caobang").get_data(as_text=True)
    assert ">ql.caobang</a>" in body and ">ql.hanoi</a>" not in body


def test_create_manager_scoped_by_code_then_login(client, auth, tree):
    auth.login("admin")
    token = form_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "login": "QL.CaoBang2", "full_name": "Đàm Thị Hạnh", "roles": ["manager"],
        "scope_code": "CB", "active": "y", "password": "mat-khau-moi-1"})
    assert response.status_code == 302
    created = user("ql.caobang2")
    assert (created.roles, created.scope_org_unit_id, created.full_name) == ({Role.manager}, tree["cb"].id,
                                                                              "Đàm Thị Hạnh")
    auth.logout()
    assert auth.login("ql.caobang2", "mat-khau-moi-1").status_code == 302


def test_create_learner_linked_to_cadre_and_refuse_a_taken_cadre(client, auth, tree):
    auth.login("admin")
    token = form_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "login": "hv.dung", "roles": ["learner"], "cadre_code": "CB0001",
        "active": "y", "password": "mat-khau-moi-1"})
    assert response.status_code == 302 and user("hv.dung").cadre_id == tree["cb_cadre"].id
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "login": "hv.nhung2", "roles": ["learner"], "cadre_code": "HN0001",
        "active": "y", "password": "mat-khau-moi-1"})
    assert response.status_code == 400
    assert "Cán bộ “HN0001” đã gắn với tài khoản “hv.nhung”." in response.get_data(as_text=True)
    assert user("hv.nhung2") is None


def test_create_refuses_bad_input(client, auth, tree):
    auth.login("admin")
    token = form_token(client, "/admin/users/new")
    cases = [
        ({"login": "x1", "roles": ["manager"], "scope_code": "KHONGCO", "password": "mat-khau-moi-1"},
         "Không tìm thấy đơn vị “KHONGCO” trong phạm vi của bạn."),
        ({"login": "x2", "roles": ["manager"], "password": "mat-khau-moi-1"},
         "Cán bộ quản lý và giảng viên cần mã đơn vị phạm vi."),
        ({"login": "x3", "roles": ["learner"], "password": "mat-khau-moi-1"},
         "Học viên cần được gắn với một cán bộ (mã cán bộ)."),
        ({"login": "x4", "roles": ["admin"], "password": "ngan"}, "Mật khẩu phải có ít nhất 8 ký tự."),
        ({"login": "admin", "roles": ["admin"], "password": "mat-khau-moi-1"}, "Tên đăng nhập &#39;admin&#39; đã tồn tại."),
        ({"login": "x5", "password": "mat-khau-moi-1"}, "Hãy chọn ít nhất một vai trò."),
    ]
    for data, message in cases:
        response = client.post("/admin/users/new", data={"csrf_token": token, **data})
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(select(User).where(User.login.in_(["x1", "x2", "x3", "x4", "x5"]))) is None


def test_edit_roles_deactivate_and_reset_password(client, auth, tree):
    target = tree["gv.hanoi" if False else "lecturer"]
    old_version = target.session_version
    auth.login("admin")
    path = f"/admin/users/{target.id}"
    body = client.get(path).get_data(as_text=True)
    assert 'value="HN"' in body and 'id="role-lecturer" value="lecturer" checked' in body
    response = client.post(path, data={"csrf_token": csrf_token_from(body), "full_name": "Giảng viên mới",
                                       "roles": ["lecturer", "manager"], "scope_code": "HN-KCN",
                                       "password": "mat-khau-doi-1"})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.roles == {Role.lecturer, Role.manager} and target.scope_org_unit_id == tree["hn_up"].id
    assert target.active is False and target.session_version > old_version  # unchecked "active" locks
    auth.logout()
    assert auth.login("gv.hanoi", "mat-khau-doi-1").status_code == 401  # locked


def test_admin_cannot_lock_themself_out(client, auth, tree):
    auth.login("admin")
    path = f"/admin/users/{tree['admin'].id}"
    response = client.post(path, data={"csrf_token": form_token(client, path), "roles": ["manager"],
                                       "scope_code": "HN", "active": "y"})
    assert response.status_code == 400
    assert "Bạn không thể tự bỏ quyền quản trị" in response.get_data(as_text=True)
    assert user("admin").roles == {Role.admin}


def test_post_without_csrf_is_refused(client, auth, tree):
    auth.login("admin")
    response = client.post("/admin/users/new", data={"login": "x9", "roles": ["admin"], "password": "mat-khau-moi-1"})
    assert response.status_code == 400 and user("x9") is None


def test_managers_lecturers_and_learners_get_403(client, auth, tree):
    for login in ("ql.hanoi", "gv.hanoi", "hv.nhung"):
        auth.login(login)
        for path in ("/admin/users", "/admin/users/new", f"/admin/users/{tree['admin'].id}"):
            assert client.get(path).status_code == 403, (login, path)
        auth.logout()


def test_scoped_admin_manages_only_their_subtree(client, auth, tree):
    gen_user("admin.hn", (Role.admin,), scope=tree["hn"])
    db.session.commit()
    auth.login("admin.hn")
    body = client.get("/admin/users").get_data(as_text=True)
    assert ">ql.hanoi</a>" in body and ">hv.nhung</a>" in body
    assert ">ql.caobang</a>" not in body and ">admin</a>" not in body
    assert client.get(f"/admin/users/{tree['cb_manager'].id}").status_code == 404
    token = form_token(client, "/admin/users/new")
    response = client.post("/admin/users/new", data={"csrf_token": token, "login": "sieu.admin", "roles": ["admin"],
                                                     "password": "mat-khau-moi-1", "active": "y"})
    assert response.status_code == 400 and user("sieu.admin") is None  # no unscoped admin from a scoped one
    response = client.post("/admin/users/new", data={"csrf_token": token, "login": "ql.cb3", "roles": ["manager"],
                                                     "scope_code": "CB", "password": "mat-khau-moi-1"})
    assert response.status_code == 400 and "Không tìm thấy đơn vị “CB” trong phạm vi của bạn." in (
        response.get_data(as_text=True))
