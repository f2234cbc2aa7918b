"""The signed launch, learner mapping, the launch session, the results endpoint and refusals."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.api import services
from lms.api.models import Consumer, ConsumerLearner, UsedNonce
from lms.core.db import db
from lms.player.models import Attempt
from lms.player.services import apply_commit
from tests.lms.api.helpers import EMAIL, setup_world, signed


@pytest.fixture
def world(app, tmp_path):
    return setup_world(tmp_path)


def launch(client, params):
    return client.get("/api/xblock/launch?" + urlencode(params))


def test_secret_is_stored_encrypted_and_recoverable(world):
    consumer = db.session.get(Consumer, world["consumer"].id)
    assert world["secret"] not in consumer.secret_encrypted
    assert services.consumer_secret(consumer) == world["secret"]


def test_linked_learner_launch_logs_in_and_opens_the_attempt(client, world):
    response = launch(client, signed(world))
    assert response.status_code == 302
    attempt = db.session.scalar(select(Attempt))
    assert attempt.cadre_id == world["cadre"].id and attempt.number == 1
    assert response.headers["Location"] == f"/api/xblock/attempts/{attempt.id}/frame"
    learner = db.session.scalar(select(ConsumerLearner))
    assert (learner.status, learner.cadre_id, learner.email) == ("linked", world["cadre"].id, EMAIL)
    user = db.session.scalar(select(User).where(User.cadre_id == world["cadre"].id))
    assert user.login == "hn0099" and {r.value for r in user.roles} == {"learner"}
    frame = client.get(response.headers["Location"])
    assert frame.status_code == 200
    assert f'/player/attempts/{attempt.id}/play' in frame.get_data(as_text=True)
    assert client.get(f"/player/attempts/{attempt.id}/play").status_code == 200


def test_launch_session_is_limited_to_the_player(client, world):
    assert launch(client, signed(world)).status_code == 302
    response = client.get("/")
    assert response.status_code == 403
    assert "chỉ dùng được cho học phần đã chọn" in response.get_data(as_text=True)


def test_second_launch_resumes_the_same_attempt_and_reuses_the_user(client, world):
    launch(client, signed(world))
    launch(client, signed(world))
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(ConsumerLearner)) == 1


def test_existing_learner_account_of_the_cadre_is_used(client, world, app):
    from tests.factories import gen_user

    user = gen_user("hv.nhung", cadre=world["cadre"])
    db.session.commit()
    launch(client, signed(world))
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(Attempt)).cadre_id == user.cadre_id


def test_unknown_email_waits_for_confirmation_then_admin_links(client, world, auth):
    from tests.factories import gen_user

    gen_user("admin", ("admin",))
    db.session.commit()
    response = launch(client, signed(world, anon="anon-x", email="la@example.com"))
    assert response.status_code == 202
    assert "Đang chờ xác nhận" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    learner = db.session.scalar(select(ConsumerLearner).where(ConsumerLearner.anonymous_user_id == "anon-x"))
    assert learner.status == "pending" and learner.cadre_id is None

    auth.login("admin")
    page = client.get("/admin/consumers/learners")
    assert "la@example.com" in page.get_data(as_text=True)
    token = auth.csrf("/admin/consumers/learners")
    bad = client.post(f"/admin/consumers/learners/{learner.id}/link", data={"csrf_token": token, "cadre_code": "NOPE"})
    assert bad.status_code == 422
    ok = client.post(f"/admin/consumers/learners/{learner.id}/link", data={"csrf_token": token, "cadre_code": "HN0100"})
    assert ok.status_code == 302
    learner = db.session.get(ConsumerLearner, learner.id)
    assert (learner.status, learner.cadre_id) == ("linked", world["other"].id)

    auth.logout()
    assert launch(client, signed(world, anon="anon-x", email="la@example.com")).status_code == 302
    assert db.session.scalar(select(Attempt)).cadre_id == world["other"].id


def test_no_email_shared_is_pending(client, world):
    response = launch(client, signed(world, anon="anon-new", email=None))
    assert response.status_code == 202


def test_a_matching_email_alone_never_links(client, world):
    """Issue 16: the consumer's e-mail is no proof — a new learner whose e-mail is the cadre's waits."""
    response = launch(client, signed(world, anon="anon-new", email=EMAIL))
    assert response.status_code == 202
    learner = db.session.scalar(select(ConsumerLearner).where(ConsumerLearner.anonymous_user_id == "anon-new"))
    assert (learner.status, learner.cadre_id, learner.email) == ("pending", None, EMAIL)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_rejected_learner_sees_the_refusal(client, world):
    from tests.factories import gen_user

    admin = gen_user("admin", ("admin",))
    db.session.commit()
    launch(client, signed(world, anon="anon-new", email=None))
    learner = db.session.scalar(select(ConsumerLearner).where(ConsumerLearner.anonymous_user_id == "anon-new"))
    services.reject_link(learner, admin)
    db.session.commit()
    response = launch(client, signed(world, anon="anon-new", email=None))
    assert response.status_code == 202
    assert "chưa được chấp nhận" in response.get_data(as_text=True)


@pytest.mark.parametrize(("change", "status", "text"), [
    ({"signature": "0" * 64}, 403, "Chữ ký của liên kết không hợp lệ"),
    ({"module": "TCCD"}, 403, "Chữ ký của liên kết không hợp lệ"),
    ({"email": "minh.le@congdoan.vn"}, 403, "Chữ ký của liên kết không hợp lệ"),
    ({"consumer": "khong-co"}, 403, "chưa được đăng ký"),
    ({"nonce": None}, 403, "Chữ ký"),
    ({"signature": None}, 400, "Thiếu tham số"),
])
def test_tampered_launch_is_refused(client, world, change, status, text):
    params = signed(world)
    for key, value in change.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    response = launch(client, params)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(ConsumerLearner)) == 1  # only the linked one


def test_expired_future_and_too_long_launches_are_refused(client, world):
    expired = launch(client, signed(world, now=time.time() - 301))
    assert expired.status_code == 403 and "đã hết hạn" in expired.get_data(as_text=True)
    future = launch(client, signed(world, now=time.time() + 120))
    assert future.status_code == 403 and "tương lai" in future.get_data(as_text=True)
    params = signed(world)
    params["expiry"] = str(int(params["timestamp"]) + 301)
    from lms_xblock.signing import sign

    params["signature"] = sign(world["secret"], "launch", params)
    too_long = launch(client, params)
    assert too_long.status_code == 403 and "quá 5 phút" in too_long.get_data(as_text=True)


def test_replayed_nonce_is_refused(client, world):
    params = signed(world)
    assert launch(client, params).status_code == 302
    replay = launch(client, params)
    assert replay.status_code == 409
    assert "đã được sử dụng" in replay.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 1


def test_expired_nonces_are_purged(client, world, app):
    from datetime import UTC, datetime

    db.session.add(UsedNonce(consumer_id=world["consumer"].id, nonce="old" * 6,
                             expires_at=datetime(2020, 1, 1, tzinfo=UTC)))
    db.session.commit()
    launch(client, signed(world))
    assert db.session.scalars(select(UsedNonce.nonce)).all() != ["old" * 6]
    assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 1


def test_disabled_consumer_is_refused(client, world):
    world["consumer"].active = False
    db.session.commit()
    response = launch(client, signed(world))
    assert response.status_code == 403


def test_unknown_module_is_a_404_page(client, world):
    response = launch(client, signed(world, module="KHONGCO"))
    assert response.status_code == 404
    assert "Không tìm thấy học phần" in response.get_data(as_text=True)


def test_redis_nonce_store(client, world, app):
    import redis

    app.config["LMS_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    try:
        params = signed(world)
        assert launch(client, params).status_code == 302
        assert launch(client, params).status_code == 409
        assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 0
        key = f"lms:api:nonce:{world['consumer'].id}:{params['nonce']}"
        conn = redis.Redis.from_url("redis://127.0.0.1:6379/15")
        assert 300 < conn.ttl(key) <= 360
        conn.delete(key)
        conn.close()
    finally:
        app.config["LMS_REDIS_URL"] = None


# --- results -----------------------------------------------------------------------------------------


def results(client, params):
    return client.post("/api/xblock/results", data=params)


def test_results_before_any_launch_are_unknown(client, world):
    body = results(client, signed(world, "results", anon="anon-never")).get_json()
    assert body == {"status": "unknown", "completion": 0.0, "completed": False, "success": "unknown", "score": None,
                    "attempts": 0, "updated_at": None, "kind": "module"}


def test_results_after_completion(client, world, app):
    launch(client, signed(world))
    attempt = db.session.scalar(select(Attempt))
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85",
                                          "cmi.core.score.min": "0", "cmi.core.score.max": "100"})
    db.session.commit()
    response = results(client, signed(world, "results"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "linked" and body["completed"] is True and body["completion"] == 1.0
    assert body["success"] == "passed" and body["score"] == 0.85 and body["attempts"] == 1
    assert body["updated_at"].endswith("+00:00")


def test_results_in_progress_count_completed_scos(client, world):
    launch(client, signed(world))
    body = results(client, signed(world, "results")).get_json()
    assert (body["status"], body["completion"], body["completed"], body["attempts"]) == ("linked", 0.0, False, 1)


def test_results_refuse_launch_signatures_and_replays(client, world):
    launch_params = signed(world, "launch")
    wrong = results(client, launch_params)
    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "launch_signature"
    params = signed(world, "results")
    assert results(client, params).status_code == 200
    replay = results(client, params)
    assert replay.status_code == 409 and "đã được sử dụng" in replay.get_json()["error"]["message"]


def test_openapi_document_is_served(client):
    import yaml

    response = client.get("/api/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    doc = yaml.safe_load(response.get_data(as_text=True))
    assert {"/api/xblock/launch", "/api/xblock/results", "/api/openapi.yaml"} <= set(doc["paths"])


# --- framing -----------------------------------------------------------------------------------------


def test_frame_page_may_be_framed_only_by_the_lms_and_consumer_origins(client, world):
    services.set_origins(world["consumer"], "https://learn.congdoan.vn, https://studio.congdoan.vn/")
    db.session.commit()
    response = launch(client, signed(world))
    frame = client.get(response.headers["Location"])
    directives = [d.strip() for d in frame.headers["Content-Security-Policy"].split(";")]
    assert "frame-ancestors 'self' https://learn.congdoan.vn https://studio.congdoan.vn" in directives
    assert "script-src 'self'" in directives and "X-Frame-Options" not in frame.headers


def test_package_files_admit_consumer_origins_and_keep_the_rest_of_their_policy(client, world):
    """By default the launcher (content origin) may be framed by the LMS and the consumers' platforms; in
    the unsafe same-origin mode the package files themselves carry that list."""
    services.set_origins(world["consumer"], "https://learn.congdoan.vn")
    db.session.commit()
    launch(client, signed(world))
    launcher = client.application.test_client().get("/c/_lms/launcher?v=1.2&lms=http%3A%2F%2Flocalhost",
                                                    base_url="http://content.localhost")
    assert launcher.status_code == 200
    assert "frame-ancestors http://localhost https://learn.congdoan.vn" in launcher.headers["Content-Security-Policy"]
    version_id = world["module"].published_version_id
    client.application.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = True
    try:
        response = client.get(f"/content/{version_id}/index.html")
    finally:
        client.application.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = False
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://learn.congdoan.vn" in csp and "object-src 'none'" in csp


def test_disabled_consumers_origins_are_dropped(client, world):
    services.set_origins(world["consumer"], "https://learn.congdoan.vn")
    world["consumer"].active = False
    services.forget_framing_origins()
    db.session.commit()
    assert services.framing_origins() == ()


@pytest.mark.parametrize("text", ["learn.congdoan.vn", "ftp://x.vn", "https://x.vn/path", "https://u:p@x.vn",
                                  "https://x.vn?q=1"])
def test_malformed_origins_are_refused(world, text):
    with pytest.raises(services.UserError) as err:
        services.set_origins(world["consumer"], text)
    assert err.value.status == 422 and text in err.value.message_vi


def test_launch_accounts_cannot_log_in_with_a_password(client, world, auth):
    launch(client, signed(world))
    user = db.session.scalar(select(User).where(User.login == "hn0099"))
    assert user.password_hash == services.UNUSABLE_PASSWORD
    other = client.application.test_client()
    token = type(auth)(other).csrf("/login")
    for guess in ("", "!launch-only", "matkhau-123"):
        response = other.post("/login", data={"login": "hn0099", "password": guess, "csrf_token": token})
        assert response.status_code in (400, 401)
