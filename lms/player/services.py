"""Player logic: choose or start an attempt, build the launch data, apply commits, grade, record.

Services take plain values and flush; the request (``views``) commits. See ``docs/player.md``.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import TextClause, bindparam, func, insert, select, text

from lms.catalog.models import Module, PackageVersion
from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.org.models import Cadre
from lms.player import rules
from lms.player.models import Attempt, AttemptStatus, CommitLog, CommitStatus, ScoState
from scorm.cmi import format_interval, launch_state, outcome, parse_interval, validate_commit
from scorm.errors import CmiError
from scorm.manifest import Item, Manifest, launch_url

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
_TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}


def cmi_version(version: PackageVersion) -> str:
    """``"1.2"`` or ``"2004"`` for a package version."""
    return "1.2" if version.scorm_version == "1.2" else "2004"


# --- the manifest ---------------------------------------------------------------------------------


def manifest_of(version: PackageVersion) -> Manifest:
    """The parsed manifest of a package version (the catalog caches it by id and sha256)."""
    from lms.catalog.services import parsed_manifest

    return parsed_manifest(version)


def sco_items(manifest: Manifest) -> list[Item]:
    """The launchable items of the default organization, in order (hidden ones included)."""
    return manifest.scos()


def find_item(manifest: Manifest, identifier: str) -> Item | None:
    """The launchable item ``identifier``, or None."""
    return next((i for i in sco_items(manifest) if i.identifier == identifier), None)


def toc(manifest: Manifest) -> list[dict[str, Any]]:
    """The table of contents of the default organization, hidden items left out."""
    org = manifest.default_organization

    def node(item: Item, depth: int) -> list[dict[str, Any]]:
        if not item.isvisible:
            return []
        launchable = manifest._launchable(item)
        rows = [{"identifier": item.identifier, "title": item.title, "depth": depth, "launchable": launchable,
                 "prerequisites": item.prerequisites}]
        for child in item.children:
            rows.extend(node(child, depth + 1))
        return rows

    return [row for item in (org.items if org else ()) for row in node(item, 0)]


def launch_values(item: Item, version: str, cadre: Cadre) -> dict[str, str]:
    """LMS-owned values for the SCO: learner, credit and mode, launch data, mastery, limits."""
    return _lms_values(item, version, cadre.code, cadre.full_name, preview=False)


def preview_values(item: Item, version: str, user: Any) -> dict[str, str]:
    """Launch values of a preview: the lecturer as learner, no credit, browse mode (SCORM's preview),
    no time limits."""
    return _lms_values(item, version, user.login, user.full_name, preview=True)


def _lms_values(item: Item, version: str, learner_id: str, name: str, *, preview: bool) -> dict[str, str]:
    credit, mode = ("no-credit", "browse") if preview else ("credit", "normal")
    if version == "1.2":
        values = {"cmi.core.student_id": learner_id, "cmi.core.student_name": name,
                  "cmi.core.credit": credit, "cmi.core.lesson_mode": mode}
        values.update({f"cmi.student_data.{k}": v for k, v in outcome_launch_data(item, "1.2").items()})
        limits = "cmi.student_data."
    else:
        values = {"cmi.learner_id": learner_id, "cmi.learner_name": name, "cmi.credit": credit, "cmi.mode": mode}
        values.update({f"cmi.{k}": v for k, v in outcome_launch_data(item, "2004").items()})
        limits = "cmi."
    if not preview:
        if item.max_time_allowed:
            values[f"{limits}max_time_allowed"] = item.max_time_allowed
        if item.time_limit_action:
            values[f"{limits}time_limit_action"] = item.time_limit_action
    if item.data_from_lms:
        values["cmi.launch_data"] = item.data_from_lms
    return values


def outcome_launch_data(item: Item | None, version: str) -> dict[str, str]:
    """mastery score (1.2), completion threshold and scaled passing score (2004) of an item."""
    data: dict[str, str] = {}
    if item is None:
        return data
    if version == "1.2":
        if item.mastery_score is not None:
            data["mastery_score"] = _num(item.mastery_score)
        return data
    threshold = item.completion_threshold
    if threshold is not None and threshold.completed_by_measure:
        data["completion_threshold"] = _num(threshold.min_progress_measure)
    objectives = (item.sequencing.objectives if item.sequencing else None) or ()
    primary = next((o for o in objectives if o.primary), None)
    if primary is not None and primary.satisfied_by_measure:
        data["scaled_passing_score"] = _num(primary.min_normalized_measure)
    return data


def _num(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


# --- attempts ----------------------------------------------------------------------------------------


def attempts_of(cadre_id: int, module_id: int) -> list[Attempt]:
    """The cadre's attempts on a module, in order."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.cadre_id == cadre_id, Attempt.module_id == module_id).order_by(Attempt.number)))


def open_attempt(cadre: Cadre, module: Module, *, want_new: bool = False) -> Attempt:
    """The attempt a launch plays, by the module's attempt policy (creating one when due).

    Raises :class:`UserError` when the module has no published package or no attempt is left.
    """
    attempts = attempts_of(cadre.id, module.id)
    latest = attempts[-1] if attempts else None
    choice = rules.choose_attempt(latest.number if latest else 0, bool(latest and latest.status == "completed"),
                                  module.new_attempt, module.attempts_allowed, want_new=want_new)
    if choice.action == "resume" and latest is not None:
        return latest
    if choice.action == "exhausted":
        raise UserError(f"Bạn đã dùng hết {module.attempts_allowed} lượt học của học phần này.",
                        f"You have used all {module.attempts_allowed} attempts of this module.",
                        status=409, code="attempts_exhausted")
    if module.published_version_id is None or not module.active:
        raise UserError("Học phần chưa có gói bài học được phát hành.", "The module has no published package.",
                        status=404, code="not_published")
    return start_attempt(cadre, module, module.published_version, choice.number)


def start_attempt(cadre: Cadre, module: Module, version: PackageVersion, number: int) -> Attempt:
    """Create attempt ``number`` on ``version`` with one state row per SCO."""
    attempt = Attempt(cadre_id=cadre.id, module_id=module.id, package_version_id=version.id, number=number,
                      rule_reasons=[])
    db.session.add(attempt)
    db.session.flush()
    for item in sco_items(manifest_of(version)):
        db.session.add(ScoState(attempt_id=attempt.id, sco_id=item.identifier, cmi={}))
    db.session.flush()
    return attempt


def sco_state(attempt: Attempt, sco_id: str) -> ScoState | None:
    """The state row of one SCO of an attempt."""
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == sco_id))


def initial_state(attempt: Attempt, item: Item, cadre: Cadre) -> dict[str, str]:
    """The flat state handed to the run-time at launch, with entry = ab-initio / resume."""
    version = cmi_version(attempt.package_version)
    state = sco_state(attempt, item.identifier)
    prior = state.cmi if state is not None else {}
    return launch_state(version, prior, lms_values=launch_values(item, version, cadre))


def next_sco(attempt: Attempt, manifest: Manifest, requested: str | None = None) -> Item:
    """The SCO to open: the requested one, else the first not completed (suspended first), else the first."""
    items = sco_items(manifest)
    if requested or not items:
        return next_sco_of(manifest, requested)
    states = {s.sco_id: s for s in attempt.sco_states}
    for item in items:
        state = states.get(item.identifier)
        if state is not None and state.completion != "completed" and item.isvisible:
            return item
    return items[0]


def next_sco_of(manifest: Manifest, requested: str | None = None) -> Item:
    """The requested SCO, else the first visible one (404 when there is none)."""
    items = sco_items(manifest)
    if not items:
        raise UserError("Gói bài học không có SCO nào để mở.", "The package has nothing to launch.", status=404)
    if requested:
        item = find_item(manifest, requested)
        if item is None:
            raise UserError("Không tìm thấy bài học này trong gói.", "No such lesson in the package.", status=404)
        return item
    return next((i for i in items if i.isvisible), items[0])


# --- commits -------------------------------------------------------------------------------------------


@dataclass
class CommitResult:
    """The answer to a commit: its status, the stored sequence, errors, and the attempt's summary."""

    status: str
    seq: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: {"status", "score", "rule_met"} of the attempt after the commit
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionInfo:
    """What a commit needs to know about a package version, parsed once per process (versions never change)."""

    id: int
    cmi_version: str
    manifest: Manifest
    #: per SCO identifier: mastery score (1.2), completion threshold and scaled passing score (2004)
    launch_data: dict[str, dict[str, str]]
    visible: frozenset[str]


_VERSIONS: OrderedDict[tuple[int, str], VersionInfo] = OrderedDict()
_VERSIONS_LOCK = threading.Lock()
_VERSION_CACHE_SIZE = 256


def version_info(version_id: int, sha256: str | None = None) -> VersionInfo:
    """The cached :class:`VersionInfo` of a package version (loads the version only on a miss).

    Keyed by id and sha256 (as the catalog's manifest cache) so that a reused id (SQLite after a
    delete, a recreated database) never serves another package's data."""
    if sha256 is None:
        sha256 = db.session.scalar(select(PackageVersion.sha256).where(PackageVersion.id == version_id))
    key = (version_id, sha256 or "")
    with _VERSIONS_LOCK:
        info = _VERSIONS.get(key)
        if info is not None:
            _VERSIONS.move_to_end(key)
            return info
    version = db.session.get(PackageVersion, version_id)
    if version is None:
        raise LookupError(f"no package version {version_id}")
    manifest = manifest_of(version)
    cmi = cmi_version(version)
    items = sco_items(manifest)
    info = VersionInfo(version.id, cmi, manifest,
                       {i.identifier: outcome_launch_data(i, cmi) for i in items},
                       frozenset(i.identifier for i in items if i.isvisible))
    with _VERSIONS_LOCK:
        _VERSIONS[key] = info
        while len(_VERSIONS) > _VERSION_CACHE_SIZE:
            _VERSIONS.popitem(last=False)
    return info


_OPEN_12 = {"", "not attempted", "incomplete", "browsed"}


def sco_outcome(version: str, state: dict[str, Any], launch: dict[str, str]) -> Any:
    """``scorm.cmi.outcome`` with one player policy: in 1.2 the mastery score decides passed/failed only
    once the SCO reports a finished status (completed/passed/failed) — a SCO still "incomplete" that
    reports a running practice score is not failed (and so completed) by the LMS."""
    if version == "1.2" and str(state.get("cmi.core.lesson_status") or "") in _OPEN_12:
        launch = {k: v for k, v in launch.items() if k != "mastery_score"}
        state = {k: v for k, v in state.items() if k != "cmi.student_data.mastery_score"}
    return outcome(version, state, launch)


def _summary(status: str, score: Any, rule_met: bool) -> dict[str, Any]:
    return {"status": status, "score": None if score is None else float(score), "rule_met": bool(rule_met)}


#: the columns a commit reads from the locked state row (typed, so that JSON, Numeric and Boolean
#: values come back as on the ORM path on every database)
_LOCK_COLUMNS = (
    ScoState.id, ScoState.cmi, ScoState.last_seq, ScoState.session_key, ScoState.session_seconds,
    ScoState.completion, ScoState.success, ScoState.score_scaled, Attempt.package_version_id,
    Attempt.status.label("attempt_status"), Attempt.score.label("attempt_score"), Attempt.rule_met,
    PackageVersion.sha256)
_LOCK_SELECT = """SELECT s.id, s.cmi, s.last_seq, s.session_key, s.session_seconds, s.completion, s.success,
       s.score_scaled, a.package_version_id, a.status AS attempt_status, a.score AS attempt_score, a.rule_met,
       v.sha256
  FROM player_sco_states s
  JOIN player_attempts a ON a.id = s.attempt_id
  JOIN package_versions v ON v.id = a.package_version_id"""
#: (psycopg's placeholders below; :func:`_statement` turns them into SQLAlchemy's ``:name``)
#: the state row of one SCO of an attempt, and (with the user) the session's claim: the account active,
#: the same session version (a password change ends sessions), the attempt its cadre's
_STATE_WHERE = "\n WHERE s.attempt_id = %(attempt_id)s AND s.sco_id = %(sco_id)s"
_USER_OWNS = (" AND a.cadre_id = (SELECT u.cadre_id FROM users u WHERE u.id = %(user_id)s AND u.active"
              " AND u.session_version = %(session_version)s)")
_STATE_UPDATE = """UPDATE player_sco_states SET cmi = %(cmi)s, last_seq = %(seq)s, session_key = %(session_key)s,
       session_seconds = %(session_seconds)s, completion = %(completion)s, success = %(success)s,
       score_scaled = %(score_scaled)s, total_seconds = %(total_seconds)s, updated_at = %(now)s
 WHERE id = %(id)s AND last_seq = %(prev_seq)s"""
_UPDATE_AND_LOG = (f"WITH u AS ({_STATE_UPDATE} RETURNING id)\n"
                   "INSERT INTO player_commit_logs (sco_state_id, seq, status, size, received_at)\n"
                   "SELECT id, %(seq)s, 'stored', %(size)s, %(now)s FROM u")
_STATEMENTS: dict[tuple[str, str], TextClause] = {}


def _named(sql: str) -> str:
    """psycopg's ``%(name)s`` placeholders → SQLAlchemy's ``:name``."""
    return re.sub(r"%\((\w+)\)s", r":\1", sql)


def _statement(dialect: str, kind: str) -> TextClause:
    """The commit's SQL for a dialect, built once per process (text, so that running it costs no
    statement construction or cache-key walk: this is the hottest write path of the LMS)."""
    stmt = _STATEMENTS.get((dialect, kind))
    if stmt is not None:
        return stmt
    typed = [bindparam("cmi", type_=ScoState.cmi.type), bindparam("now", type_=ScoState.updated_at.type),
             bindparam("session_seconds", type_=ScoState.session_seconds.type),
             bindparam("total_seconds", type_=ScoState.total_seconds.type),
             bindparam("score_scaled", type_=ScoState.score_scaled.type)]
    if kind.startswith("lock:"):
        lock = " FOR UPDATE OF s" if dialect == "postgresql" else ""
        owner = _USER_OWNS if kind == "lock:user" else ""
        stmt = text(_named(_LOCK_SELECT + _STATE_WHERE + owner) + lock).columns(*_LOCK_COLUMNS)
    elif kind == "update":
        stmt = text(_named(_STATE_UPDATE)).bindparams(*typed)
    elif dialect == "postgresql":  # "update+log": the UPDATE and its log row in one round trip
        stmt = text(_named(_UPDATE_AND_LOG)).bindparams(*typed)
    else:
        raise ValueError(kind)
    _STATEMENTS[(dialect, kind)] = stmt
    return stmt


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
    row = conn.execute(_statement(dialect, "lock:user" if user else "lock:any"), params).one_or_none()
    if row is None:
        _not_found(attempt_id, user)
    judged = _judge(row, sco_id, seq, session_key, payload, size, terminate)
    if judged.status != CommitStatus.stored:
        _log(row.id, seq, judged.status, size, judged.errors or None)
        return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
    log_all = current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") != "problems"
    if log_all and dialect == "postgresql":
        stored = conn.execute(_statement(dialect, "update+log"), judged.values).rowcount == 1
    else:
        stored = conn.execute(_statement(dialect, "update"), judged.values).rowcount == 1
        if stored and log_all:
            _log(row.id, seq, CommitStatus.stored, size)
    if not stored:  # a newer commit got in between (only possible without row locks)
        _log(row.id, seq, CommitStatus.stale, size)
        return CommitResult(CommitStatus.stale.value, row.last_seq, summary=judged.summary)
    summary = judged.summary
    if judged.regrade:
        if isinstance(attempt, Attempt):
            db.session.expire(attempt)  # the state was written around the ORM
        graded = refresh_attempt(attempt if isinstance(attempt, Attempt) else db.session.get(Attempt, attempt_id),
                                 session_ended=judged.ends_session)
        summary = _summary(graded.status, graded.score, graded.rule_met)
    return CommitResult(CommitStatus.stored.value, seq, summary=summary)


class _StateRow(NamedTuple):
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


_PLAIN_SELECT = _LOCK_SELECT + _STATE_WHERE + _USER_OWNS
_PLAIN_LOG = ("INSERT INTO player_commit_logs (sco_state_id, seq, status, size, errors, received_at)"
              " VALUES (%(id)s, %(seq)s, %(status)s, %(size)s, %(errors)s, %(now)s)")


@contextlib.contextmanager
def _autocommit_cursor() -> Iterator[Any]:
    """A pooled PostgreSQL connection in autocommit mode (each statement its own transaction), given back
    to the pool as it was; a connection that failed is discarded."""
    import psycopg

    fairy = db.engine.raw_connection()
    conn = fairy.driver_connection
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            yield cursor
        conn.autocommit = False
    except psycopg.OperationalError:
        fairy.invalidate()
        raise
    finally:
        fairy.close()


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
    with _autocommit_cursor() as cursor:
        for _ in range(3):
            cursor.execute(_PLAIN_SELECT, params)
            found = cursor.fetchone()
            if found is None:
                return None
            row = _StateRow(*found)
            judged = _judge(row, sco_id, seq, session_key, payload, size, terminate)
            if judged.status != CommitStatus.stored:
                cursor.execute(_PLAIN_LOG, {"id": row.id, "seq": seq, "status": judged.status.value, "size": size,
                                            "errors": Json(judged.errors) if judged.errors else None,
                                            "now": utcnow()})
                return CommitResult(judged.status.value, row.last_seq, judged.errors, summary=judged.summary)
            if judged.regrade:
                return None
            cursor.execute(_UPDATE_AND_LOG if log_all else _STATE_UPDATE,
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


def _log(state_id: int, seq: int, status: CommitStatus, size: int, errors: list | None = None) -> None:
    """One commit-log row, as a plain INSERT (no ORM flush). ``LMS_PLAYER_COMMIT_LOG = "problems"``
    keeps only duplicate, stale and refused commits (a stored commit is in the state itself)."""
    if status == CommitStatus.stored and current_app.config.get("LMS_PLAYER_COMMIT_LOG", "all") == "problems":
        return
    db.session.execute(insert(CommitLog).values(sco_state_id=state_id, seq=seq, status=status.value, size=size,
                                                errors=errors, received_at=utcnow()))


# --- grading and records ------------------------------------------------------------------------------


def sco_result(state: ScoState, version: str) -> rules.ScoResult:
    """The aggregation input of one SCO state."""
    cmi = state.cmi or {}
    raw_key, max_key = ("cmi.core.score.raw", "cmi.core.score.max") if version == "1.2" else ("cmi.score.raw",
                                                                                              "cmi.score.max")
    return rules.ScoResult(
        completed=state.completion == "completed", success=state.success,
        score_scaled=None if state.score_scaled is None else max(state.score_scaled, 0.0),
        score_raw=_float(cmi.get(raw_key)), score_max=_float(cmi.get(max_key)), started=state.last_seq > 0)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def refresh_attempt(attempt: Attempt, *, session_ended: bool = True) -> Attempt:
    """Re-aggregate the attempt from its SCOs, evaluate the completion rule, append the record once.

    The record is appended when the rule is met and the SCO's run-time session is over
    (``session_ended``: an exit/terminate commit, a new launch, a quiz re-evaluation): a rule met
    in the middle of a session (a 2004 SCO completes on reaching its last page, before the learner
    answers that page's questions) is recorded with the score the learner has when leaving.
    """
    db.session.refresh(attempt)
    info = version_info(attempt.package_version_id)
    version = info.cmi_version
    states = list(db.session.scalars(select(ScoState).where(ScoState.attempt_id == attempt.id)
                                     .execution_options(populate_existing=True)))
    visible = info.visible
    counted = [s for s in states if s.sco_id in visible or s.last_seq > 0]  # hidden SCOs count once used
    result = rules.aggregate([sco_result(s, version) for s in counted], len(visible) or len(states),
                             attempt.module.sco_aggregation)
    attempt.status = result.status
    attempt.success = result.success
    attempt.score = result.score
    attempt.total_seconds = sum((Decimal(s.total_seconds or 0) for s in states), Decimal(0))
    attempt.updated_at = utcnow()
    met, reasons = rules.evaluate_rule(attempt.module.completion_rule, result, attempt.cadre_id, attempt.module)
    attempt.rule_reasons = [r.as_dict() for r in reasons]
    if met and not attempt.rule_met:
        attempt.rule_met = True
        attempt.completed_at = utcnow()
    if attempt.rule_met and attempt.record_id is None and session_ended:
        _append_record(attempt)
    db.session.flush()
    return attempt


def _append_record(attempt: Attempt) -> None:
    from lms.records.services import append_record

    module = attempt.module
    record = append_record(
        attempt.cadre_id, source="online", completed_on=today(), topic=module.topic, hours=module.hours,
        module_id=module.id, score=attempt.score, evidence={"attempt_id": attempt.id},
        dedupe_key=f"attempt:{attempt.id}")
    attempt.record_id = record.id


def today() -> date:
    """Today in Vietnam (records are dated as the learner sees the calendar)."""
    return datetime.now(VN).date()


def reevaluate(cadre_id: int, module_id: int) -> None:
    """Re-evaluate the rule of the cadre's attempts on a module (e.g. after a quiz was passed)."""
    for attempt in attempts_of(cadre_id, module_id):
        if not attempt.rule_met or attempt.record_id is None:
            refresh_attempt(attempt)


def settle(attempt: Attempt) -> None:
    """A new launch of the attempt: the previous session is over, so a rule met in it without an
    exit/terminate commit (the browser was killed) gets its record now."""
    if attempt.rule_met and attempt.record_id is None:
        refresh_attempt(attempt)


# --- pages ----------------------------------------------------------------------------------------------


@dataclass
class ModuleProgress:
    """A row of "my modules": the module, its attempts and the grade across them."""

    module: Module
    attempts: list[Attempt]
    grade: Decimal | None
    met: bool

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def status(self) -> str:
        if self.met:
            return "completed"
        return self.latest.status if self.latest else "not_attempted"


def my_modules(cadre_id: int) -> list[ModuleProgress]:
    """The modules the cadre has attempts on, most recent first."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.cadre_id == cadre_id)
                                  .order_by(Attempt.module_id, Attempt.number)).all()
    by_module: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_module.setdefault(attempt.module_id, []).append(attempt)
    rows = [ModuleProgress(items[0].module, items, rules.grade([a.score for a in items], items[0].module.grading),
                           any(a.rule_met for a in items)) for items in by_module.values()]
    return sorted(rows, key=lambda r: max(a.updated_at for a in r.attempts), reverse=True)


def available_modules(exclude: set[int] | None = None) -> list[Module]:
    """Active modules with a published package."""
    query = select(Module).where(Module.active.is_(True), Module.published_version_id.is_not(None)).order_by(
        Module.code)
    return [m for m in db.session.scalars(query) if m.id not in (exclude or set())]


def attempt_counts(module_ids: list[int]) -> dict[int, int]:
    """Number of attempts per module (for lecturer pages)."""
    rows = db.session.execute(select(Attempt.module_id, func.count()).where(Attempt.module_id.in_(module_ids))
                              .group_by(Attempt.module_id))
    return dict(rows.all())


def content_url_for(attempt: Attempt | None, item: Item, manifest: Manifest, user_id: int,
                    version: PackageVersion | None = None) -> str:
    """The URL of the SCO's launch file (with the item's parameters), same origin or the content origin.

    ``attempt`` None (a preview) needs ``version``."""
    version = version if version is not None else attempt.package_version
    url = launch_url(manifest, item)
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, tail = url[:cut], url[cut:]
    try:
        from lms.catalog.content import content_url
    except ImportError:  # pragma: no cover - before the catalog lands
        return f"/content/{version.id}/{path}{tail}"
    base = content_url(version, path, user_id=user_id, attempt_id=attempt.id if attempt is not None else None)
    if tail.startswith("?") and "?" in base:
        tail = "&" + tail[1:]
    return base + tail


#: labels of the readable columns of interactions and objectives
INTERACTION_FIELDS = ("id", "type", "description", "learner_response", "student_response", "correct_responses.0.pattern",
                      "result", "weighting", "latency", "timestamp", "time")
OBJECTIVE_FIELDS = ("id", "status", "success_status", "completion_status", "score.raw", "score.scaled",
                    "progress_measure")


def readable_state(cmi: dict[str, Any], version: str) -> dict[str, Any]:
    """Split a flat state into scalar elements, interactions and objectives (rows of dicts) for tables."""
    scalars: dict[str, Any] = {}
    arrays: dict[str, dict[int, dict[str, Any]]] = {"interactions": {}, "objectives": {}}
    for key, value in sorted(cmi.items()):
        parts = key.split(".")
        array = parts[1] if len(parts) > 3 and parts[0] == "cmi" else ""
        if array in arrays and parts[2].isdigit():
            arrays[array].setdefault(int(parts[2]), {})[".".join(parts[3:])] = value
        elif key.startswith("cmi.core.") or key.count(".") <= 2:
            scalars[key] = value
        else:
            scalars[key] = value
    return {
        "scalars": scalars,
        "interactions": [arrays["interactions"][i] for i in sorted(arrays["interactions"])],
        "objectives": [arrays["objectives"][i] for i in sorted(arrays["objectives"])],
        "interaction_fields": INTERACTION_FIELDS,
        "objective_fields": OBJECTIVE_FIELDS,
    }


def scoped_attempts(user: Any, module_id: int) -> list[Attempt]:
    """Attempts on a module by the cadres the user may see (lms.core.scope)."""
    from lms.core.scope import visible_cadres

    cadre_ids = visible_cadres(user).with_only_columns(Cadre.id)
    return list(db.session.scalars(select(Attempt).where(Attempt.module_id == module_id,
                                                         Attempt.cadre_id.in_(cadre_ids))
                                   .order_by(Attempt.cadre_id, Attempt.number)))
