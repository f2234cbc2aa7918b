"""Offline study's server side (docs/offline.md): the manifest, the service workers' routes and scopes,
the download plan, the content origin's frame and clearing, Clear-Site-Data at logout, and the CSP that
stays strict."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.catalog.models import PackageFile
from lms.core.db import db
from tests.lms.player.conftest import make_module
from tests.lms.player.test_commits import Player

CONTENT = "content.localhost"


@pytest.fixture
def module12(app, tree, tmp_path):
    module = make_module(tmp_path, "scorm12_single", "T12")
    db.session.commit()
    return module


@pytest.fixture
def built(app):
    """Stand-in worker files when scripts/build-sw.mjs has not run in this checkout (removed after)."""
    folder = Path(app.static_folder) / "vendor" / "offline"
    made = []
    for name in ("sw.js", "content-sw.js", "frame.js"):
        path = folder / name
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text("/* test stand-in */\n")
            made.append(path)
    yield folder
    for path in made:
        path.unlink()


def test_the_manifest_is_vietnamese_and_uses_the_lms_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    body = response.json
    assert body["name"] == "Đào tạo cán bộ công đoàn" and body["lang"] == "vi" and body["display"] == "standalone"
    assert body["start_url"] == "/player/" and body["scope"] == "/"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert {i["sizes"] for i in body["icons"]} >= {"192x192", "512x512"}


def test_pages_link_the_manifest_and_the_offline_script(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in html and "js/offline.js" in html


def test_the_service_worker_is_served_from_the_root_with_root_scope(client, built):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"


def test_a_missing_build_is_a_clear_404(client, app, monkeypatch):
    monkeypatch.setitem(__import__("lms.offline.views", fromlist=["BUILT"]).BUILT, "sw.js", "vendor/offline/nope.js")
    response = client.get("/sw.js")
    assert response.status_code == 404 and "make install" in response.get_data(as_text=True)


def test_the_csp_stays_strict_and_allows_the_worker_and_manifest_by_self(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "worker-src" not in csp and "manifest-src" not in csp  # both fall back to 'self'
    assert "unsafe-eval" not in csp


def test_the_plan_lists_every_package_file_with_sizes_and_one_token(client, auth, module12):
    player = Player(client, auth)
    attempt_id = player.launch("T12")
    response = client.get("/offline/modules/T12/plan")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    plan = response.json
    rows = db.session.scalars(select(PackageFile).where(PackageFile.version_id == plan["version"])).all()
    assert plan["fileCount"] == len(rows) > 0
    assert plan["totalBytes"] == sum(r.size for r in rows)
    assert sorted(f["path"] for f in plan["files"]) == sorted(r.path for r in rows)
    tokens = {f["url"].split("/c/")[1].split("/")[0] for f in plan["files"]}
    assert len(tokens) == 1 and all(f["url"].startswith(f"http://{CONTENT}") for f in plan["files"])
    claims = json.loads(base64.urlsafe_b64decode(tokens.pop().split(".")[0] + "=="))
    assert claims == {"v": plan["version"], "u": claims["u"], "a": attempt_id}  # what content-sw.js reads
    assert f"/player/attempts/{attempt_id}/play" in plan["pages"] and "/player/" in plan["pages"]
    assert f"/player/attempts/{attempt_id}/play?sco=sco1" in plan["pages"]
    assert plan["frameUrl"] == f"http://{CONTENT}/c/_offline/frame"
    assert plan["launcherPage"].startswith(f"http://{CONTENT}/c/_lms/launcher?v=1.2")


def test_the_plan_files_are_served_on_the_content_origin(client, auth, module12):
    Player(client, auth).launch("T12")
    plan = client.get("/offline/modules/T12/plan").json
    first = plan["files"][0]
    response = client.get(first["url"].split(CONTENT)[1], headers={"Host": CONTENT})
    assert response.status_code == 200 and len(response.data) == first["size"]


def test_the_plan_needs_an_open_attempt(client, auth, module12):
    Player(client, auth)
    response = client.get("/offline/modules/T12/plan", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json["error"]["message"].startswith("Hãy mở học phần một lần khi có mạng")
    assert client.get("/offline/modules/NOPE/plan", headers={"Accept": "application/json"}).status_code == 404


def test_the_plan_needs_a_login_and_writes_nothing(client, module12):
    assert client.get("/offline/modules/T12/plan").status_code in (302, 401)
    assert db.session.scalar(select(func.count()).select_from(PackageFile)) > 0


def test_the_content_frame_lives_on_the_content_origin_only(client, built):
    lms = "http://localhost"
    response = client.get(f"/c/_offline/frame?lms={lms}", headers={"Host": CONTENT})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors {lms}" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert "Set-Cookie" not in response.headers
    assert client.get(f"/c/_offline/frame?lms={lms}").status_code == 404  # not on the LMS origin
    assert client.get("/c/_offline/frame?lms=javascript:x", headers={"Host": CONTENT}).status_code == 400
    sw = client.get("/c/_offline/sw.js", headers={"Host": CONTENT})
    assert sw.status_code == 200 and sw.headers["Service-Worker-Allowed"] == "/c/"
    assert client.get("/c/_offline/frame.js", headers={"Host": CONTENT}).status_code == 200


def test_the_content_origin_clear_sends_clear_site_data(client):
    response = client.get("/c/_offline/clear", headers={"Host": CONTENT})
    assert response.status_code == 204 and response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_logout_sends_clear_site_data(client, auth, tree):
    auth.login("hv.nhung")
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/login").headers
