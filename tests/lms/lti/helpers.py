"""Helpers for the LTI tests: the world (a cadre with an account, a published module, the registered
test platform) and the OIDC login + launch round trip a browser would make."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.lti.models import LtiIdentity, LtiPlatform
from tests.factories import gen_cadre, gen_unit, gen_user
from tests.lms.catalog.helpers import simple_package
from tests.lms.lti.platform import TestPlatform


def setup_world(tmp_path: Path, platform: TestPlatform) -> dict:
    """A unit, a cadre with a learner account ``hv.nhung``, a published module ATVSLD, the platform
    registered; committed."""
    unit = gen_unit("HN-CDCS-9", "Công đoàn Công ty Điện lực Hà Nội", "CĐCS")
    cadre = gen_cadre(unit, "HN0099", "Trần Thị Hồng Nhung", gender="female", email="nhung.tran@congdoan.vn")
    user = gen_user("hv.nhung", cadre=cadre)
    module = create_module("ATVSLD", "An toàn, vệ sinh lao động", topic="osh", hours=4)
    import_package(module, simple_package(tmp_path))
    registered = LtiPlatform(**platform.registration())
    db.session.add(registered)
    db.session.commit()
    return {"unit": unit, "cadre": cadre, "user": user, "module": module, "platform": registered}


def link_identity(world: dict, sub: str = "moodle-user-42") -> LtiIdentity:
    """The platform's learner ``sub`` already linked to the cadre's account (as after "link my account")."""
    identity = LtiIdentity(platform_id=world["platform"].id, sub=sub, cadre_id=world["cadre"].id,
                           user_id=world["user"].id, name="Nhung")
    db.session.add(identity)
    db.session.commit()
    return identity


def oidc_login(client, platform: TestPlatform, **extra: str) -> tuple[str, str]:
    """Step 1 as the platform starts it; returns (state, nonce) from our redirect to its auth URL."""
    params = {"iss": platform.url, "login_hint": "42", "target_link_uri": "http://localhost/lti/launch",
              "client_id": platform.client_id, "lti_message_hint": "rl-1", **extra}
    response = client.post("/lti/login", data=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.url + "/auth"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["redirect_uri"] == "http://localhost/lti/launch" and query["client_id"] == platform.client_id
    return query["state"], query["nonce"]


def post_launch(client, platform: TestPlatform, id_token: str, state: str):
    return client.post("/lti/launch", data={"id_token": id_token, "state": state})


def launch(client, platform: TestPlatform, **claims):
    """OIDC login then the signed launch (a learner of the platform by default)."""
    state, nonce = oidc_login(client, platform)
    return post_launch(client, platform, platform.sign(platform.claims(nonce, **claims)), state)
