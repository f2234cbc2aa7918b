"""Security headers on every LMS page: CSP without inline script, frame-ancestors, nosniff,
Referrer-Policy, HSTS when secure (issue 16: "LMS pages send no CSP or frame protection"); the content
origin's responses keep their own policy; no non-player template carries inline script.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.catalog import content
from lms.core.headers import add_frame_ancestors
from tests.lms.player.conftest import module12  # noqa: F401 - the fixture
from tests.lms.player.test_commits import Player

TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "templates"
#: templates exempt from the check (none: the player page and its launcher hold no inline code either)
PLAYER_TEMPLATES: set[str] = set()


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


@pytest.mark.parametrize("path", ["/login", "/", "/admin/users", "/catalog/", "/no-such-page"])
def test_every_lms_page_sends_the_security_headers(client, auth, tree, path):
    auth.login("admin")
    response = client.get(path)
    csp = _directives(response)
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["frame-ancestors"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_on_https(client, tree):
    response = client.get("/login", base_url="https://lms.example.vn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_content_origin_may_be_framed_by_lms_pages(app, client, tree):
    app.config["LMS_CONTENT_ORIGIN"] = "http://content.lms.example:5001"
    try:
        csp = _directives(client.get("/login"))
    finally:
        app.config["LMS_CONTENT_ORIGIN"] = None
    assert csp["frame-src"].split() == ["'self'", "http://content.lms.example:5001"]


def test_a_views_own_policy_is_kept(app, client, tree):
    """The content origin's launcher sets its own CSP (frame-ancestors = the LMS): the LMS policy, its
    X-Frame-Options and Referrer-Policy must not replace it (that would block the SCO frame)."""
    app.config["LMS_CONTENT_ORIGIN"] = "http://localhost:5001"
    try:
        response = client.get("/c/_lms/launcher?v=2004&lms=http://127.0.0.1:5000", base_url="http://localhost:5001")
    finally:
        app.config["LMS_CONTENT_ORIGIN"] = None
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == content.launcher_csp("http://127.0.0.1:5000")
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors http://127.0.0.1:5000")
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_add_frame_ancestors_appends_and_drops_x_frame_options(app):
    response = app.response_class("x", headers={"Content-Security-Policy": "script-src 'self'; frame-ancestors 'self'",
                                                "X-Frame-Options": "SAMEORIGIN"})
    add_frame_ancestors(response, ["https://learn.example.vn", "'self'"])
    assert response.headers["Content-Security-Policy"] == \
        "script-src 'self'; frame-ancestors 'self' https://learn.example.vn"
    assert "X-Frame-Options" not in response.headers


def test_no_inline_script_in_the_lms_templates():
    """``script-src 'self'`` refuses inline code: every template but the player's keeps its code in static
    files (JSON data blocks are allowed: they are not run)."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PLAYER_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{name}: {tag}")
        found += [f"{name}: {m}" for m in re.findall(r"\son[a-z]+\s*=\s*[\"']", text)]
        found += [f"{name}: javascript: URL" for _ in re.findall(r"href=[\"']\s*javascript:", text, re.I)]
    assert found == []


@pytest.mark.usefixtures("module12")
def test_a_json_answer_gets_the_lean_policy_and_the_same_protections(client, auth):
    """The run-time commit's JSON answer (issue 15: precomputed headers, no per-request policy building):
    nothing may load or embed from it, it is framed only by the LMS, nosniff and Referrer-Policy as on
    every page; HSTS on HTTPS."""
    player = Player(client, auth)
    attempt_id = player.launch("T12")
    response = player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p1"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    csp = _directives(response)
    assert csp == {"default-src": "'none'", "base-uri": "'none'", "form-action": "'none'",
                   "frame-ancestors": "'self'"}
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Accept-Encoding" in response.headers["Vary"]  # too small to compress, but it could be
    assert "Strict-Transport-Security" not in response.headers
    https = client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", base_url="https://localhost",
                        json={"seq": 2, "cmi": {}}, headers={"X-CSRFToken": player.token})
    assert https.mimetype == "application/json"
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert _directives(https)["default-src"] == "'none'"


@pytest.mark.usefixtures("module12")
def test_pages_still_get_the_full_policy_after_a_json_answer(client, auth):
    """The JSON set is cached per process: a page afterwards still gets the page policy with the content
    origin in frame-src."""
    player = Player(client, auth)
    player.commit(player.launch("T12"), 1, {"cmi.core.lesson_location": "p1"})
    csp = _directives(client.get("/player/"))
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["frame-src"].split()[0] == "'self'" and len(csp["frame-src"].split()) == 2


def test_no_per_request_hook_of_talisman_or_a_rate_limiter(app):
    """Only the login counts requests (lms.accounts.throttle); Talisman's before_request hooks do nothing
    with our options (no forced HTTPS, no nonces) and are not installed."""
    hooks = [getattr(h, "__qualname__", repr(h)) for h in app.before_request_funcs.get(None, [])]
    assert not [h for h in hooks if "Talisman" in h or "Limiter" in h], hooks
