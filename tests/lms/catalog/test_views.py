"""Lecturer pages: module list, create/edit, upload via the page (CSRF), report, publish, preview, access."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from lms.catalog import services
from lms.catalog.models import Module, PackageVersion
from lms.core.db import db
from lms.core.roles import Role
from tests.conftest import csrf_token_from
from tests.lms.catalog.helpers import broken_package, large_package, simple_package


@pytest.fixture
def lecturer(tree, auth):
    auth.login("gv.hanoi")
    return tree["lecturer"]


@pytest.fixture
def module(app, tree):
    module = services.create_module("LCD2024", "Luật Công đoàn 2024", topic="union_law", hours=4,
                                    created_by_id=tree["lecturer"].id)
    db.session.commit()
    return module


def _upload(client, code: str, path_or_stream, name="goi.zip", publish=False, token=None):
    token = token or csrf_token_from(client.get(f"/modules/{code}").get_data(as_text=True))
    stream = open(path_or_stream, "rb") if not hasattr(path_or_stream, "read") else path_or_stream  # noqa: SIM115
    data = {"csrf_token": token, "package": (stream, name)}
    if publish:
        data["publish"] = "y"
    try:
        return client.post(f"/modules/{code}/upload", data=data, content_type="multipart/form-data")
    finally:
        stream.close()


@pytest.mark.parametrize("login", ["hv.nhung", "ql.hanoi"])
def test_learners_and_managers_cannot_open_lecturer_pages(client, auth, tree, module, login):
    auth.login(login)
    for url in ("/modules/", "/modules/new", "/modules/LCD2024", "/modules/LCD2024/edit"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client, module):
    response = client.get("/modules/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_the_module_list(client, auth, tree, module):
    auth.login("admin")
    page = client.get("/modules/").get_data(as_text=True)
    assert "LCD2024" in page and "Luật Công đoàn 2024" in page


def test_nav_link_and_home_panel_for_lecturers(client, lecturer, module):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/modules/"' in home
    assert 'id="panel-catalog"' in home and "LCD2024" in home


def test_admin_lecturer_sees_the_panel_once(client, auth, tree, module):
    from lms.accounts.models import User

    user = db.session.get(User, tree["admin"].id)
    user.set_roles({Role.admin, Role.lecturer})
    db.session.commit()
    auth.login("admin")
    assert client.get("/").get_data(as_text=True).count('id="panel-catalog"') == 1


def test_create_module_through_the_form(client, lecturer):
    page = client.get("/modules/new")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/modules/new", data={
        "csrf_token": token, "code": "atvsld", "title_vi": "An toàn, vệ sinh lao động", "title_en": "OSH",
        "topic": "osh", "hours": "8", "attempts_allowed": "3", "new_attempt": "on_complete", "grading": "average",
        "sco_aggregation": "average", "rule_combinator": "any", "rule_passed": "y", "rule_score": "y",
        "rule_score_value": "70", "active": "y",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith("/modules/ATVSLD")
    module = db.session.scalar(select(Module).where(Module.code == "ATVSLD"))
    assert (module.topic, module.attempts_allowed, module.new_attempt, module.grading) == (
        "osh", 3, "on_complete", "average")
    assert module.completion_rule == {"any": [{"kind": "passed"}, {"kind": "score_at_least", "value": 70}]}
    assert module.created_by_id == lecturer.id


def test_create_without_csrf_is_refused(client, lecturer):
    response = client.post("/modules/new", data={"code": "X", "title_vi": "X", "topic": "osh", "hours": "1"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Module)) == 0


def test_create_needs_a_completion_condition_and_a_free_code(client, lecturer, module):
    token = csrf_token_from(client.get("/modules/new").get_data(as_text=True))
    base = {"csrf_token": token, "title_vi": "Thử", "topic": "other", "hours": "1", "attempts_allowed": "0",
            "new_attempt": "never", "grading": "highest", "sco_aggregation": "all_complete",
            "rule_combinator": "all"}
    none_chosen = client.post("/modules/new", data={**base, "code": "NEW1"})
    assert none_chosen.status_code == 422
    assert "Chọn ít nhất một điều kiện hoàn thành." in none_chosen.get_data(as_text=True)
    taken = client.post("/modules/new", data={**base, "code": "lcd2024", "rule_completed": "y"})
    assert taken.status_code == 409
    assert "Mã học phần LCD2024 đã tồn tại." in taken.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Module)) == 1


def test_edit_module(client, lecturer, module):
    page = client.get("/modules/LCD2024/edit").get_data(as_text=True)
    assert 'id="rule_completed" name="rule_completed" value="y" checked' in page
    token = csrf_token_from(page)
    response = client.post("/modules/LCD2024/edit", data={
        "csrf_token": token, "code": "IGNORED", "title_vi": "Luật Công đoàn (2025)", "topic": "union_law",
        "hours": "6", "attempts_allowed": "0", "new_attempt": "always", "grading": "last",
        "sco_aggregation": "sum", "rule_combinator": "all", "rule_completed": "y", "rule_quiz_passed": "y",
    })
    assert response.status_code == 302
    module = db.session.get(Module, module.id)
    assert (module.code, module.title_vi, module.grading, module.active) == (
        "LCD2024", "Luật Công đoàn (2025)", "last", False)
    assert module.completion_rule == {"all": [{"kind": "completed"}, {"kind": "quiz_passed"}]}


def test_upload_through_the_page_shows_the_report_then_publish(client, lecturer, module, tmp_path):
    response = _upload(client, "LCD2024", simple_package(tmp_path, root="course/"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/modules/LCD2024/versions/1")
    page = client.get("/modules/LCD2024/versions/1").get_data(as_text=True)
    assert 'data-code="package.manifest_in_subfolder"' in page
    assert "imsmanifest.xml nằm trong thư mục con" in page
    version = db.session.scalar(select(PackageVersion))
    assert version.uploaded_by_id == lecturer.id
    assert db.session.get(Module, module.id).published_version_id is None
    token = csrf_token_from(page)
    assert client.post("/modules/LCD2024/versions/1/publish", data={"csrf_token": token}).status_code == 302
    assert db.session.get(Module, module.id).published_version_id == version.id
    listing = client.get("/modules/LCD2024").get_data(as_text=True)
    assert 'data-version="1" class="table-success"' in listing
    assert "gv.hanoi" in listing or "Người dùng" in listing


def test_publish_needs_csrf(client, lecturer, module, tmp_path):
    services.import_package(module, simple_package(tmp_path), publish=False)
    db.session.commit()
    assert client.post("/modules/LCD2024/versions/1/publish").status_code == 400
    assert db.session.get(Module, module.id).published_version_id is None


def test_upload_with_publish_and_same_zip_twice(client, lecturer, module, tmp_path):
    zip_path = simple_package(tmp_path)
    assert _upload(client, "LCD2024", zip_path, publish=True).status_code == 302
    again = _upload(client, "LCD2024", zip_path, publish=True)
    assert again.status_code == 302
    assert "không tạo bản trùng" in client.get(again.headers["Location"]).get_data(as_text=True)
    versions = db.session.scalars(select(PackageVersion)).all()
    assert [v.number for v in versions] == [1]
    assert db.session.get(Module, module.id).published_version_id == versions[0].id


def test_invalid_upload_is_refused_with_the_report(client, lecturer, module, tmp_path):
    response = _upload(client, "LCD2024", broken_package(tmp_path))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="upload-refused"' in page and "Gói SCORM không hợp lệ, chưa lưu gì." in page
    assert 'data-code="package.path_traversal"' in page
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 0


def test_invalid_upload_as_json(client, lecturer, module, tmp_path):
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    with open(broken_package(tmp_path), "rb") as fh:
        response = client.post("/modules/LCD2024/upload", data={"csrf_token": token, "package": (fh, "b.zip")},
                               headers={"Accept": "application/json"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "package_invalid"
    assert "package.path_traversal" in {d["code"] for d in error["details"]}


def test_upload_without_a_file_or_csrf(client, lecturer, module):
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    assert client.post("/modules/LCD2024/upload", data={"csrf_token": token}).status_code == 422
    no_csrf = client.post("/modules/LCD2024/upload", data={"package": (io.BytesIO(b"PK"), "a.zip")})
    assert no_csrf.status_code == 400


def test_upload_over_the_size_limit_gets_413_in_vietnamese(app, client, lecturer, module):
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/modules/LCD2024/upload",
                               data={"csrf_token": token, "package": (io.BytesIO(b"x" * 4096), "a.zip")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024 * 1024
    assert response.status_code == 413
    assert "Tệp tải lên quá lớn (tối đa 1 KB). Chưa lưu gì." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 0


def test_preview_goes_to_the_launch_file(client, lecturer, module, tmp_path):
    version = services.import_package(module, simple_package(tmp_path))
    db.session.commit()
    response = client.get("/modules/LCD2024/versions/1/preview")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"/content/{version.id}/index.html") or "/player/" in location


def test_download_the_original_zip(client, lecturer, module, tmp_path):
    zip_path = simple_package(tmp_path)
    services.import_package(module, zip_path)
    db.session.commit()
    response = client.get("/modules/LCD2024/versions/1/download")
    assert response.status_code == 200 and response.data == zip_path.read_bytes()
    assert "LCD2024-v1.zip" in response.headers["Content-Disposition"]


def test_unknown_module_or_version_is_404(client, lecturer, module):
    assert client.get("/modules/NOPE").status_code == 404
    assert client.get("/modules/LCD2024/versions/9").status_code == 404


def test_large_upload_is_streamed_not_held_in_memory(client, lecturer, module, tmp_path):
    """A 60 MB package goes through the page while Python allocates far less than its size."""
    zip_path = large_package(tmp_path, 60)
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    tracemalloc.start()
    try:
        with open(zip_path, "rb") as fh:
            response = client.post("/modules/LCD2024/upload", data={"csrf_token": token, "package": (fh, "big.zip")})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 302
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"
    version = db.session.scalar(select(PackageVersion))
    assert version.size_bytes == zip_path.stat().st_size
    assert services.read_package_file(version, "video.mp4").stat().st_size == 60 * 1024 * 1024


def test_form_errors_are_in_vietnamese_and_zero_hours_is_allowed(client, lecturer):
    token = csrf_token_from(client.get("/modules/new").get_data(as_text=True))
    base = {"csrf_token": token, "topic": "other", "attempts_allowed": "0", "new_attempt": "never",
            "grading": "highest", "sco_aggregation": "all_complete", "rule_combinator": "all", "rule_completed": "y"}
    bad = client.post("/modules/new", data={**base, "code": "mã có dấu", "title_vi": "", "hours": "-1"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Bắt buộc nhập." in page and "Mã chỉ gồm chữ không dấu" in page and "Số giờ từ 0 đến 9999." in page
    ok = client.post("/modules/new", data={**base, "code": "GT0", "title_vi": "Giới thiệu", "hours": "0"})
    assert ok.status_code == 302
    assert db.session.scalar(select(Module).where(Module.code == "GT0")).hours == 0
