"""LTI Advantage against the test platform over HTTP: Deep Linking 2.0 (the signed
LtiDeepLinkingResponse, §4.2), Assignment and Grade Services 2.0 (score after a completion, §3.4, with a
client-credentials token obtained by our signed JWT, Security Framework §4.1), Names and Role
Provisioning 2.0 (the roster)."""

from __future__ import annotations

import jwt
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from lms.core.db import db
from lms.lti import services
from lms.lti.models import LtiLaunch
from lms.player.models import Attempt
from lms.player.services import apply_commit
from lms.records.models import TrainingRecord
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.lms.lti.helpers import launch, link_identity, oidc_login, post_launch
from tests.lms.lti.platform import LEARNER

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _tool_jwks(client, platform) -> None:
    platform.tool_jwks = client.get("/lti/jwks.json").get_json()


def test_deep_linking_returns_a_signed_resource_link(client, world, platform):
    _tool_jwks(client, platform)
    chooser = launch(client, platform, kind="deep")
    assert chooser.status_code == 200
    page = chooser.get_data(as_text=True)
    assert 'data-choose="ATVSLD"' in page
    launch_id = page.split('name="launch_id" value="')[1].split('"')[0]
    answer = client.post("/lti/deep-link", data={"launch_id": launch_id, "module": "ATVSLD"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert f'action="{platform.url}/deep-link-return"' in html
    token = html.split('name="JWT" value="')[1].split('"')[0]
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in platform.tool_jwks["keys"] if k["kid"] == kid)
    body = jwt.decode(token, RSAAlgorithm.from_jwk(key), algorithms=["RS256"], audience=platform.url)
    assert body["iss"] == platform.client_id
    assert body["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert body[DL + "data"] == "opaque-7"
    (item,) = body[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lti/launch"
    assert item["custom"] == {"module": "ATVSLD"} and item["lineItem"]["scoreMaximum"] == 100
    # the chooser's launch is used once
    assert client.post("/lti/deep-link", data={"launch_id": launch_id, "module": "ATVSLD"}).status_code == 400


def test_deep_linking_is_for_instructors_only(client, world, platform):
    response = launch(client, platform, kind="deep", roles=[LEARNER])
    assert response.status_code == 403 and "giảng viên" in response.get_data(as_text=True)


def test_completion_sends_the_score_through_ags(client, world, platform):
    _tool_jwks(client, platform)
    link_identity(world)
    assert launch(client, platform).status_code == 200
    attempt = db.session.scalar(select(Attempt))
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85",
                                          "cmi.core.score.min": "0", "cmi.core.score.max": "100"}, terminate=True)
    db.session.commit()
    record = db.session.scalar(select(TrainingRecord))
    assert record.cadre_id == world["cadre"].id and record.evidence == {"attempt_id": attempt.id}
    (score,) = platform.scores
    assert score["userId"] == "moodle-user-42" and score["scoreGiven"] == 85 and score["scoreMaximum"] == 100
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert platform.assertions[0]["aud"] == platform.url + "/token"
    sent = db.session.scalar(select(LtiLaunch))
    assert sent.score_status == "sent" and sent.score_sent_at is not None
    assert services.source_label(record) == "LTI Moodle thử nghiệm"


def test_a_refused_score_is_kept_and_resent(client, world, platform, runner):
    link_identity(world)
    launch(client, platform)  # the platform does not know our keys yet: the token is refused
    attempt = db.session.scalar(select(Attempt))
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": "completed"}, terminate=True)
    db.session.commit()
    assert platform.scores == []
    failed = db.session.scalar(select(LtiLaunch))
    assert failed.score_status == "failed" and "401" in failed.last_error
    _tool_jwks(client, platform)
    result = runner.invoke(args=["lti", "send-scores"])
    assert "sent 1" in result.output
    assert platform.scores[0]["scoreGiven"] == 100  # completed without a score: full marks


def test_roster_through_nrps_shows_linked_and_unlinked(client, world, platform, auth):
    _tool_jwks(client, platform)
    link_identity(world)
    launch(client, platform)
    platform.members = [
        {"user_id": "moodle-user-42", "name": "Trần Thị Hồng Nhung", "email": "nhung.tran@congdoan.vn",
         "roles": [LEARNER], "status": "Active"},
        {"user_id": "moodle-user-77", "name": "Lê Văn Minh", "roles": [LEARNER], "status": "Active"}]
    gen_user("admin", ("admin",))
    db.session.commit()
    client.get("/logout")
    admin = client.application.test_client()
    from tests.conftest import AuthActions

    AuthActions(admin).login("admin")
    page = admin.get(f"/admin/lti/{world['platform'].id}/roster")
    assert page.status_code == 200 and 'data-pull="course-5"' in page.get_data(as_text=True)
    chosen = db.session.scalar(select(LtiLaunch))
    pulled = admin.post(f"/admin/lti/{world['platform'].id}/roster",
                        data={"launch": chosen.id, "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    html = pulled.get_data(as_text=True)
    assert pulled.status_code == 200
    assert 'data-member="moodle-user-42" data-linked="yes"' in html and "HN0099" in html
    assert 'data-member="moodle-user-77" data-linked="no"' in html


def test_admin_registers_a_platform(client, app, platform, auth):
    gen_user("admin", ("admin",))
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/lti/")
    assert page.status_code == 200 and "http://localhost/lti/jwks.json" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    bad = client.post("/admin/lti/", data={"csrf_token": token, "name": "X", "issuer": "i", "client_id": "c",
                                           "deployment_ids": "d", "auth_login_url": "không phải url",
                                           "auth_token_url": "", "key_set_url": ""})
    assert bad.status_code == 422 and "Địa chỉ không hợp lệ" in bad.get_data(as_text=True)
    good = client.post("/admin/lti/", data={"csrf_token": token, **platform.registration()})
    assert good.status_code == 201
    state, nonce = oidc_login(client, platform)  # the registration works at once (no module here: 404)
    launched = post_launch(client, platform, platform.sign(platform.claims(nonce)), state)
    assert launched.status_code == 404 and "Không tìm thấy học phần" in launched.get_data(as_text=True)
    again = client.post("/admin/lti/", data={"csrf_token": token, **platform.registration()})
    assert again.status_code == 409


def test_scoped_admin_sees_platforms_read_only_and_national_admin_toggles(client, world, platform, auth):
    gen_user("admin.tinh", ("admin",), scope=world["unit"])
    gen_user("admin", ("admin",))
    db.session.commit()
    auth.login("admin.tinh")
    page = client.get("/admin/lti/")
    assert page.status_code == 200 and "Đăng ký nền tảng" not in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post("/admin/lti/", data={"csrf_token": token, **platform.registration()}).status_code == 403
    assert client.post(f"/admin/lti/{world['platform'].id}/toggle", data={"csrf_token": token}).status_code == 403
    auth.logout()
    auth.login("admin")
    token = csrf_token_from(client.get("/admin/lti/").get_data(as_text=True))
    assert client.post(f"/admin/lti/{world['platform'].id}/toggle", data={"csrf_token": token}).status_code == 200
    db.session.refresh(world["platform"])
    assert world["platform"].active is False
