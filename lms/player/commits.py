"""Commits: validate a SCO's run-time data and store it (two commit paths), see ``docs/player.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.player import commit_sql as sql
from lms.player.grading import refresh_attempt, sco_outcome
from lms.player.models import Attempt, AttemptStatus, CommitStatus
from lms.player.versions import version_info
from scorm.cmi import format_interval, parse_interval, validate_commit
from scorm.errors import CmiError

_SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
_TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}


@dataclass
class CommitResult:
    """The answer to a commit: its status, the stored sequence, errors, and the attempt's summary."""

    status: str
    seq: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: {"status", "score", "rule_met"} of the attempt after the commit
    summary: dict[str, Any] = field(default_factory=dict)


def _summary(status: str, score: Any, rule_met: bool) -> dict[str, Any]:
    return {"status": status, "score": None if score is None else float(score), "rule_met": bool(rule_met)}



@dataclass
class _Judgement:
    """What a commit does to the state row it read (the same for both commit paths)."""

    status: CommitStatus
    summary: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: the UPDATE's parameters when ``status`` is stored (``cmi`` as a dict)
    values: dict[str, Any] = field(default_factory=dict)
    #: the SCO's outcome changed, the run-time session ends, or the attempt had not started
    regrade: bool = False
    ends_session: bool = False


def _judge(row: Any, sco_id: str, seq: int, session_key: str, payload: Any, size: int,
           terminate: bool) -> _Judgement:
    """Order, validation, merge and outcome of one commit against the state ``row`` it read."""
    summary = _summary(row.attempt_status, row.attempt_score, row.rule_met)
    if seq <= row.last_seq:
        return _Judgement(CommitStatus.duplicate if seq == row.last_seq else CommitStatus.stale, summary)
    info = version_info(row.package_version_id, row.sha256)
    version = info.cmi_version
    new_state, session_seconds, errors = _merge(version, row, session_key, payload)
    if errors:
        return _Judgement(CommitStatus.refused, summary, errors)
    result = sco_outcome(version, new_state, info.launch_data.get(sco_id, {}))
    if version == "1.2" and result.success in {"passed", "failed"} and new_state.get(
            "cmi.core.lesson_status") in {"completed", "passed", "failed"}:
        new_state["cmi.core.lesson_status"] = result.success  # the LMS applies the mastery score (RTE 3.4.4)
    changed = (result.completion, result.success, result.score_scaled) != (row.completion, row.success,
                                                                           row.score_scaled)
    # the SCO sets exit (even "", a normal 1.2 exit) when it finishes; player.js flags LMSFinish/Terminate
    ends_session = terminate or (isinstance(payload, dict) and ("cmi.core.exit" in payload or "cmi.exit" in payload))
    values = {
        "cmi": new_state, "seq": seq, "session_key": session_key[:64], "session_seconds": session_seconds,
        "completion": result.completion, "success": result.success, "score_scaled": result.score_scaled,
        "total_seconds": Decimal(result.total_time_seconds).quantize(Decimal("0.01")), "now": utcnow(),
        "id": row.id, "prev_seq": row.last_seq, "size": size,
    }
    return _Judgement(CommitStatus.stored, summary, values=values, ends_session=ends_session,
                      regrade=changed or ends_session or row.attempt_status == AttemptStatus.not_attempted)


def apply_commit(attempt: Attempt | int, sco_id: str, seq: int, session_key: str, payload: Any, size: int = 0, *,
                 user: tuple[int, int] | None = None, terminate: bool = False) -> CommitResult:
    """Validate and store one commit of a SCO (see docs/player.md for the rules).

    ``attempt`` is an :class:`Attempt` or an id. With ``user`` (the session's ``(user id, session
    version)``) the attempt must be the cadre's of that active user whose sessions have not been ended —
    checked in the same query that reads and locks the state, so the commit endpoint loads no user;
    else 404 (401 for a user whose session is no longer valid). ``terminate``: the commit of
    LMSFinish/Terminate (the run-time session ends).

    * ``seq`` ≤ the stored sequence → ``duplicate`` (the same number) or ``stale`` (older): nothing changes.
    * invalid data → ``refused`` with the SCORM error codes: nothing changes.
    * otherwise the state is merged (completion and pass never regress), the session time is added to
      the total once per session; a conditional UPDATE on ``last_seq`` keeps a concurrent newer commit
      from being overwritten. The attempt is re-graded only when the SCO's outcome changed, the session
      ended, or the attempt had not started.

    On PostgreSQL a commit that needs no re-grading is :func:`_plain_commit` (two statements, no
    explicit transaction); every other one takes the locking path here: a SELECT … FOR UPDATE (state
    joined to its attempt and the session's user), the UPDATE with its log row, the re-grading. The
    version and its manifest come from :func:`version_info`'s cache.
    """
    attempt_id = attempt if isinstance(attempt, int) else attempt.id
    if user is not None and isinstance(attempt, int) and db.engine.dialect.name == "postgresql" and \
            current_app.config.get("LMS_PLAYER_PLAIN_COMMITS", True):
        plain = _plain_commit(attempt_id, sco_id, seq, session_key, payload, size, user, terminate)
        if plain is not None:
            return plain
    conn = db.session.connection()
    dialect = conn.dialect.name
    params: dict[str, Any] = {"attempt_id": attempt_id, "sco_id": sco_id}
    if user is not None:
        params.update(user_id=user[0], session_version=user[1])
    row = conn.execute(sql.statement(dialect, "lock:user" if user else "lock:any"), params).one_or_none()
    if row is None:
        _not_found(attempt_id, user)
    judged = _judge(row, sco_id, seq, session_key, payload, size, terminate)
    if judged.status != CommitStatus.stored:
        sql.log(row.id, seq, judged.status, size, judged.errors or None)
        return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
    log_all = current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") != "problems"
    if log_all and dialect == "postgresql":
        stored = conn.execute(sql.statement(dialect, "update+log"), judged.values).rowcount == 1
    else:
        stored = conn.execute(sql.statement(dialect, "update"), judged.values).rowcount == 1
        if stored and log_all:
            sql.log(row.id, seq, CommitStatus.stored, size)
    if not stored:  # a newer commit got in between (only possible without row locks)
        sql.log(row.id, seq, CommitStatus.stale, size)
        return CommitResult(CommitStatus.stale.value, row.last_seq, summary=judged.summary)
    summary = judged.summary
    if judged.regrade:
        if isinstance(attempt, Attempt):
            db.session.expire(attempt)  # the state was written around the ORM
        graded = refresh_attempt(attempt if isinstance(attempt, Attempt) else db.session.get(Attempt, attempt_id),
                                 session_ended=judged.ends_session)
        summary = _summary(graded.status, graded.score, graded.rule_met)
    return CommitResult(CommitStatus.stored.value, seq, summary=summary)


def _plain_commit(attempt_id: int, sco_id: str, seq: int, session_key: str, payload: Any, size: int,
                  user: tuple[int, int], terminate: bool) -> CommitResult | None:
    """The commits a SCO sends while the learner works (bookmark, suspend_data, interactions, session
    time) on PostgreSQL, in two statements and no explicit transaction: read the state (checking the
    session's user), validate and merge, then one UPDATE conditional on the sequence read — with its
    log row, in the same statement — that is its own transaction. A commit that lost a race with
    another tab re-reads and tries again.

    ``None`` hands the commit to the locking path of :func:`apply_commit`: no row (401/404 are decided
    there), a commit that changes the SCO's outcome, ends the run-time session or starts the attempt
    (the attempt is re-graded and may get its record, which needs one transaction), or three lost races.
    """
    from psycopg.types.json import Json

    log_all = current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") != "problems"
    params = {"attempt_id": attempt_id, "sco_id": sco_id, "user_id": user[0], "session_version": user[1]}
    with sql.autocommit_cursor() as cursor:
        for _ in range(3):
            cursor.execute(sql.PLAIN_SELECT, params)
            found = cursor.fetchone()
            if found is None:
                return None
            row = sql.StateRow(*found)
            judged = _judge(row, sco_id, seq, session_key, payload, size, terminate)
            if judged.status != CommitStatus.stored:
                cursor.execute(sql.PLAIN_LOG, {"id": row.id, "seq": seq, "status": judged.status.value, "size": size,
                                            "errors": Json(judged.errors) if judged.errors else None,
                                            "now": utcnow()})
                return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
            if judged.regrade:
                return None
            cursor.execute(sql.UPDATE_AND_LOG if log_all else sql.STATE_UPDATE,
                           {**judged.values, "cmi": Json(judged.values["cmi"])})
            if cursor.rowcount == 1:
                return CommitResult(CommitStatus.stored.value, seq, summary=judged.summary)
    return None


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


def _merge(version: str, state: Any, session_key: str, payload: Any) -> tuple[dict, Decimal, list[dict]]:
    """Merge ``payload`` into the stored cmi; the session time counts once per run-time session.

    The total before this session is the stored total minus what this session already added; the
    payload's session_time (the time of the whole session so far) is added to that.
    """
    prior = dict(state.cmi or {})
    same_session = bool(session_key) and session_key == state.session_key
    already = Decimal(state.session_seconds or 0) if same_session else Decimal(0)
    base = max(_total(version, prior) - already, Decimal(0))
    prior[_TOTAL_TIME[version]] = format_interval(base, version)
    if isinstance(payload, dict) and not payload.get(_SESSION_TIME[version]) and already:
        payload = {**payload, _SESSION_TIME[version]: format_interval(already, version)}
    strict = bool(current_app.config.get("LMS_SCORM12_STRICT_SUSPEND_DATA", False))
    merged, errors = validate_commit(version, prior, payload, strict_suspend_data_limit=strict)
    if errors:
        return dict(state.cmi or {}), Decimal(0), [
            {"element": e.element, "code": e.code, "message_vi": e.message_vi, "message_en": e.message_en}
            for e in errors]
    session = _total(version, merged) - base
    if session < already:  # a later report of the same session never takes time away
        session = already
        merged[_TOTAL_TIME[version]] = format_interval(base + session, version)
    return merged, session.quantize(Decimal("0.01")), []


def _total(version: str, state: dict) -> Decimal:
    value = state.get(_TOTAL_TIME[version])
    try:
        return parse_interval(value, version) if isinstance(value, str) and value else Decimal(0)
    except CmiError:
        return Decimal(0)

