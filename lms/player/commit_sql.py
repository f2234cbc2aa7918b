"""The SQL of the commit path (text statements built once per process) and the commit log insert."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import TextClause, bindparam, insert, text

from lms.catalog.models import PackageVersion
from lms.core.db import db, utcnow
from lms.player.models import Attempt, CommitLog, CommitStatus, ScoState

#: the columns a commit reads from the locked state row (typed, so that JSON, Numeric and Boolean
#: values come back as on the ORM path on every database)
_LOCK_COLUMNS = (
    ScoState.id, ScoState.cmi, ScoState.last_seq, ScoState.session_key, ScoState.session_seconds,
    ScoState.completion, ScoState.success, ScoState.score_scaled, Attempt.package_version_id,
    Attempt.status.label("attempt_status"), Attempt.score.label("attempt_score"), Attempt.rule_met,
    PackageVersion.sha256, ScoState.sco_attempt, ScoState.prior_seconds, Attempt.suspended_sco,
    Attempt.cadre_id)
_LOCK_SELECT = """SELECT s.id, s.cmi, s.last_seq, s.session_key, s.session_seconds, s.completion, s.success,
       s.score_scaled, a.package_version_id, a.status AS attempt_status, a.score AS attempt_score, a.rule_met,
       v.sha256, s.sco_attempt, s.prior_seconds, a.suspended_sco, a.cadre_id
  FROM player_sco_states s
  JOIN player_attempts a ON a.id = s.attempt_id
  JOIN package_versions v ON v.id = a.package_version_id"""
#: (psycopg's placeholders below; :func:`_statement` turns them into SQLAlchemy's ``:name``)
#: the state row of one SCO of an attempt, and (with the user) the session's claim: the account active,
#: the same session version (a password change ends sessions), the attempt its cadre's
_STATE_WHERE = "\n WHERE s.attempt_id = %(attempt_id)s AND s.sco_id = %(sco_id)s"
_USER_OWNS = (" AND a.cadre_id = (SELECT u.cadre_id FROM users u WHERE u.id = %(user_id)s AND u.active"
              " AND u.session_version = %(session_version)s)")
STATE_UPDATE = """UPDATE player_sco_states SET cmi = %(cmi)s, last_seq = %(seq)s, session_key = %(session_key)s,
       session_seconds = %(session_seconds)s, completion = %(completion)s, success = %(success)s,
       score_scaled = %(score_scaled)s, total_seconds = %(total_seconds)s, updated_at = %(now)s,
       sco_attempt = %(sco_attempt)s, prior_seconds = %(prior_seconds)s
 WHERE id = %(id)s AND last_seq = %(prev_seq)s"""
UPDATE_AND_LOG = (f"WITH u AS ({STATE_UPDATE} RETURNING id)\n"
                   "INSERT INTO player_commit_logs (sco_state_id, seq, status, size, received_at)\n"
                   "SELECT id, %(seq)s, 'stored', %(size)s, %(now)s FROM u")
_STATEMENTS: dict[tuple[str, str], TextClause] = {}


def _named(sql: str) -> str:
    """psycopg's ``%(name)s`` placeholders → SQLAlchemy's ``:name``."""
    return re.sub(r"%\((\w+)\)s", r":\1", sql)


def statement(dialect: str, kind: str) -> TextClause:
    """The commit's SQL for a dialect, built once per process (text, so that running it costs no
    statement construction or cache-key walk: this is the hottest write path of the LMS)."""
    stmt = _STATEMENTS.get((dialect, kind))
    if stmt is not None:
        return stmt
    typed = [bindparam("cmi", type_=ScoState.cmi.type), bindparam("now", type_=ScoState.updated_at.type),
             bindparam("session_seconds", type_=ScoState.session_seconds.type),
             bindparam("total_seconds", type_=ScoState.total_seconds.type),
             bindparam("prior_seconds", type_=ScoState.prior_seconds.type),
             bindparam("score_scaled", type_=ScoState.score_scaled.type)]
    if kind.startswith("lock:"):
        lock = " FOR UPDATE OF s" if dialect == "postgresql" else ""
        owner = _USER_OWNS if kind == "lock:user" else ""
        stmt = text(_named(_LOCK_SELECT + _STATE_WHERE + owner) + lock).columns(*_LOCK_COLUMNS)
    elif kind == "update":
        stmt = text(_named(STATE_UPDATE)).bindparams(*typed)
    elif dialect == "postgresql":  # "update+log": the UPDATE and its log row in one round trip
        stmt = text(_named(UPDATE_AND_LOG)).bindparams(*typed)
    else:
        raise ValueError(kind)
    _STATEMENTS[(dialect, kind)] = stmt
    return stmt



class StateRow(NamedTuple):
    id: int
    cmi: dict[str, Any] | None
    last_seq: int
    session_key: str
    session_seconds: Decimal
    completion: str
    success: str
    score_scaled: float | None
    package_version_id: int
    attempt_status: str
    attempt_score: Decimal | None
    rule_met: bool
    sha256: str
    sco_attempt: int
    prior_seconds: Decimal
    suspended_sco: str | None
    cadre_id: int


#: the plain path's read: the state row, the session's claim, and the row versions (``xmin``, changed by
#: every UPDATE of the row) of the state and the attempt, kept with the row in :mod:`lms.player.state_cache`
PLAIN_SELECT = (_LOCK_SELECT.replace("\n  FROM", ",\n       s.xmin::text, a.xmin::text\n  FROM", 1)
                + _STATE_WHERE + _USER_OWNS)
#: the plain path's write: the same UPDATE (with its log row) returning the state row's new version
PLAIN_UPDATE = STATE_UPDATE + "\n RETURNING xmin::text"
PLAIN_UPDATE_AND_LOG = (f"WITH u AS ({STATE_UPDATE} RETURNING id, xmin::text AS version)\n"
                        "INSERT INTO player_commit_logs (sco_state_id, seq, status, size, received_at)\n"
                        "SELECT id, %(seq)s, 'stored', %(size)s, %(now)s FROM u RETURNING (SELECT version FROM u)")
#: the write of a commit judged against a cached row, with no read before it: it changes the row only if
#: neither the state nor the attempt changed since the cached read (their ``xmin``) and the session's
#: claim still holds (the account active, the same session version, the attempt its cadre's)
_CACHED_WHERE = ("\n   AND xmin = %(state_version)s::xid AND EXISTS (SELECT 1 FROM player_attempts a"
                 " JOIN users u ON u.cadre_id = a.cadre_id WHERE a.id = player_sco_states.attempt_id"
                 " AND a.xmin = %(attempt_version)s::xid AND u.id = %(user_id)s AND u.active"
                 " AND u.session_version = %(session_version)s)")
_CACHED_FRESH = (f"SELECT written.version, {', '.join(['NULL'] * 19)} FROM written\nUNION ALL\n"
                 + PLAIN_SELECT.replace("SELECT ", "SELECT NULL, ", 1) + "\n   AND NOT EXISTS (SELECT 1 FROM written)")
#: one row: (new version, NULLs) when it wrote; (NULL, the row as PLAIN_SELECT reads it) when the row or
#: the attempt had changed, read in the same statement (so a stale cache costs no extra round trip); no
#: row when the session's claim no longer holds or there is no such state
CACHED_UPDATE = (f"WITH written AS ({STATE_UPDATE}{_CACHED_WHERE} RETURNING id, xmin::text AS version)\n"
                 + _CACHED_FRESH)
CACHED_UPDATE_AND_LOG = (f"WITH written AS ({STATE_UPDATE}{_CACHED_WHERE} RETURNING id, xmin::text AS version),\n"
                         " logged AS (INSERT INTO player_commit_logs (sco_state_id, seq, status, size, received_at)\n"
                         "  SELECT id, %(seq)s, 'stored', %(size)s, %(now)s FROM written)\n" + _CACHED_FRESH)

PLAIN_LOG = ("INSERT INTO player_commit_logs (sco_state_id, seq, status, size, errors, received_at)"
              " VALUES (%(id)s, %(seq)s, %(status)s, %(size)s, %(errors)s, %(now)s)")


class _Kept(NamedTuple):
    """The connection a thread keeps for the plain path: taken from the engine's pool and detached from it."""

    engine: Any
    connection: Any
    cursor: Any
    pid: int
    #: ``time.monotonic()`` of its last statement
    used: float


_KEPT = threading.local()


@contextlib.contextmanager
def autocommit_cursor() -> Iterator[Any]:
    """A cursor on a PostgreSQL connection in autocommit mode (each statement its own transaction).

    Each thread keeps one such connection between commits (no pool checkout and checkin, autocommit
    switch or new cursor per commit: about a tenth of a commit's CPU, docs/benchmarks.md). It is made
    by the engine's pool (its ``connect`` hooks ran) and detached from it, so it never carries
    autocommit back to an ORM transaction. Like the pool's idle connections it is pinged once it has
    been idle ``LMS_DB_PING_AFTER_SECONDS``; a statement that fails (or anything raised while it is in
    use) closes it, and the next commit starts on a fresh one."""
    kept = _take(db.engine, float(current_app.config.get("LMS_DB_PING_AFTER_SECONDS", 10.0)))
    try:
        yield kept.cursor
    except BaseException:
        _close(kept)
        raise
    _KEPT.kept = kept._replace(used=time.monotonic())


def _take(engine: Any, idle_limit: float) -> _Kept:
    """This thread's kept connection to ``engine`` (pinged after ``idle_limit`` seconds idle), or a new one."""
    kept: _Kept | None = getattr(_KEPT, "kept", None)
    _KEPT.kept = None
    if kept is not None:
        if (kept.engine is engine and kept.pid == os.getpid() and not kept.connection.closed
                and (time.monotonic() - kept.used < idle_limit or _alive(engine, kept.connection))):
            return kept
        _close(kept)
    fairy = engine.raw_connection()
    connection = fairy.driver_connection
    fairy.detach()  # the pool forgets it: closed by this module, never returned in autocommit mode
    connection.autocommit = True
    return _Kept(engine, connection, connection.cursor(), os.getpid(), time.monotonic())


def _alive(engine: Any, connection: Any) -> bool:
    try:
        return bool(engine.dialect.do_ping(connection))
    except Exception:  # noqa: BLE001 - any failure means: use a new connection
        return False


def _close(kept: _Kept) -> None:
    if kept.pid != os.getpid():
        return  # a forked process must not end its parent's session
    with contextlib.suppress(Exception):
        kept.connection.close()

def log(state_id: int, seq: int, status: CommitStatus, size: int, errors: list | None = None) -> None:
    """One commit-log row, as a plain INSERT (no ORM flush). ``LMS_PLAYER_COMMIT_LOG = "problems"``
    keeps only duplicate, stale, refused commits and stored ones with refused elements."""
    if status == CommitStatus.stored and not errors and current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") == "problems":
        return
    db.session.execute(insert(CommitLog).values(sco_state_id=state_id, seq=seq, status=status.value, size=size,
                                                errors=errors, received_at=utcnow()))

