"""The page-close commit beacon (issue 15; lms/player/commit_beacon.py): the launcher's last commit when the
tab closes, authorised by a token that names one attempt's SCO and the session's claim — never the page's
CSRF token — and stored by exactly the commit endpoint's rules."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from tests.lms.player.test_commits import Player, state


@pytest.fixture
def player(client, auth, module12):
    return Player(client, auth)


def _beacon(client, attempt_id: int) -> dict:
    page = client.get(f"/player/attempts/{attempt_id}/play").get_data(as_text=True)
    config = json.loads(re.search(r'id="player-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    return config["beacon"]


def _send(app, url: str, body: dict):
    """A beacon: text/plain JSON, no session cookie, no CSRF header (a fresh client)."""
    return app.test_client().post(url, data=json.dumps(body), content_type="text/plain;charset=UTF-8")


def test_a_beacon_with_its_token_is_stored_like_a_commit(app, player):
    attempt_id = player.launch("T12")
    beacon = _beacon(player.client, attempt_id)
    assert beacon["url"].endswith(f"/player/attempts/{attempt_id}/scos/sco1/commit-beacon")
    assert player.token not in json.dumps(beacon)  # the launcher never gets the session's CSRF token
    body = {"token": beacon["token"], "seq": 5, "session": "s1", "terminate": True,
            "cmi": {"cmi.core.lesson_location": "cuoi", "cmi.suspend_data": "ket-thuc", "cmi.core.exit": "suspend"}}
    response = _send(app, beacon["url"], body)
    assert response.status_code == 200 and response.json["status"] == "stored"
    row = state(attempt_id)
    assert row.cmi["cmi.core.lesson_location"] == "cuoi" and row.last_seq == 5
    again = _send(app, beacon["url"], body)  # the page delivered it too: idempotent by the sequence
    assert again.status_code == 200 and again.json["status"] == "duplicate"


def test_a_beacon_without_the_right_token_stores_nothing(app, player):
    attempt_id = player.launch("T12")
    token = _beacon(player.client, attempt_id)["token"]
    base = f"/player/attempts/{attempt_id}/scos"
    body = {"seq": 1, "session": "s1", "cmi": {"cmi.core.lesson_location": "x"}}
    assert _send(app, f"{base}/sco1/commit-beacon", body).status_code == 403  # no token
    assert _send(app, f"{base}/sco1/commit-beacon", {**body, "token": token + "x"}).status_code == 403
    assert _send(app, f"{base}/other/commit-beacon", {**body, "token": token}).status_code == 403  # another SCO
    other = f"/player/attempts/{attempt_id + 1}/scos/sco1/commit-beacon"
    assert _send(app, other, {**body, "token": token}).status_code == 403  # another attempt
    assert state(attempt_id).last_seq == 0


def test_a_beacon_after_the_session_was_ended_is_refused(app, player):
    attempt_id = player.launch("T12")
    beacon = _beacon(player.client, attempt_id)
    user = db.session.scalar(select(User).where(User.login == "hv.nhung"))
    user.session_version += 1  # a password change, "log out everywhere"
    db.session.commit()
    response = _send(app, beacon["url"], {"token": beacon["token"], "seq": 1, "session": "s1",
                                          "cmi": {"cmi.core.lesson_location": "x"}})
    assert response.status_code == 401
    db.session.expire_all()
    assert state(attempt_id).last_seq == 0


def test_an_oversize_beacon_is_413(app, player):
    previous = app.config.get("LMS_MAX_COMMIT_KB")
    app.config["LMS_MAX_COMMIT_KB"] = 1
    try:
        attempt_id = player.launch("T12")
        beacon = _beacon(player.client, attempt_id)
        response = _send(app, beacon["url"], {"token": beacon["token"], "seq": 1, "session": "s1",
                                              "cmi": {"cmi.suspend_data": "x" * 4000}})
    finally:
        app.config["LMS_MAX_COMMIT_KB"] = previous
    assert response.status_code == 413
    assert state(attempt_id).last_seq == 0
