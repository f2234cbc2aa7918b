"""Commits: store a SCO's run-time data through one of two paths, see ``docs/player.md``.

What a commit does to the state is decided by :func:`lms.player.merge.judge`; this module reads the row,
writes the result, and (on the locking path) records refused elements, shared data, the suspendAll
position, and re-grades the attempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, NoReturn

from flask import current_app
from sqlalchemy import select, update

from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.player import commit_sql as sql
from lms.player.grading import refresh_attempt
from lms.player.merge import MAX_REFUSED, Commit, Judgement, judge, summary
from lms.player.models import Attempt, CommitStatus, ScoState
from lms.player.shared_data import save_buckets
from lms.player.state_cache import MAX_ROW_BYTES, Cached, Key, StateCache, state_cache
from lms.player.versions import version_info


@dataclass
class CommitResult:
    """The answer to a commit: its status, the stored sequence, refused elements, the attempt's summary."""

    status: str
    seq: int
    #: refused elements: with ``status`` "refused" nothing was stored, with "stored" the others were
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: {"status", "score", "rule_met"} of the attempt after the commit
    summary: dict[str, Any] = field(default_factory=dict)


def elapsed_seconds(value: Any) -> Decimal | None:
    """The page's ``elapsed`` (seconds from Initialize), or None when missing or not a finite number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


class Refusal(NamedTuple):
    """Why a commit's body is refused before it is judged: HTTP status, error code, messages."""

    status: int
    code: str
    vi: str
    en: str


def parse_commit(body: Any, query_seq: str | None, size: int) -> Commit | Refusal:
    """The :class:`Commit` a request's JSON ``body`` (``{"seq", "session", "cmi": {flattened},
    "terminate", "terminate_by_lms", "elapsed"}``; ``seq`` also from the query) asks for, or why it is
    refused (400). Shared by the Flask route and the lean path (lms.player.commit_lean)."""
    if not isinstance(body, dict):
        return Refusal(400, "bad_request", "Dữ liệu gửi lên không phải JSON hợp lệ.", "The body is not valid JSON.")
    seq = body.get("seq", body.get("commitSequence", query_seq))
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        return Refusal(400, "bad_sequence", "Thiếu số thứ tự lần lưu (seq).", "Missing commit sequence (seq).")
    if seq <= 0 or seq > 2**62:
        return Refusal(400, "bad_sequence", "Số thứ tự lần lưu không hợp lệ.", "Invalid commit sequence.")
    payload = body.get("cmi") if "cmi" in body else {k: v for k, v in body.items() if k.startswith(("cmi.", "adl."))}
    if isinstance(payload, dict):  # scorm-again flattens an empty array to [] under its own name
        payload = {k: v for k, v in payload.items() if not (isinstance(v, list | dict) and not v)}
    by_lms = body.get("terminate_by_lms") is True
    return Commit(seq, str(body.get("session") or ""), payload, size, body.get("terminate") is True or by_lms,
                  by_lms, elapsed_seconds(body.get("elapsed")))


def commit_answer(result: CommitResult) -> dict[str, Any]:
    """The JSON answer to a commit that was judged (stored, duplicate, stale)."""
    return {"result": "true", "errorCode": 0, "status": result.status, "seq": result.seq,
            "attempt": result.summary, "refused": result.errors}


def _judge(row: Any, sco_id: str, commit: Commit) -> Judgement:
    strict = bool(current_app.config.get("LMS_SCORM12_STRICT_SUSPEND_DATA", False))
    return judge(row, version_info(row.package_version_id, row.sha256), sco_id, commit, strict)


def apply_commit(attempt: Attempt | int, sco_id: str, seq: int, session_key: str, payload: Any, size: int = 0, *,
                 user: tuple[int, int] | None = None, terminate: bool = False, by_lms: bool = False,
                 elapsed: Decimal | None = None) -> CommitResult:
    """Validate and store one commit of a SCO (see docs/player.md for the rules).

    ``attempt`` is an :class:`Attempt` or an id. With ``user`` (the session's ``(user id, session
    version)``) the attempt must be the cadre's of that active user whose sessions have not been ended —
    checked in the same query that reads and locks the state, so the commit endpoint loads no user;
    else 404 (401 for a user whose session is no longer valid). ``terminate``: the commit of
    LMSFinish/Terminate (the run-time session ends); ``by_lms``: the page terminated a SCO that did not,
    ``elapsed`` seconds after Initialize.

    * ``seq`` ≤ the stored sequence → ``duplicate`` (the same number) or ``stale`` (older): nothing changes.
    * a body that is not an object of elements → ``refused``: nothing changes.
    * otherwise every valid element is stored and the invalid ones are answered in ``errors`` and kept on
      the SCO state (``refused``); a conditional UPDATE on ``last_seq`` keeps a concurrent newer commit
      from being overwritten. The attempt is re-graded only when the SCO's best result changed, the
      session ended, or the attempt had not started.

    On PostgreSQL a commit that only writes the state row is :func:`_plain_commit` (two statements, no
    explicit transaction); every other one takes the locking path here.
    """
    commit = Commit(seq, session_key, payload, size, terminate, by_lms, elapsed)
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    if user is not None and isinstance(attempt, int) and (plain := apply_plain(attempt_id, sco_id, commit, user)):
        return plain
    conn = db.session.connection()
    dialect = conn.dialect.name
    params: dict[str, Any] = {"attempt_id": attempt_id, "sco_id": sco_id}
    if user is not None:
        params.update(user_id=user[0], session_version=user[1])
    row = conn.execute(sql.statement(dialect, "lock:user" if user else "lock:any"), params).one_or_none()
    if row is None:
        _not_found(attempt_id, user)
    judged = _judge(row, sco_id, commit)
    if judged.status != CommitStatus.stored:
        sql.log(row.id, seq, judged.status, size, judged.errors or None)
        return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
    log_all = current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") != "problems"
    if log_all and dialect == "postgresql" and not judged.errors:
        stored = conn.execute(sql.statement(dialect, "update+log"), judged.values).rowcount == 1
    else:
        stored = conn.execute(sql.statement(dialect, "update"), judged.values).rowcount == 1
        if stored and (log_all or judged.errors):
            sql.log(row.id, seq, CommitStatus.stored, size, judged.errors or None)
    if not stored:  # a newer commit got in between (only possible without row locks)
        sql.log(row.id, seq, CommitStatus.stale, size)
        return CommitResult(CommitStatus.stale.value, row.last_seq, summary=judged.summary)
    _side_effects(row, attempt_id, sco_id, seq, judged)
    answer = judged.summary
    if judged.regrade:
        if isinstance(attempt, Attempt):
            db.session.expire(attempt)  # the state was written around the ORM
        graded = refresh_attempt(attempt if isinstance(attempt, Attempt) else db.session.get(Attempt, attempt_id),
                                 session_ended=judged.ends_session)
        answer = summary(graded.status, graded.score, graded.rule_met)
    return CommitResult(CommitStatus.stored.value, seq, judged.errors, summary=answer)


def _side_effects(row: Any, attempt_id: int, sco_id: str, seq: int, judged: Judgement) -> None:
    """What the locking path writes besides the state: refused elements (latest ``MAX_REFUSED`` kept on
    the state for the lecturer), shared data buckets, the attempt's suspendAll position."""
    if judged.errors:
        state = db.session.get(ScoState, row.id, populate_existing=True)
        kept = list(state.refused or []) + [{**e, "seq": seq, "at": utcnow().isoformat()} for e in judged.errors]
        state.refused = kept[-MAX_REFUSED:]
    if judged.buckets:
        save_buckets(row.cadre_id, judged.buckets)
    changes, position = judged.suspended_sco
    if changes:
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(suspended_sco=position)
                           .execution_options(synchronize_session=False))
    db.session.flush()


def apply_plain(attempt_id: int, sco_id: str, commit: Commit, user: tuple[int, int]) -> CommitResult | None:
    """The commit on the plain path (PostgreSQL, ``LMS_PLAYER_PLAIN_COMMITS``), or None — nothing written —
    when it needs the locking path of :func:`apply_commit` (also the lean path's, lms.player.commit_lean)."""
    if db.engine.dialect.name != "postgresql" or not current_app.config.get("LMS_PLAYER_PLAIN_COMMITS", True):
        return None
    return _plain_commit(attempt_id, sco_id, commit, user)


def _plain_commit(attempt_id: int, sco_id: str, commit: Commit, user: tuple[int, int]) -> CommitResult | None:
    """The commits a SCO sends while the learner works (bookmark, suspend_data, interactions, session
    time) on PostgreSQL, with no explicit transaction: read the state (checking the session's user),
    validate and merge, then one UPDATE conditional on the sequence read — with its log row, in the same
    statement — that is its own transaction. A commit that lost a race with another tab re-reads and
    tries again. When this process wrote the row last (:mod:`lms.player.state_cache`) the read is
    skipped: the commit is judged against that row and written by one statement that also checks the
    row versions and the session's claim; if anything changed, that statement reads the row instead
    (no extra round trip) and the commit is judged again on it.

    ``None`` hands the commit to the locking path of :func:`apply_commit`: no row (401/404 are decided
    there), a commit that changes the SCO's result, ends the run-time session or starts the attempt
    (the attempt is re-graded and may get its record, which needs one transaction), that refused an
    element, writes shared data or the suspendAll position, or three lost races.
    """
    log_all = current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") != "problems"
    cache = state_cache(current_app)
    key = (attempt_id, sco_id, user[0], user[1])
    params = {"attempt_id": attempt_id, "sco_id": sco_id, "user_id": user[0], "session_version": user[1]}
    with sql.autocommit_cursor() as cursor:
        fresh: Any = None  # the row read by a cached write that found it changed
        if cache is not None and (cached := cache.get(key)) is not None:
            judged = _judge(cached.row, sco_id, commit)
            if judged.status == CommitStatus.stored and not judged.needs_lock:
                extra = {**params, "state_version": cached.state_version, "attempt_version": cached.attempt_version}
                answer = _write(cursor, sql.CACHED_UPDATE_AND_LOG if log_all else sql.CACHED_UPDATE, extra,
                                cached.row, cached.attempt_version, judged, cache, key)
                if answer is None:
                    return None  # no state for this claim any more: the locking path says 401/404
                if answer[0] is not None:
                    return CommitResult(CommitStatus.stored.value, commit.seq, summary=judged.summary)
                fresh = answer[1:]
            cache.drop(key)
        for _ in range(3):
            if fresh is None:
                cursor.execute(sql.PLAIN_SELECT, params)
                fresh = cursor.fetchone()
                if fresh is None:
                    return None
            row, attempt_version, fresh = sql.StateRow(*fresh[:-2]), fresh[-1], None
            judged = _judge(row, sco_id, commit)
            if judged.status != CommitStatus.stored:
                cursor.execute(sql.PLAIN_LOG, {"id": row.id, "seq": commit.seq, "status": judged.status.value,
                                               "size": commit.size, "now": utcnow(),
                                               "errors": _json(judged.errors) if judged.errors else None})
                return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
            if judged.needs_lock:
                return None
            statement = sql.PLAIN_UPDATE_AND_LOG if log_all else sql.PLAIN_UPDATE
            if _write(cursor, statement, {}, row, attempt_version, judged, cache, key) is not None:
                return CommitResult(CommitStatus.stored.value, commit.seq, summary=judged.summary)
    return None


def _write(cursor: Any, statement: str, extra: dict[str, Any], row: sql.StateRow, attempt_version: str,
           judged: Judgement, cache: StateCache | None, key: Key) -> Any:
    """Run one of the plain path's UPDATEs and answer the row it returns (None: nothing written, and for a
    cached write nothing read either). A row whose first value is the new version means written: the row
    as written is kept in the cache."""
    values = judged.values
    encoded = json.dumps(values["cmi"])
    cursor.execute(statement, {**values, **extra, "cmi": _json(encoded, _as_is)})
    answer = cursor.fetchone()
    if answer is None or answer[0] is None or cache is None:
        return answer
    if len(encoded) <= MAX_ROW_BYTES:
        cache.put(key, Cached(row._replace(
            cmi=values["cmi"], last_seq=values["seq"], session_key=values["session_key"],
            session_seconds=values["session_seconds"], completion=values["completion"],
            success=values["success"], score_scaled=values["score_scaled"],
            sco_attempt=values["sco_attempt"], prior_seconds=values["prior_seconds"]),
            answer[0], attempt_version))
    else:
        cache.drop(key)
    return answer


def _as_is(text: str) -> str:
    return text


def _json(value: Any, dumps: Any = None) -> Any:
    from psycopg.types.json import Json

    return Json(value, dumps)


def _not_found(attempt_id: int, user: tuple[int, int] | None) -> NoReturn:
    """Why a commit found no state row: an ended session (401), not the learner's attempt, no such SCO (404)."""
    from lms.accounts.services import claim_cadre_or_401

    cadre_id = None if user is None else claim_cadre_or_401(user)  # -1: an account without a cadre owns nothing
    owned = select(Attempt.id).where(Attempt.id == attempt_id)
    if cadre_id is not None:
        owned = owned.where(Attempt.cadre_id == cadre_id)
    if db.session.scalar(owned) is None:
        raise UserError("Không tìm thấy lượt học.", "No such attempt.", status=404, code="not_found")
    raise UserError("Không tìm thấy bài học này trong lượt học.", "No such SCO in this attempt.", status=404,
                    code="no_such_sco")
