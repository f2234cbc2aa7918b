"""How one commit changes a SCO's stored state: learner attempts, session time, refused elements, the
LMS's defaults when the SCO ends and the best result. No database access: the commit paths of
:mod:`lms.player.commits` read the row, call :func:`judge`, and write what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lms.core.db import utcnow
from lms.player import rte
from lms.player.grading import sco_outcome
from lms.player.models import AttemptStatus, CommitStatus
from lms.player.shared_data import written_buckets
from lms.player.versions import VersionInfo
from scorm.cmi import final_outcome, finish_values, format_interval, parse_interval, validate_commit
from scorm.errors import CmiError

#: refused elements kept on a SCO state (the latest)
MAX_REFUSED = 50
_MAX_ELAPSED = Decimal(7 * 24 * 3600)


@dataclass(frozen=True)
class Commit:
    """What the browser sent: ``{"seq", "session", "cmi", "terminate", "terminate_by_lms", "elapsed"}``."""

    seq: int
    session_key: str
    payload: Any
    size: int = 0
    #: the commit of LMSFinish/Terminate (the SCO's, or the LMS's for a SCO that never terminated)
    terminate: bool = False
    #: the LMS terminated a SCO that did not (RTE 3.1.3.2 / 2004 4th ed. RTE 3.1.4.2)
    by_lms: bool = False
    #: seconds from Initialize to Terminate, measured by the page (the session time when the SCO set none)
    elapsed: Decimal | None = None


@dataclass
class Judgement:
    """What a commit does to the state row it read (the same for both commit paths)."""

    status: CommitStatus
    summary: dict[str, Any]
    #: refused elements (stored commits: the others were stored; refused commits: nothing was)
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: the UPDATE's parameters when ``status`` is stored (``cmi`` as a dict)
    values: dict[str, Any] = field(default_factory=dict)
    #: the SCO's outcome changed, the run-time session ends, or the attempt had not started
    regrade: bool = False
    ends_session: bool = False
    #: shared data buckets to write (target id → value)
    buckets: dict[str, str] = field(default_factory=dict)
    #: the attempt's suspendAll position changes: (True, sco or None)
    suspended_sco: tuple[bool, str | None] = (False, None)

    @property
    def needs_lock(self) -> bool:
        """Whether the commit writes more than the state row (only the locking path does)."""
        return self.regrade or bool(self.errors) or bool(self.buckets) or self.suspended_sco[0]


def summary(status: str, score: Any, rule_met: bool) -> dict[str, Any]:
    """The attempt's summary a commit answers with."""
    return {"status": status, "score": None if score is None else float(score), "rule_met": bool(rule_met)}


def judge(row: Any, info: VersionInfo, sco_id: str, commit: Commit, strict: bool) -> Judgement:
    """Order, validation, merge and outcome of one commit against the state ``row`` it read."""
    answer = summary(row.attempt_status, row.attempt_score, row.rule_met)
    if commit.seq <= row.last_seq:
        return Judgement(CommitStatus.duplicate if commit.seq == row.last_seq else CommitStatus.stale, answer)
    if not isinstance(commit.payload, Mapping):
        return Judgement(CommitStatus.refused, answer, [_error("", 201, "Dữ liệu lần lưu không hợp lệ.",
                                                                   "The commit's data is not valid.")])
    version, item = info.cmi_version, info.items.get(sco_id)
    start = _start(version, row, item, commit)
    payload = {k: v for k, v in commit.payload.items() if not (isinstance(k, str) and k.startswith("adl.data."))}
    buckets, bucket_errors = written_buckets(info.buckets.get(sco_id, ()), commit.payload)
    state, session_seconds, errors = _merge(version, start, row, commit, payload, strict)
    ends = commit.terminate or commit.by_lms or rte.EXIT[version] in payload
    completion, success, scaled, total = _outcome(version, state, info.launch_data.get(sco_id, {}), item, ends)
    best = (rte.best_completion(row.completion, completion), rte.best_success(row.success, success),
            rte.best_score(row.score_scaled, scaled))
    values = {
        "cmi": state, "seq": commit.seq, "session_key": commit.session_key[:64], "session_seconds": session_seconds,
        "completion": best[0], "success": best[1], "score_scaled": best[2],
        "total_seconds": (start.prior_seconds + total).quantize(Decimal("0.01")), "now": utcnow(), "id": row.id,
        "prev_seq": row.last_seq, "size": commit.size, "sco_attempt": start.sco_attempt,
        "prior_seconds": start.prior_seconds,
    }
    changed = best != (row.completion, row.success, row.score_scaled)
    return Judgement(CommitStatus.stored, answer, errors + bucket_errors, values, ends_session=ends,
                     regrade=changed or ends or row.attempt_status == AttemptStatus.not_attempted,
                     buckets=buckets, suspended_sco=_position(version, state, row, sco_id,
                                                            commit.session_key != row.session_key))


@dataclass(frozen=True)
class _Start:
    """What the commit merges into: the stored data, or a new learner attempt's seeds."""

    prior: dict[str, Any]
    new_session: bool
    sco_attempt: int
    prior_seconds: Decimal


def _start(version: str, row: Any, item: Any, commit: Commit) -> _Start:
    """The first commit of a new run-time session drops how the last one ended (``exit``, ``adl.nav.
    request``); in 2004 after a session that did not end suspended it starts a new learner attempt: the
    manifest's seeds only, the time so far kept in ``prior_seconds`` (2004 4th ed. RTE 4.2.8)."""
    stored = dict(row.cmi or {})
    prior_seconds = Decimal(row.prior_seconds or 0)
    new_session = bool(commit.session_key) and commit.session_key != row.session_key and row.last_seq > 0
    if row.last_seq == 0:
        return _Start({**rte.seeds(item, version), **stored}, False, row.sco_attempt or 1, prior_seconds)
    if not new_session:
        return _Start(stored, False, row.sco_attempt or 1, prior_seconds)
    if rte.new_learner_attempt(version, stored, True):
        return _Start(rte.seeds(item, version), True, (row.sco_attempt or 1) + 1,
                      prior_seconds + _total(version, stored))
    for key in rte.TRANSIENT[version]:
        stored.pop(key, None)
    return _Start(stored, True, row.sco_attempt or 1, prior_seconds)


def _merge(version: str, start: _Start, row: Any, commit: Commit, payload: dict[str, Any],
           strict: bool) -> tuple[dict, Decimal, list[dict]]:
    """Merge ``payload`` into the start state; the session time counts once per run-time session.

    The total before this session is the stored total minus what this session already added; the
    payload's session_time (the time of the whole session so far) is added to that. Elements that fail
    validation are left out and reported; every other one is stored. A session whose SCO reported no
    time counts Initialize → Terminate (``elapsed``) when the page sends it."""
    prior = dict(start.prior)
    same_session = not start.new_session and bool(commit.session_key) and commit.session_key == row.session_key
    already = Decimal(row.session_seconds or 0) if same_session else Decimal(0)
    base = max(_total(version, prior) - already, Decimal(0))
    prior[rte.TOTAL_TIME[version]] = format_interval(base, version)
    if not payload.get(rte.SESSION_TIME[version]) and already:
        payload = {**payload, rte.SESSION_TIME[version]: format_interval(already, version)}
    merged, errors = validate_commit(version, prior, payload, strict_suspend_data_limit=strict, keep_best=False)
    refused = [_error(e.element, e.code, e.message_vi, e.message_en) for e in errors]
    session = max(_total(version, merged) - base, already)
    if session <= 0 and commit.elapsed is not None:
        session = min(max(commit.elapsed, Decimal(0)), _MAX_ELAPSED)
    merged[rte.TOTAL_TIME[version]] = format_interval(base + session, version)
    return merged, session.quantize(Decimal("0.01")), refused


def _outcome(version: str, state: dict, launch: dict[str, str], item: Any,
             ends: bool) -> tuple[str, str, float | None, Decimal]:
    """The SCO's completion, success, scaled score and total time. When the session ends the LMS's
    defaults apply (``scorm.cmi.final_outcome``): 1.2 finished without a status → completed, then the
    mastery score, written into the data (RTE 1.2 3.4.4); 2004 ended not suspended → completion and
    satisfaction by the delivery controls (SN 3.12 / UP.4), in the result only."""
    if ends and version == "1.2":
        state.update(finish_values(version, state, launch))
    result = sco_outcome(version, state, launch)
    if version == "1.2" and result.success in {"passed", "failed"} and state.get(
            "cmi.core.lesson_status") in {"completed", "passed", "failed"}:
        state["cmi.core.lesson_status"] = result.success  # the LMS applies the mastery score (RTE 3.4.4)
    if ends and version == "2004" and not rte.suspended(version, state):
        by_content = rte.delivery(item)
        result = final_outcome(version, state, launch, completion_set_by_content=by_content[0],
                               objective_set_by_content=by_content[1])
    return result.completion, result.success, result.score_scaled, Decimal(result.total_time_seconds)


def _position(version: str, state: dict, row: Any, sco_id: str, new_session: bool) -> tuple[bool, str | None]:
    """``adl.nav.request = suspendAll`` records the SCO to resume (2004 4th ed. SN 4.6.2 / RTE 4.4.2);
    the next session anywhere in the attempt clears it."""
    if version == "2004" and state.get("adl.nav.request") == "suspendAll":
        return (row.suspended_sco != sco_id, sco_id)
    if new_session and row.suspended_sco:
        return (True, None)
    return (False, None)


def _total(version: str, state: Mapping[str, Any]) -> Decimal:
    value = state.get(rte.TOTAL_TIME[version])
    try:
        return parse_interval(value, version) if isinstance(value, str) and value else Decimal(0)
    except CmiError:
        return Decimal(0)


def _error(element: str, code: int, vi: str, en: str) -> dict[str, Any]:
    return {"element": element, "code": code, "message_vi": vi, "message_en": en}
