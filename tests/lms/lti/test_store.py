"""The database-backed OIDC store and the signed tickets: expiry, one use, forgery."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.core.db import db, utcnow
from lms.lti.models import LtiStoreEntry
from lms.lti.storage import DbLaunchDataStorage
from tests.lms.lti.helpers import launch, oidc_login, post_launch


def _age_everything() -> None:
    for entry in db.session.scalars(select(LtiStoreEntry)):
        entry.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_an_expired_state_and_nonce_are_refused_then_purged(client, world, platform, runner):
    state, nonce = oidc_login(client, platform)
    _age_everything()
    response = post_launch(client, platform, platform.sign(platform.claims(nonce)), state)
    assert response.status_code == 400
    assert runner.invoke(args=["lti", "purge"]).output.strip() == "purged 2"
    assert db.session.scalar(select(func.count()).select_from(LtiStoreEntry)) == 0


def test_a_new_login_purges_expired_entries(client, world, platform):
    oidc_login(client, platform)
    _age_everything()
    oidc_login(client, platform)
    assert db.session.scalar(select(func.count()).select_from(LtiStoreEntry)) == 2  # the new state and nonce


def test_a_nonce_is_checked_once(app):
    storage = DbLaunchDataStorage()
    storage.set_value("lti1p3-nonce-abc", True)
    assert storage.check_value("lti1p3-nonce-abc") is True
    assert storage.check_value("lti1p3-nonce-abc") is False


def test_forged_or_altered_tickets_are_refused(client, world, platform, auth):
    page = launch(client, platform).get_data(as_text=True)
    link = page.split("data-link-account")[0].rsplit('href="', 1)[1].split('"')[0].removeprefix("http://localhost")
    auth.login("hv.nhung")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    refused = client.get(forged)
    assert refused.status_code == 400 and "hết hạn hoặc đã được dùng" in refused.get_data(as_text=True)
    assert client.get("/lti/resume/not-a-ticket").status_code == 400
    assert client.post("/lti/deep-link", data={"launch_id": "lti1p3-launch-x", "module": "ATVSLD"}).status_code == 400


def test_other_sessions_keep_the_default_cookie_policy(client, world, auth):
    response = auth.login("hv.nhung")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "SameSite=None" not in cookie
