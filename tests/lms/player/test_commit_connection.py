"""The connection the plain commit path keeps per thread (``lms.player.commit_sql.autocommit_cursor``,
PostgreSQL only: on SQLite every commit takes the locking path): reused between commits, never handed
to an ORM transaction in autocommit mode, replaced when it was lost."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.core.db import db
from lms.player import commit_sql
from tests.lms.player.test_commits import Player, state


@pytest.fixture
def player(client, auth, module12):
    return Player(client, auth)


def _sqlite_takes_no_connection(player, monkeypatch) -> bool:
    """On SQLite (no plain path: every commit takes the locking one) the commits are stored without a kept
    connection; True there, so the PostgreSQL checks that follow are not run."""
    if db.engine.dialect.name == "postgresql":
        return False
    monkeypatch.setattr(commit_sql, "autocommit_cursor", lambda: pytest.fail("kept connection on SQLite"))
    attempt_id = _plain_commits(player)
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p2"
    assert getattr(commit_sql._KEPT, "kept", None) is None
    return True


def _kept():
    return commit_sql._KEPT.kept


def _plain_commits(player) -> int:
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_status": "incomplete"}).json["status"] == "stored"
    assert player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p2"}).json["status"] == "stored"
    return attempt_id


def _terminate(pid: int) -> None:
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_plain_commits_reuse_one_connection_outside_the_pool(player, monkeypatch):
    if _sqlite_takes_no_connection(player, monkeypatch):
        return
    attempt_id = _plain_commits(player)
    kept = _kept()
    assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).json["status"] == "stored"
    assert _kept().connection is kept.connection and kept.connection.autocommit
    orm = db.session.connection().connection.driver_connection
    assert orm is not kept.connection and not orm.autocommit  # the ORM's transactions stay transactions
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p3"


def test_a_connection_lost_while_idle_is_replaced_before_use(player, app, monkeypatch):
    """Pinged once idle LMS_DB_PING_AFTER_SECONDS (0 here: before every commit), as the pool does."""
    if _sqlite_takes_no_connection(player, monkeypatch):
        return
    attempt_id = _plain_commits(player)
    monkeypatch.setitem(app.config, "LMS_DB_PING_AFTER_SECONDS", 0)
    lost = _kept().connection
    _terminate(lost.info.backend_pid)
    assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).json["status"] == "stored"
    assert _kept().connection is not lost and lost.closed
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p3"


def test_a_statement_that_fails_closes_the_connection_and_the_commit_is_stored(player, monkeypatch):
    """Lost without a ping (it was used within the delay): the statement fails, the connection is closed,
    and the commit is made again (the lean path declines, the Flask route takes a fresh connection)."""
    if _sqlite_takes_no_connection(player, monkeypatch):
        return
    attempt_id = _plain_commits(player)
    lost = _kept().connection
    _terminate(lost.info.backend_pid)
    assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).json["status"] == "stored"
    assert lost.closed and _kept().connection is not lost
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p3"
