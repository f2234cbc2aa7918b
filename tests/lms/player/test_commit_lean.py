"""The commit on the lean path (lms.player.commit_lean, lms.core.lean) answers exactly as the Flask route:
the same status, body and headers, header by header, for what it answers and for what it hands to Flask.

Each case sends the same request with the lean path on and off (``LMS_LEAN_PATHS``). On PostgreSQL the
lean path answers the stored, duplicate and stale commits itself (asserted with its counter); on SQLite
every commit takes the locking path, so it declines them all and the same comparisons hold."""

from __future__ import annotations

import json

import pytest

from lms.core.db import db
from lms.core.lean import MAX_ANSWER_BYTES
from tests.conftest import AuthActions
from tests.lms.player.test_commits import Player

COMMIT = {"cmi.core.lesson_location": "p2", "cmi.suspend_data": "abc", "cmi.core.session_time": "00:01:00"}


@pytest.fixture
def learners(app, client, auth, module12, other_learner):
    """Two learners, each with an attempt on the same module and two stored commits (seq 1, 2)."""
    other = app.test_client()
    players = [Player(client, auth), Player(other, AuthActions(other), login="hv.dung")]
    attempts = [p.launch("T12") for p in players]
    for player, attempt_id in zip(players, attempts, strict=True):
        for seq in (1, 2):
            assert player.commit(attempt_id, seq, {"cmi.core.lesson_status": "incomplete"}).json["status"] == "stored"
    yield list(zip(players, attempts, strict=True))
    app.extensions.pop("lms_player_state_cache", None)  # the rows kept for these attempts go with them


def _lean(app, on: bool) -> None:
    app.config["LMS_LEAN_PATHS"] = on


def _answered(app) -> int:
    return app.extensions["lms_lean"].answered


def _same(first, second) -> None:
    assert first.status_code == second.status_code
    assert first.get_data() == second.get_data()
    assert first.headers.to_wsgi_list() == second.headers.to_wsgi_list()


def _twice(app, send):
    """``send()`` with the lean path on, then off; the answers and how many the lean path answered."""
    before = _answered(app)
    try:
        _lean(app, True)
        lean = send()
        answered = _answered(app) - before
        _lean(app, False)
        flask = send()
    finally:
        _lean(app, True)
    return lean, flask, answered


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.mark.parametrize("seq, status", [(3, "stored"), (2, "duplicate"), (1, "stale")])
def test_a_plain_commit_gets_the_flask_answer(app, learners, seq, status):
    """Two learners in the same state send the same commit, one on each path."""
    (lean_player, lean_attempt), (flask_player, flask_attempt) = learners
    _lean(app, True)
    before = _answered(app)
    lean = lean_player.commit(lean_attempt, seq, COMMIT)
    assert _answered(app) - before == (1 if _postgres() else 0)
    _lean(app, False)
    try:
        flask = flask_player.commit(flask_attempt, seq, COMMIT)
    finally:
        _lean(app, True)
    assert lean.status_code == 200 and lean.json["status"] == status
    _same(lean, flask)
    assert len(lean.get_data()) < MAX_ANSWER_BYTES


def test_the_stored_commit_is_the_same_on_both_paths(app, learners):
    (lean_player, lean_attempt), (flask_player, flask_attempt) = learners
    from tests.lms.player.test_commits import state

    lean_player.commit(lean_attempt, 3, COMMIT)
    _lean(app, False)
    try:
        flask_player.commit(flask_attempt, 3, COMMIT)
    finally:
        _lean(app, True)
    db.session.expire_all()
    assert state(lean_attempt).cmi == state(flask_attempt).cmi
    assert state(lean_attempt).last_seq == state(flask_attempt).last_seq == 3


def test_a_bad_csrf_token_is_flasks_400(app, learners):
    player, attempt_id = learners[0]
    send = lambda: player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit",  # noqa: E731
                                      json={"seq": 3, "cmi": COMMIT}, headers={"X-CSRFToken": "forged"})
    lean, flask, answered = _twice(app, send)
    assert lean.status_code == 400 and answered == 0
    _same(lean, flask)


def test_a_missing_csrf_token_is_flasks_400(app, learners):
    player, attempt_id = learners[0]
    send = lambda: player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit",  # noqa: E731
                                      json={"seq": 3, "cmi": COMMIT})
    lean, flask, answered = _twice(app, send)
    assert lean.status_code == 400 and answered == 0
    _same(lean, flask)


def test_a_logged_out_learner_gets_flasks_401(app, learners):
    player, attempt_id = learners[0]
    AuthActions(player.client).logout()
    lean, flask, answered = _twice(app, lambda: player.commit(attempt_id, 3, COMMIT))
    assert lean.status_code in {400, 401} and answered == 0
    _same(lean, flask)


def test_another_learners_attempt_is_flasks_404(app, learners):
    (player, _), (_, other_attempt) = learners
    lean, flask, answered = _twice(app, lambda: player.commit(other_attempt, 3, COMMIT))
    assert lean.status_code == 404 and answered == 0
    _same(lean, flask)


def test_an_oversize_body_is_flasks_413(app, learners):
    player, attempt_id = learners[0]
    configured = app.config["LMS_MAX_COMMIT_KB"]
    app.config["LMS_MAX_COMMIT_KB"] = 1
    try:
        lean, flask, answered = _twice(app, lambda: player.commit(attempt_id, 3, {"cmi.suspend_data": "x" * 2048}))
    finally:
        app.config["LMS_MAX_COMMIT_KB"] = configured
    assert lean.status_code == 413 and answered == 0
    _same(lean, flask)


@pytest.mark.parametrize("body", [b'{"seq": 3, "cmi": {', b"[1, 2]", b'{"seq": "x", "cmi": {}}', b'{"seq": 3, "cmi": "x"}'])
def test_a_malformed_body_gets_flasks_answer(app, learners, body):
    player, attempt_id = learners[0]
    send = lambda: player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", data=body,  # noqa: E731
                                      content_type="application/json", headers={"X-CSRFToken": player.token})
    lean, flask, answered = _twice(app, send)
    assert lean.status_code in {400, 422} and answered == 0
    _same(lean, flask)


def test_a_commit_that_needs_the_locking_path_goes_to_flask(app, learners):
    """Completing the SCO re-grades the attempt: one transaction on the locking path, not the lean one."""
    (lean_player, lean_attempt), (flask_player, flask_attempt) = learners
    done = {"cmi.core.lesson_status": "completed"}
    before = _answered(app)
    lean = lean_player.commit(lean_attempt, 3, done)
    assert _answered(app) == before
    _lean(app, False)
    try:
        _same(lean, flask_player.commit(flask_attempt, 3, done))
    finally:
        _lean(app, True)
    assert json.loads(lean.get_data())["attempt"]["status"] == "completed"


def test_the_lean_path_knows_every_request_hook(app):
    """The lean path answers as Flask would only while these hooks do nothing to a plain commit (see
    lms.core.lean): a new hook must be judged there, then listed here."""
    names = {f"{f.__module__}.{f.__qualname__}" for funcs in (app.before_request_funcs, app.after_request_funcs)
             for key in funcs for f in funcs[key] if key in (None, "player")}
    assert {n.split(".<locals>")[0] for n in names} == {
        "lms.core.db.init_app", "lms.core.forms.init_app", "lms.core.transfer.init_app",
        "lms.api.launch_session.guard_launch_session", "lms.offline.views.clear_site_data_on_logout",
        "lms.accounts.recovery_views._force_password_change", "lms.catalog.views._content_origin_only_serves_content",
        "lms.catalog.views._no_cookies_on_the_content_origin", "flask_login.login_manager.LoginManager._update_remember_cookie",
        "lms.core.headers._Talisman._set_response_headers", "flask_wtf.csrf.CSRFProtect.init_app",
    }


def test_a_commit_over_https_gets_the_same_hsts(app, learners):
    """HSTS by Talisman's rule (HTTPS, or a proxy's ``X-Forwarded-Proto: https``) on both paths."""
    (lean_player, lean_attempt), (flask_player, flask_attempt) = learners

    def send(player, attempt_id):
        return player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", json={"seq": 3, "cmi": COMMIT},
                                  headers={"X-CSRFToken": player.token, "X-Forwarded-Proto": "https"})

    before = _answered(app)
    lean = send(lean_player, lean_attempt)
    assert _answered(app) - before == (1 if _postgres() else 0)
    _lean(app, False)
    try:
        flask = send(flask_player, flask_attempt)
    finally:
        _lean(app, True)
    _same(lean, flask)
    assert ("Strict-Transport-Security" in lean.headers) == (int(app.config.get("LMS_HSTS_SECONDS") or 0) > 0)
