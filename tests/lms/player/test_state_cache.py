"""A plain commit judged against the row this process wrote last (lms.player.state_cache, PostgreSQL):
any other write to the state or the attempt, and any change of the session's claim, is seen by the
next commit exactly as without the cache. On SQLite every commit takes the locking path, so the same
assertions hold there as well."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select, text

from lms.accounts.models import User
from lms.core.db import db
from lms.player import commit_sql
from lms.player.state_cache import state_cache
from tests.lms.player.test_commits import Player, _CountingCursor, state


@pytest.fixture
def player(client, auth, module12):
    return Player(client, auth)


def _cached_commits(player) -> int:
    """An attempt with two stored commits: the second one (plain on PostgreSQL) leaves the row cached."""
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_status": "incomplete"}).json["status"] == "stored"
    assert player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p2"}).json["status"] == "stored"
    return attempt_id


def _write(sql: str, **params) -> None:
    with db.engine.connect() as other:  # another worker, tab or page, in its own transaction
        other.execute(text(sql), params)
        other.commit()


def test_the_row_is_kept_after_a_plain_commit(player, app):
    attempt_id = _cached_commits(player)
    cache = state_cache(app)
    if db.engine.dialect.name == "postgresql":
        assert cache is not None and len(cache) == 1
    assert player.commit(attempt_id, 3, {"cmi.suspend_data": "abc"}).json["status"] == "stored"
    db.session.expire_all()
    stored = state(attempt_id)
    assert (stored.last_seq, stored.cmi["cmi.core.lesson_location"], stored.cmi["cmi.suspend_data"]) == (3, "p2", "abc")


def test_another_write_to_the_state_is_not_overwritten(player):
    """Another write that leaves ``last_seq`` alone (its row version changes): the next commit merges into
    what that write stored, not into the kept row."""
    attempt_id = _cached_commits(player)
    _write("UPDATE player_sco_states SET cmi = :cmi WHERE attempt_id = :a",
           cmi='{"cmi.core.lesson_location": "elsewhere", "cmi.core.lesson_status": "incomplete"}', a=attempt_id)
    assert player.commit(attempt_id, 3, {"cmi.suspend_data": "abc"}).json["status"] == "stored"
    db.session.expire_all()
    stored = state(attempt_id)
    assert (stored.last_seq, stored.cmi["cmi.core.lesson_location"], stored.cmi["cmi.suspend_data"]) == (
        3, "elsewhere", "abc")


def test_a_stale_kept_row_costs_no_extra_statement(player, monkeypatch):
    """On PostgreSQL the cached write that finds the row changed reads it in the same statement: the
    commit then takes two statements (as without the cache), and what the other write stored is kept."""
    attempt_id = _cached_commits(player)
    raw: list[str] = []
    real = commit_sql.autocommit_cursor

    @contextlib.contextmanager
    def counting():
        with real() as cursor:
            yield _CountingCursor(cursor, raw)

    monkeypatch.setattr(commit_sql, "autocommit_cursor", counting)
    _write("UPDATE player_sco_states SET cmi = :cmi WHERE attempt_id = :a",
           cmi='{"cmi.core.lesson_location": "elsewhere", "cmi.core.lesson_status": "incomplete"}', a=attempt_id)
    assert player.commit(attempt_id, 3, {"cmi.suspend_data": "abc"}).json["status"] == "stored"
    if db.engine.dialect.name == "postgresql":
        assert len(raw) == 2 and raw[0].startswith("WITH written AS"), raw
    db.session.expire_all()
    stored = state(attempt_id)
    assert (stored.cmi["cmi.core.lesson_location"], stored.cmi["cmi.suspend_data"]) == ("elsewhere", "abc")


def test_a_newer_commit_from_elsewhere_makes_this_one_stale(player):
    attempt_id = _cached_commits(player)
    _write("UPDATE player_sco_states SET last_seq = 7 WHERE attempt_id = :a", a=attempt_id)
    response = player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"})
    assert response.json["status"] == "stale" and response.json["seq"] == 7
    db.session.expire_all()
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p2"


def test_a_change_of_the_attempt_is_seen(player):
    """The attempt changed (here its score, as re-grading elsewhere would): the answer carries it."""
    attempt_id = _cached_commits(player)
    _write("UPDATE player_attempts SET score = 42 WHERE id = :a", a=attempt_id)
    response = player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"})
    assert response.json["status"] == "stored" and response.json["attempt"]["score"] == 42


def test_a_deactivated_account_is_refused_after_cached_commits(player):
    """The claim (active account, session version, the attempt its cadre's) is checked by the cached
    write itself: a learner deactivated between two commits gets 401 and nothing is stored."""
    attempt_id = _cached_commits(player)
    user = db.session.scalar(select(User).where(User.login == "hv.nhung"))
    user.active = False
    db.session.commit()
    assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).status_code == 401
    db.session.expire_all()
    assert state(attempt_id).last_seq == 2 and state(attempt_id).cmi["cmi.core.lesson_location"] == "p2"


def test_a_retry_of_the_cached_commit_is_a_duplicate_and_changes_nothing(player):
    attempt_id = _cached_commits(player)
    again = player.commit(attempt_id, 2, {"cmi.core.lesson_location": "other"})
    assert again.json["status"] == "duplicate"
    db.session.expire_all()
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p2"


def test_the_cache_can_be_turned_off(client, auth, module12, app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_PLAYER_STATE_CACHE", 0)  # restored after the test (a session-wide app)
    player = Player(client, auth)
    attempt_id = _cached_commits(player)
    assert state_cache(app) is None
    assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).json["status"] == "stored"
