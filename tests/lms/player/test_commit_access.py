"""The commit endpoint's access rules: CSRF header, the learner's own attempt and SCO, ended sessions,
deactivated accounts, accounts without a cadre, no login."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.core.db import db
from lms.core.roles import Role
from lms.player.models import CommitLog
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.lms.player.test_commits import Player, state


@pytest.fixture
def player(client, auth, module12):
    return Player(client, auth)


def test_commit_needs_the_csrf_header(player):
    attempt_id = player.launch("T12")
    response = player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", json={"seq": 1, "cmi": {}})
    assert response.status_code == 400


def test_another_learners_attempt_is_a_404(client, auth, module12, other_learner):
    nhung = Player(client, auth)
    attempt_id = nhung.launch("T12")
    auth.logout()
    dung = Player(client, auth, "hv.dung")
    assert dung.commit(attempt_id, 1, {"cmi.core.lesson_location": "x"}).status_code == 404
    assert client.get(f"/player/attempts/{attempt_id}/play").status_code == 404


def test_unknown_sco_is_a_404(player):
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {}, sco="nope").status_code == 404


def test_a_commit_after_the_session_was_ended_is_a_401(player, tree):
    """A password change or an admin bumps the session version: the session's commits are refused
    with 401 (the claim is checked in the state query), and nothing is stored."""
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p1"}).json["status"] == "stored"
    user = db.session.scalar(select(User).where(User.login == "hv.nhung"))
    user.session_version += 1
    db.session.commit()
    response = player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p2"})
    assert response.status_code == 401 and response.json["error"]["code"] == "session_ended"
    db.session.expire_all()
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p1" and state(attempt_id).last_seq == 1


def test_a_deactivated_learners_commit_is_a_401(player):
    attempt_id = player.launch("T12")
    user = db.session.scalar(select(User).where(User.login == "hv.nhung"))
    user.active = False
    db.session.commit()
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p1"}).status_code == 401
    db.session.expire_all()
    assert state(attempt_id).last_seq == 0


def test_an_account_without_a_cadre_gets_404_on_a_learners_attempt(client, auth, module12, tree):
    learner = Player(client, auth)
    attempt_id = learner.launch("T12")
    auth.logout()
    gen_user("gv.khong", (Role.lecturer,))
    db.session.commit()
    lecturer = Player.__new__(Player)
    lecturer.client = client
    auth.login("gv.khong")
    lecturer.token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert lecturer.commit(attempt_id, 1, {"cmi.core.lesson_location": "x"}).status_code == 404


def test_without_a_login_the_commit_is_refused(client, module12):
    response = client.post("/player/attempts/1/scos/sco1/commit", json={"seq": 1, "cmi": {}})
    assert response.status_code in (302, 400, 401)
    assert db.session.scalar(select(func.count()).select_from(CommitLog)) == 0
