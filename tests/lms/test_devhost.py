"""make demo (issue #22): a browser that opens the demo at 127.0.0.1 goes to http://lms.localhost:<port>,
whose content origin content.lms.localhost is the same site (offline study works there); nothing else is
redirected, and never outside development."""

from __future__ import annotations

import pytest

from lms import create_app

NAVIGATE = {"Sec-Fetch-Mode": "navigate"}


@pytest.fixture
def demo_app(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "development")
    monkeypatch.setenv("LMS_BASE_URL", "http://lms.localhost:5000")
    return create_app({"TESTING": True})


def test_a_page_opened_at_the_loopback_address_goes_to_the_demo_address(demo_app):
    client = demo_app.test_client()
    response = client.get("/login?next=%2Fplayer%2F", base_url="http://127.0.0.1:5000", headers=NAVIGATE)
    assert response.status_code == 302
    assert response.headers["Location"] == "http://lms.localhost:5000/login?next=%2Fplayer%2F"
    assert client.get("/", base_url="http://localhost:5000", headers=NAVIGATE).headers["Location"] == (
        "http://lms.localhost:5000/")


def test_nothing_else_is_redirected(demo_app):
    client = demo_app.test_client()
    assert client.get("/login", base_url="http://127.0.0.1:5000").status_code == 200  # no navigation: API, scripts
    assert client.get("/login", base_url="http://127.0.0.1:5001", headers=NAVIGATE).status_code == 200  # another port
    assert client.get("/login", base_url="http://lms.localhost:5000", headers=NAVIGATE).status_code == 200
    assert client.post("/login", base_url="http://127.0.0.1:5000", headers=NAVIGATE).status_code != 302


def test_never_outside_development(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_BASE_URL", "http://lms.localhost:5000")
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/login", base_url="http://127.0.0.1:5000", headers=NAVIGATE).status_code == 200
