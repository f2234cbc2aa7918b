"""Refused launches (LTI 1.3 core §5.1.3 / Security Framework §5.1.3: signature, exp, nonce, aud,
deployment, issuer): each a Vietnamese page with a 4xx, no identity and no attempt created."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.lti.models import LtiIdentity
from lms.player.models import Attempt
from tests.lms.lti.helpers import link_identity, oidc_login, post_launch
from tests.lms.lti.platform import new_key


def _nothing_created() -> None:
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def _refused(response, status: int, text: str) -> None:  # text: case-insensitive
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert text.lower() in body.lower()


def test_forged_signature_is_refused(client, world, platform):
    link_identity(world)
    state, nonce = oidc_login(client, platform)
    forger, _kid = new_key()
    token = platform.sign(platform.claims(nonce), key=forger, kid=platform.kid)  # the platform's kid, not its key
    _refused(post_launch(client, platform, token, state), 403, "Chữ ký của nền tảng không hợp lệ")
    _nothing_created()


def test_unknown_kid_is_refused(client, world, platform):
    state, nonce = oidc_login(client, platform)
    forger, kid = new_key()
    _refused(post_launch(client, platform, platform.sign(platform.claims(nonce), key=forger, kid=kid), state),
             403, "chữ ký của nền tảng")


def test_expired_id_token_is_refused(client, world, platform):
    link_identity(world)
    state, nonce = oidc_login(client, platform)
    past = int(time.time()) - 3600
    token = platform.sign(platform.claims(nonce, iat=past - 300, exp=past))
    _refused(post_launch(client, platform, token, state), 401, "đã hết hạn")
    _nothing_created()


def test_replayed_id_token_is_refused(client, world, platform):
    link_identity(world)
    state, nonce = oidc_login(client, platform)
    token = platform.sign(platform.claims(nonce))
    assert post_launch(client, platform, token, state).status_code == 200
    _refused(post_launch(client, platform, token, state), 403, "đã được dùng")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_nonce_we_never_issued_is_refused(client, world, platform):
    state, _nonce = oidc_login(client, platform)
    _refused(post_launch(client, platform, platform.sign(platform.claims("made-up-nonce")), state), 403,
             "đã được dùng")


def test_wrong_audience_is_refused(client, world, platform):
    state, nonce = oidc_login(client, platform)
    token = platform.sign(platform.claims(nonce, aud="another-tool"))
    _refused(post_launch(client, platform, token, state), 403, "audience")
    assert db.session.scalar(select(func.count()).select_from(LtiIdentity)) == 0


def test_wrong_deployment_is_refused(client, world, platform):
    state, nonce = oidc_login(client, platform)
    token = platform.sign(platform.claims(nonce, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "x"}))
    _refused(post_launch(client, platform, token, state), 403, "deployment id")


def test_unknown_issuer_is_refused_at_login_and_launch(client, world, platform):
    response = client.post("/lti/login", data={"iss": "https://evil.example", "login_hint": "1",
                                               "target_link_uri": "http://localhost/lti/launch"})
    _refused(response, 403, "chưa được đăng ký")
    state, nonce = oidc_login(client, platform)
    token = platform.sign(platform.claims(nonce, iss="https://evil.example"))
    _refused(post_launch(client, platform, token, state), 403, "chưa được đăng ký")


@pytest.mark.parametrize("state", ["", "state-never-issued"])
def test_missing_or_unknown_state_is_refused(client, world, platform, state):
    _s, nonce = oidc_login(client, platform)
    _refused(post_launch(client, platform, platform.sign(platform.claims(nonce)), state), 400, "LTI")


def test_disabled_platform_is_refused(client, world, platform):
    state, nonce = oidc_login(client, platform)
    world["platform"].active = False
    db.session.commit()
    _refused(post_launch(client, platform, platform.sign(platform.claims(nonce)), state), 403, "chưa được đăng ký")


def test_launch_without_module_or_unknown_module(client, world, platform):
    link_identity(world)
    state, nonce = oidc_login(client, platform)
    claims = platform.claims(nonce)
    claims["https://purl.imsglobal.org/spec/lti/claim/custom"] = {}
    _refused(post_launch(client, platform, platform.sign(claims), state), 400, "không chỉ ra học phần")
    state, nonce = oidc_login(client, platform)
    _refused(post_launch(client, platform, platform.sign(platform.claims(nonce, module="KHONG")), state), 404,
             "Không tìm thấy học phần")


def test_unreachable_platform_jwks_is_refused(client, world, platform):
    world["platform"].key_set_url = "http://127.0.0.1:9/jwks"  # nothing listens on the discard port
    db.session.commit()
    state, nonce = oidc_login(client, platform)
    _refused(post_launch(client, platform, platform.sign(platform.claims(nonce)), state), 403,
             "Không tải được khoá công khai")
