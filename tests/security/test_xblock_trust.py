"""XBlock trust: a consumer's learners are identities of that consumer (consumer + anonymous user id);
linking one to an LMS account needs proof from that account, never an e-mail alone; a launch never
carries manager or admin rights (issue 16).

On main a consumer that knew an account's e-mail address logged in as that account — managers and
admins included — and the launch session kept every role of the account.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from lms.api.models import ConsumerLearner
from lms.core.db import db
from lms.player.models import Attempt
from tests.factories import gen_cadre, gen_user
from tests.lms.api.helpers import link_learner, setup_world, signed

BOSS_EMAIL = "chu.tich@congdoan.vn"


@pytest.fixture
def world(app, tmp_path):
    world = setup_world(tmp_path, linked=False)
    boss_cadre = gen_cadre(world["unit"], "HN0500", "Phạm Chủ Tịch", email=BOSS_EMAIL)
    world["boss"] = gen_user("chu.tich", ("admin", "learner"), cadre=boss_cadre, email=BOSS_EMAIL)
    world["boss_cadre"] = boss_cadre
    world["nhung"] = gen_user("hv.nhung", ("learner",), cadre=world["cadre"])
    db.session.commit()
    return world


def _launch(client, params):
    return client.get("/api/xblock/launch?" + urlencode(params))


def _learner(anon: str) -> ConsumerLearner | None:
    return db.session.scalar(select(ConsumerLearner).where(ConsumerLearner.anonymous_user_id == anon))


def _link(client, page, login: str, password: str = "matkhau-123"):
    html = page.get_data(as_text=True)
    ticket = re.search(r'name="ticket" type="hidden" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post("/api/xblock/link", data={"csrf_token": token, "ticket": ticket, "login": login,
                                                 "password": password})


def test_an_email_alone_does_not_log_a_consumer_in_as_an_admin(client, world):
    page = _launch(client, signed(world, anon="edx-attacker", email=BOSS_EMAIL))
    assert page.status_code == 202 and "Đang chờ xác nhận" in page.get_data(as_text=True)
    assert (_learner("edx-attacker").status, _learner("edx-attacker").cadre_id) == ("pending", None)
    assert client.get("/admin/users").status_code == 302  # nobody is logged in
    assert db.session.scalar(select(Attempt)) is None


def test_the_learner_links_by_proving_the_account_then_studies(client, world):
    page = _launch(client, signed(world, anon="edx-nhung", email=None))
    assert page.status_code == 202
    response = _link(client, page, "hv.nhung")
    assert response.status_code == 302 and "/api/xblock/attempts/" in response.headers["Location"]
    learner = _learner("edx-nhung")
    assert (learner.status, learner.cadre_id, learner.decided_by_id) == ("linked", world["cadre"].id,
                                                                         world["nhung"].id)
    assert client.get(response.headers["Location"]).status_code == 200
    assert _launch(client, signed(world, anon="edx-nhung", email=None)).status_code == 302  # next time: direct


def test_a_wrong_password_does_not_link_and_is_throttled(client, world):
    page = _launch(client, signed(world, anon="edx-guess", email=None))
    for _ in range(5):
        assert _link(client, page, "hv.nhung", "doan-bua-1").status_code == 401
    assert _link(client, page, "hv.nhung").status_code == 429  # even the right one, from this client
    assert _learner("edx-guess").status == "pending"


def test_a_forged_or_foreign_ticket_is_refused(client, world):
    page = _launch(client, signed(world, anon="edx-x", email=None))
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/api/xblock/link", data={"csrf_token": token, "ticket": "eyJsIjoxfQ.forged",
                                                     "login": "hv.nhung", "password": "matkhau-123"})
    assert response.status_code == 403 and _learner("edx-x").status == "pending"


def test_a_launch_of_an_admins_account_carries_learner_rights_only(client, world):
    """Even linked (here by an admin's confirmation) to the cadre of an admin account, the launch session
    is a learner's: no admin page, no lecturer preview, no other module."""
    link_learner(world["consumer"], world["boss_cadre"], "edx-boss")
    db.session.commit()
    response = _launch(client, signed(world, anon="edx-boss", email=None))
    assert response.status_code == 302
    attempt = db.session.scalar(select(Attempt))
    assert attempt.cadre_id == world["boss_cadre"].id
    assert client.get(f"/player/attempts/{attempt.id}/play").status_code == 200
    for path in ("/admin/users", "/admin/consumers/", "/", "/player/", "/modules/",
                 f"/player/preview/{world['module'].published_version_id}"):
        assert client.get(path).status_code == 403, path


def test_the_launch_session_reaches_only_the_launched_modules_attempts(app, client, world, tmp_path, monkeypatch):
    """The launch session's player pages and, in the same-origin mode where package files ride on the
    session (``/content/…``), those files too: only the launched module's."""
    monkeypatch.setitem(app.config, "LMS_UNSAFE_SAME_ORIGIN_CONTENT", True)
    from lms.catalog.services import create_module, import_package
    from lms.player.services import open_attempt
    from tests.lms.catalog.helpers import simple_package

    other = create_module("TCCD", "Tổ chức công đoàn", topic="union_law", hours=2)
    (tmp_path / "other").mkdir()
    import_package(other, simple_package(tmp_path / "other"))
    foreign = open_attempt(world["cadre"], other)
    link_learner(world["consumer"], world["cadre"], "edx-nhung")
    db.session.commit()
    assert _launch(client, signed(world, anon="edx-nhung", email=None)).status_code == 302
    assert client.get(f"/player/attempts/{foreign.id}/play").status_code == 403
    assert client.get(f"/content/{other.published_version_id}/index.html").status_code == 403
    assert client.get(f"/content/{world['module'].published_version_id}/index.html").status_code == 200
