"""OIDC login and resource-link launch (LTI 1.3 core §4.1, §5.1), identity linking, the launch session."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.core.db import db
from lms.lti.models import LtiIdentity, LtiLaunch
from lms.player.models import Attempt
from tests.lms.lti.helpers import launch, link_identity


def test_unlinked_learner_waits_and_links_by_logging_in(client, world, platform, auth):
    response = launch(client, platform)
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert "Liên kết tài khoản của tôi" in page
    identity = db.session.scalar(select(LtiIdentity))
    assert (identity.sub, identity.cadre_id, identity.email) == ("moodle-user-42", None, "nhung.tran@congdoan.vn")
    link_url = page.split('data-link-account')[0].rsplit('href="', 1)[1].split('"')[0]
    path = link_url.removeprefix("http://localhost")
    # not logged in: the login page first (an e-mail never links)
    assert "/login" in client.get(path).headers["Location"]
    auth.login("hv.nhung")
    confirm = client.get(path)
    assert confirm.status_code == 200 and "hv.nhung" in confirm.get_data(as_text=True)
    from tests.conftest import csrf_token_from

    done = client.post(path, data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))})
    assert done.status_code == 200 and "Đã liên kết" in done.get_data(as_text=True)
    db.session.refresh(identity)
    assert (identity.cadre_id, identity.user_id) == (world["cadre"].id, world["user"].id)
    # the ticket is used once
    assert client.post(path, data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))}).status_code == 400
    # the next launch plays
    again = launch(client, platform)
    assert again.status_code == 200 and "lti-launched" in again.get_data(as_text=True)


def test_linked_learner_launch_opens_the_attempt_in_a_launch_session(client, world, platform):
    link_identity(world)
    response = launch(client, platform)
    assert response.status_code == 200
    attempt = db.session.scalar(select(Attempt))
    assert attempt.cadre_id == world["cadre"].id
    record = db.session.scalar(select(LtiLaunch))
    assert (record.attempt_id, record.lineitem_url, record.score_status) == (attempt.id, platform.lineitem, "pending")
    assert record.memberships_url == platform.url + "/memberships" and record.context_id == "course-5"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "SameSite=None" in cookie and "Secure" in cookie
    assert platform.url in response.headers["Content-Security-Policy"]
    assert client.get("/lti/session").get_json() == {"launched": True}
    frame = client.get(f"/api/xblock/attempts/{attempt.id}/frame")
    assert frame.status_code == 200 and platform.url in frame.headers["Content-Security-Policy"]
    assert client.get(f"/player/attempts/{attempt.id}/play").status_code == 200
    assert client.get("/").status_code == 403  # the launch session reaches the module only


def test_resume_ticket_reopens_the_launch_once_in_a_new_window(app, world, platform):
    link_identity(world)
    iframe = app.test_client()
    page = launch(iframe, platform).get_data(as_text=True)
    resume = page.split("data-lti-new-window")[0].rsplit('href="', 1)[1].split('"')[0].removeprefix("http://localhost")
    window = app.test_client()  # a browser whose iframe cookie was blocked: nothing shared
    assert window.get("/lti/session").get_json() == {"launched": False}
    opened = window.get(resume)
    attempt = db.session.scalar(select(Attempt))
    assert opened.status_code == 302 and opened.headers["Location"] == f"/api/xblock/attempts/{attempt.id}/frame"
    assert window.get(opened.headers["Location"]).status_code == 200
    assert app.test_client().get(resume).status_code == 400


def test_second_launch_resumes_the_attempt(client, world, platform):
    link_identity(world)
    launch(client, platform)
    launch(client, platform)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert db.session.scalar(select(func.count()).select_from(LtiLaunch)) == 2


def test_jwks_publishes_public_keys_with_kid_only(client, app):
    body = client.get("/lti/jwks.json").get_json()
    assert len(body["keys"]) == 1
    key = body["keys"][0]
    assert key["kid"] and key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key and "p" not in key
    from lms.lti.models import LtiKey

    stored = db.session.scalar(select(LtiKey))
    assert "PRIVATE KEY" not in stored.private_key_encrypted


def test_rotate_key_publishes_new_and_previous_then_retires(client, app, runner):
    first = client.get("/lti/jwks.json").get_json()["keys"][0]["kid"]
    assert runner.invoke(args=["lti", "rotate-key"]).exit_code == 0
    kids = [k["kid"] for k in client.get("/lti/jwks.json").get_json()["keys"]]
    assert len(kids) == 2 and kids[1] == first
    runner.invoke(args=["lti", "rotate-key"])
    kids3 = [k["kid"] for k in client.get("/lti/jwks.json").get_json()["keys"]]
    assert len(kids3) == 2 and first not in kids3 and kids[0] in kids3
