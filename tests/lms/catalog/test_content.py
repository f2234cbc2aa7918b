"""Package content: MIME types, Range, ETag/304, caching, access, path escapes, the content origin (derived
by default, configured, or the unsafe same-origin mode) and the launcher."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from lms.catalog import content, services
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.roles import Role
from tests.factories import gen_user
from tests.lms.catalog.helpers import VIDEO, simple_package


@pytest.fixture
def version(app, tree, tmp_path):
    module = services.create_module("LCD2024", "Luật Công đoàn 2024")
    version = services.import_package(module, simple_package(tmp_path, extra={
        "bài 1/trang chủ.html": "<p>Tiếng Việt</p>".encode(), "noext": b"?", "media/clip.mp4": VIDEO}))
    db.session.commit()
    return version


@pytest.fixture
def same_origin(app):
    """The unsafe same-origin mode (``LMS_UNSAFE_SAME_ORIGIN_CONTENT``): ``/content/…`` on the LMS."""
    app.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = True
    yield
    app.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = False


def fetch(app, version, path, user_id, **kwargs):
    """``path`` of ``version`` through its token URL on the default (derived) content origin, no cookie."""
    with app.test_request_context(base_url="http://localhost"):
        url = content.content_url(version, path, user_id=user_id)
    assert url.startswith("http://content.localhost/c/")
    return app.test_client().get(url, **kwargs)


@pytest.fixture
def learner(client, auth, tree):
    auth.login("hv.nhung")
    return tree["hn_learner"]


@pytest.mark.parametrize(("path", "mime"), [
    ("index.html", "text/html; charset=utf-8"),
    ("js/app.js", "text/javascript; charset=utf-8"),
    ("css/site.css", "text/css; charset=utf-8"),
    ("media/clip.mp4", "video/mp4"),
    ("media/clip.webm", "video/webm"),
    ("media/audio.mp3", "audio/mpeg"),
    ("img/logo.svg", "image/svg+xml; charset=utf-8"),
    ("fonts/f.woff2", "font/woff2"),
    ("data/q.json", "application/json"),
    ("imsmanifest.xml", "application/xml; charset=utf-8"),
    ("docs/guide.pdf", "application/pdf"),
    ("noext", "application/octet-stream"),
])
def test_files_are_served_with_their_mime_type(app, learner, version, path, mime):
    response = fetch(app, version, path, learner.id)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mime
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "default-src" not in csp and "script-src" not in csp  # scripts and media from other hosts load
    assert "Set-Cookie" not in response.headers


def test_vietnamese_file_names_are_served(client, learner, version, same_origin):
    response = client.get(content.content_url(version, "bài 1/trang chủ.html", user_id=learner.id))
    assert response.status_code == 200 and "Tiếng Việt" in response.get_data(as_text=True)


def test_range_request_gives_206(app, learner, version):
    response = fetch(app, version, "media/clip.mp4", learner.id, headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 0-9/{len(VIDEO)}"
    assert response.data == bytes(range(10))
    tail = fetch(app, version, "media/clip.mp4", learner.id, headers={"Range": "bytes=300-303"})
    assert tail.data == bytes([44, 45, 46, 47])  # 300 - 256 = 44
    assert response.headers["Accept-Ranges"] == "bytes"


def test_etag_is_the_sha256_and_304_when_unchanged(client, learner, version, same_origin):
    row = services.package_file(version, "css/site.css")
    response = client.get(f"/content/{version.id}/css/site.css")
    assert response.headers["ETag"] == f'"{row.sha256}"'
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "immutable" in cache and "max-age=31536000" in cache
    again = client.get(f"/content/{version.id}/css/site.css", headers={"If-None-Match": f'"{row.sha256}"'})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", [
    "../imsmanifest.xml", "media/../index.html", "./index.html", "media//clip.mp4", "%2e%2e/index.html",
    "media/..%2Findex.html", "media%5Cclip.mp4", "index.html%00", "C:/index.html", "missing.html", "media",
    "media/",
])
def test_path_escapes_and_unknown_paths_are_404(client, learner, version, path, same_origin):
    assert client.get(f"/content/{version.id}/{path}").status_code == 404


def test_absolute_and_backslash_paths_are_refused():
    for bad in ("/etc/passwd", "a\\b", "a\x00b", "..", "a/../b", "", "a/./b", "a\nb"):
        assert content.clean_path(bad) is None, bad
    assert content.clean_path("media/clip.mp4") == "media/clip.mp4"


def test_anonymous_and_learners_without_access_get_404(client, auth, tree, version, same_origin):
    assert client.get(f"/content/{version.id}/index.html").status_code == 404
    gen_user("hv.khongcadre", (Role.learner,))
    db.session.commit()
    auth.login("hv.khongcadre")
    assert client.get(f"/content/{version.id}/index.html").status_code == 404
    auth.logout()
    auth.login("ql.hanoi")
    assert client.get(f"/content/{version.id}/index.html").status_code == 404


def test_unpublished_or_inactive_module_is_hidden_from_learners_not_lecturers(client, auth, tree, version,
                                                                          same_origin):
    version.module.active = False
    db.session.commit()
    auth.login("hv.nhung")
    assert client.get(f"/content/{version.id}/index.html").status_code == 404
    auth.logout()
    auth.login("gv.hanoi")
    assert client.get(f"/content/{version.id}/index.html").status_code == 200


def test_unknown_version_is_404(client, learner, version, same_origin):
    assert client.get(f"/content/{version.id + 99}/index.html").status_code == 404


def test_same_origin_url(app, version, same_origin):
    with app.test_request_context():
        assert content.content_url(version, "index.html?x=1", user_id=1) == f"/content/{version.id}/index.html?x=1"
        assert content.content_url(version, "bài 1/a b.html", user_id=1) == (
            f"/content/{version.id}/b%C3%A0i%201/a%20b.html")


# --- separate content origin -------------------------------------------------------------------------

LMS = "localhost:5000"
CONTENT = "127.0.0.1:5001"


@pytest.fixture
def separate_origin(app):
    app.config["LMS_CONTENT_ORIGIN"] = f"http://{CONTENT}"
    yield f"http://{CONTENT}"
    app.config["LMS_CONTENT_ORIGIN"] = None


def _token_path(url: str) -> str:
    assert url.startswith(f"http://{CONTENT}/c/")
    return url.removeprefix(f"http://{CONTENT}")


def test_token_url_serves_on_the_content_origin_without_a_cookie(app, tree, version, separate_origin):
    url = content.content_url(version, "media/clip.mp4", user_id=tree["hn_learner"].id, attempt_id=7)
    token = url.split("/")[4]
    assert content.read_token(token) == {"v": version.id, "u": tree["hn_learner"].id, "a": 7}
    anonymous = app.test_client()
    response = anonymous.get(_token_path(url), base_url=f"http://{CONTENT}", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206 and response.data == bytes(range(10))
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers
    sibling = anonymous.get(f"/c/{token}/index.html", base_url=f"http://{CONTENT}")
    assert sibling.status_code == 200


def test_tampered_expired_or_foreign_tokens_are_refused(app, tree, version, separate_origin):
    client = app.test_client()
    url = content.content_url(version, "index.html", user_id=tree["hn_learner"].id)
    token = url.split("/")[4]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/c/{tampered}/index.html", base_url=f"http://{CONTENT}").status_code in (403, 404)
    other_key = URLSafeTimedSerializer("another-secret", salt="lms.catalog.content").dumps(
        {"v": version.id, "u": tree["hn_learner"].id, "a": None})
    assert client.get(f"/c/{other_key}/index.html", base_url=f"http://{CONTENT}").status_code in (403, 404)
    app.config["LMS_CONTENT_TOKEN_MAX_AGE"] = 1
    try:
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lms.catalog.content")
        old_token = old.dumps({"v": version.id, "u": tree["hn_learner"].id, "a": None})
        time.sleep(2.1)
        assert client.get(f"/c/{old_token}/index.html", base_url=f"http://{CONTENT}").status_code in (403, 404)
    finally:
        app.config.pop("LMS_CONTENT_TOKEN_MAX_AGE")


def test_token_of_a_user_who_lost_access_is_refused(app, tree, version, separate_origin):
    url = content.content_url(version, "index.html", user_id=tree["hn_learner"].id)
    tree["hn_learner"].active = False
    db.session.commit()
    assert app.test_client().get(_token_path(url), base_url=f"http://{CONTENT}").status_code == 404


def test_token_is_scoped_to_its_version(app, tree, version, separate_origin, tmp_path):
    other = services.import_package(services.create_module("TCCD", "Tài chính"), simple_package(
        tmp_path, "o.zip", extra={"secret.html": b"other module"}))
    db.session.commit()
    url = content.content_url(version, "index.html", user_id=tree["hn_learner"].id)
    token = url.split("/")[4]
    client = app.test_client()
    assert client.get(f"/c/{token}/secret.html", base_url=f"http://{CONTENT}").status_code == 404
    assert other.id != version.id


def test_content_origin_serves_nothing_else(app, tree, version, separate_origin):
    client = app.test_client()
    for path in ("/login", "/", "/modules/", f"/content/{version.id}/index.html"):
        assert client.get(path, base_url=f"http://{CONTENT}").status_code == 404, path


def test_lms_origin_refuses_content_and_token_urls_in_that_mode(client, auth, tree, version, separate_origin):
    auth.login("hv.nhung")
    assert client.get(f"/content/{version.id}/index.html").status_code == 404
    url = content.content_url(version, "index.html", user_id=tree["hn_learner"].id)
    assert client.get(_token_path(url), base_url=f"http://{LMS}").status_code == 404


def test_session_cookie_is_host_only_and_lax(app, client, auth, tree):
    response = auth.login("hv.nhung")
    cookie = response.headers.get("Set-Cookie", "")
    assert "Domain=" not in cookie
    assert "SameSite=Lax" in cookie


# --- the default: a content origin derived from the LMS's address (issue #16) ---------------------------


@pytest.mark.parametrize(("lms", "expected"), [
    ("http://127.0.0.1:5000/", "http://content.localhost:5000"),
    ("http://localhost:8080/", "http://content.localhost:8080"),
    ("http://[::1]:5000/", "http://content.localhost:5000"),
    ("https://lms.congdoan.vn/", "https://content.lms.congdoan.vn"),
    ("http://hoc.local:5000/", "http://content.hoc.local:5000"),
    ("http://lms.localhost:5000/", "http://content.lms.localhost:5000"),  # make demo: one site (issue #22)
])
def test_the_default_content_origin_is_derived_from_the_lms_address(app, lms, expected):
    with app.test_request_context(base_url=lms):
        assert content.content_origin() == expected
        assert content.launcher_url("2004") == f"{expected}/c/_lms/launcher?v=2004"


def test_an_lms_reached_by_a_bare_ip_needs_the_setting(app):
    with app.test_request_context(base_url="http://192.168.1.10:5000/"):
        assert content.content_origin() is None  # LMS pages still render (nothing to frame)
        with pytest.raises(UserError) as raised:
            content.launcher_url("1.2")
    assert raised.value.status == 503 and "LMS_CONTENT_ORIGIN" in raised.value.message_vi
    app.config["LMS_CONTENT_ORIGIN"] = "http://192.168.1.10:5001"
    try:
        with app.test_request_context(base_url="http://192.168.1.10:5000/"):
            assert content.content_origin() == "http://192.168.1.10:5001"
    finally:
        app.config["LMS_CONTENT_ORIGIN"] = None


def test_by_default_the_lms_serves_no_package_file_and_the_content_host_nothing_else(client, auth, tree, version):
    auth.login("hv.nhung")
    assert client.get(f"/content/{version.id}/index.html").status_code == 404
    with client.application.test_request_context(base_url="http://localhost"):
        url = content.content_url(version, "index.html", user_id=tree["hn_learner"].id)
    assert client.get(url.removeprefix("http://content.localhost")).status_code == 404  # on the LMS host
    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 200
    for path in ("/login", "/", "/modules/", "/player/", f"/content/{version.id}/index.html"):
        assert anonymous.get(path, base_url="http://content.localhost").status_code == 404, path


def test_the_launcher_lives_on_the_content_origin_with_its_own_policy(app, client):
    anonymous = app.test_client()
    url = "/c/_lms/launcher?v=2004&lms=http%3A%2F%2F127.0.0.1%3A5000"
    response = anonymous.get(url, base_url="http://content.localhost:5000")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors http://127.0.0.1:5000" in csp and "script-src 'self'" in csp
    page = response.get_data(as_text=True)
    assert "/c/_lms/js/scorm2004.js" in page and "/c/_lms/js/launcher.js" in page
    assert "<script>" not in page  # no inline code: JSON data and external scripts only
    assert "Set-Cookie" not in response.headers
    script = anonymous.get("/c/_lms/js/scorm2004.js", base_url="http://content.localhost:5000")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert anonymous.get("/c/_lms/js/other.js", base_url="http://content.localhost:5000").status_code == 404
    assert client.get(url).status_code == 404  # not on the LMS
    for bad in ("v=2004&lms=javascript:alert(1)", "v=2004&lms=http://a.vn/path", "v=2004&lms=http://u@a.vn",
                "v=3&lms=http://a.vn"):
        assert anonymous.get(f"/c/_lms/launcher?{bad}",
                             base_url="http://content.localhost:5000").status_code == 400, bad


def test_the_unsafe_same_origin_mode_serves_from_the_lms(client, learner, version, same_origin):
    assert client.get(f"/content/{version.id}/index.html").status_code == 200
    assert client.get("/c/_lms/launcher?v=1.2&lms=http%3A%2F%2Flocalhost").status_code == 200
    assert client.get("/c/_lms/js/scorm12.js").status_code == 200
