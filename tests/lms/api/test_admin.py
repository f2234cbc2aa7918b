"""Admin pages for consumers: create (secret shown once), rotate, disable; access by role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.api import services
from lms.api.models import Consumer
from lms.core.db import db
from tests.factories import gen_unit, gen_user


@pytest.fixture
def admin(app):
    user = gen_user("admin", ("admin",))
    gen_user("ql.hanoi", ("manager",))
    db.session.commit()
    return user


def secret_on(page: str) -> str | None:
    match = re.search(r"<code[^>]*data-secret>([^<]+)</code>", page)
    return match.group(1) if match else None


def test_admin_creates_a_consumer_and_sees_the_secret_once(client, auth, admin):
    auth.login("admin")
    token = auth.csrf("/admin/consumers/")
    created = client.post("/admin/consumers/", data={"csrf_token": token, "key": "openedx-hn", "name": "Open edX Hà Nội"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    secret = secret_on(created.get_data(as_text=True))
    consumer = db.session.scalar(select(Consumer).where(Consumer.key == "openedx-hn"))
    assert secret and services.consumer_secret(consumer) == secret
    listing = client.get("/admin/consumers/").get_data(as_text=True)
    assert "openedx-hn" in listing and secret_on(listing) is None and secret not in listing


def test_duplicate_or_bad_key_is_refused(client, auth, admin):
    services.create_consumer("openedx-hn", "A")
    db.session.commit()
    auth.login("admin")
    token = auth.csrf("/admin/consumers/")
    taken = client.post("/admin/consumers/", data={"csrf_token": token, "key": "openedx-hn", "name": "B"})
    assert taken.status_code == 409 and "đã được dùng" in taken.get_data(as_text=True)
    bad = client.post("/admin/consumers/", data={"csrf_token": token, "key": "có dấu", "name": "B"})
    assert bad.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(Consumer)) == 1


def test_rotate_replaces_the_secret_and_toggle_disables(client, auth, admin):
    consumer, old = services.create_consumer("openedx-hn", "A")
    db.session.commit()
    auth.login("admin")
    token = auth.csrf("/admin/consumers/")
    rotated = client.post(f"/admin/consumers/{consumer.id}/rotate", data={"csrf_token": token})
    new = secret_on(rotated.get_data(as_text=True))
    consumer = db.session.get(Consumer, consumer.id)
    assert new and new != old and services.consumer_secret(consumer) == new
    assert consumer.secret_rotated_at is not None
    assert client.post(f"/admin/consumers/{consumer.id}/active", data={"csrf_token": token}).status_code == 302
    assert db.session.get(Consumer, consumer.id).active is False
    assert client.post(f"/admin/consumers/{consumer.id}/active", data={}).status_code == 400


def test_a_changed_server_key_makes_the_secret_unreadable_not_wrong(app, admin):
    consumer, _ = services.create_consumer("openedx-hn", "A")
    app.config["LMS_API_SECRET_KEY"] = "another key"
    try:
        with pytest.raises(services.UserError) as err:
            services.consumer_secret(consumer)
        assert err.value.code == "secret_unreadable"
    finally:
        app.config["LMS_API_SECRET_KEY"] = None


@pytest.mark.parametrize("path", ["/admin/consumers/", "/admin/consumers/learners"])
def test_only_admins_reach_the_pages(client, auth, admin, path):
    assert client.get(path).status_code == 302  # to the login page
    auth.login("ql.hanoi")
    assert client.get(path).status_code == 403


def test_linked_learners_are_listed_within_the_admins_scope(client, auth, app, tmp_path):
    from urllib.parse import urlencode

    from tests.lms.api.helpers import setup_world, signed

    world = setup_world(tmp_path)
    gen_user("admin.all", ("admin",))
    gen_user("admin.cb", ("admin",), scope=gen_unit("CB", "LĐLĐ Cao Bằng", "LĐLĐ tỉnh"))
    db.session.commit()
    launcher = app.test_client()
    assert launcher.get("/api/xblock/launch?" + urlencode(signed(world))).status_code == 302
    auth.login("admin.all")
    assert "HN0099" in client.get("/admin/consumers/learners?status=linked").get_data(as_text=True)
    auth.logout()
    auth.login("admin.cb")
    page = client.get("/admin/consumers/learners?status=linked")
    assert page.status_code == 200 and "HN0099" not in page.get_data(as_text=True)
