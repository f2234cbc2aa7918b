"""Grading and records: what a SCO's data means, the attempt's aggregate and completion rule, the
training record appended once per completion, and re-evaluation when a part of the rule changes."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, select

from lms.core.db import db, utcnow
from lms.player import rules
from lms.player.attempts import attempts_of
from lms.player.models import Attempt, ScoState
from lms.player.sequencing import rolled_up_result
from lms.player.versions import version_info
from scorm.cmi import outcome

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_OPEN_12 = {"", "not attempted", "incomplete", "browsed"}




def sco_outcome(version: str, state: dict[str, Any], launch: dict[str, str]) -> Any:
    """``scorm.cmi.outcome`` with one player policy: in 1.2 the mastery score decides passed/failed only
    once the SCO reports a finished status (completed/passed/failed) — a SCO still "incomplete" that
    reports a running practice score is not failed (and so completed) by the LMS."""
    if version == "1.2" and str(state.get("cmi.core.lesson_status") or "") in _OPEN_12:
        launch = {k: v for k, v in launch.items() if k != "mastery_score"}
        state = {k: v for k, v in state.items() if k != "cmi.student_data.mastery_score"}
    return outcome(version, state, launch)



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
    visible = info.visible or frozenset(s.sco_id for s in states)  # a package of assets only: they count
    # hidden SCOs count once used; assets never (they cannot report)
    counted = [s for s in states if s.sco_id in visible or (s.last_seq > 0 and s.sco_id not in info.assets)]
    result = rules.aggregate([sco_result(s, version) for s in counted], len(visible),
                             attempt.module.sco_aggregation)
    rolled = rolled_up_result(attempt.id)  # a sequenced 2004 package: the root activity decides (SN 4.6)
    if rolled is not None:
        result = rules.AttemptResult(*rolled)
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
    from lms.lti.services import launch_platform_name
    from lms.records.services import append_record

    module, platform = attempt.module, launch_platform_name(attempt.id)
    if rules.completed_by_quiz_alone(module.completion_rule):
        earlier = recorded_completion(attempt.cadre_id, module.id, today())
        if earlier is not None:  # the quiz pass recorded this completion today (or an earlier attempt did)
            attempt.record_id = earlier
            return
    record = append_record(
        attempt.cadre_id, source="lti" if platform else "online", source_detail=platform, completed_on=today(), topic=module.topic, hours=module.hours,
        module_id=module.id, score=attempt.score, evidence={"attempt_id": attempt.id},
        dedupe_key=f"attempt:{attempt.id}")
    attempt.record_id = record.id


def recorded_completion(cadre_id: int, module_id: int, on: date) -> int | None:
    """The cadre's effective (not revoked) record of a completion of the module dated ``on`` — an
    attempt's or a quiz pass's — if any. Records are dated by day: a second completion the same day is the
    same completion (one record); one on a later day is a new completion (a renewal counts from it)."""
    return db.session.scalar(_recorded_completion_query(), {"cadre": cadre_id, "module": module_id, "on": on})


@functools.cache
def _recorded_completion_query() -> Select:
    """The statement of :func:`recorded_completion`, built once per process: building the effective view
    (aliases, subqueries) took a third of a quiz submission's time (a pass asks it first)."""
    from lms.records.services import effective_records

    rows = effective_records().subquery()
    return select(rows.c.record_id).where(
        rows.c.cadre_id == bindparam("cadre"), rows.c.module_id == bindparam("module"),
        rows.c.completed_on == bindparam("on"),
        rows.c.source.in_(("online", "assessment"))).order_by(rows.c.record_id).limit(1)


def today() -> date:
    """Today in Vietnam (records are dated as the learner sees the calendar). The clock tests inject for
    the quizzes (``LMS_ASSESSMENT_CLOCK``) dates the player's records too: one calendar for both."""
    from flask import current_app, has_app_context

    clock = current_app.config.get("LMS_ASSESSMENT_CLOCK") if has_app_context() else None
    moment = clock() if clock is not None else datetime.now(VN)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(VN).date()


def reevaluate(cadre_id: int, module_id: int, completion_rule: Any = None) -> bool:
    """Re-evaluate the module's completion rule after one of its parts changed outside the player (a quiz
    passed, an attendance): the latest attempt is re-graded and, when the rule is now met, gets the
    module's record (with the module's hours) — one record per completion. Returns whether the player took
    care of the completion: the cadre has an attempt on the module, or — for a module completed by its
    quiz alone — the completion is already recorded today (a second pass the same day records nothing:
    issue 15; a pass on a later day is a new completion). ``completion_rule``: the module's rule when the
    caller has read it (the quiz submission), saving the module's read."""
    attempts = attempts_of(cadre_id, module_id)
    if not attempts:
        if completion_rule is None:
            from lms.catalog.models import Module

            module = db.session.get(Module, module_id)
            completion_rule = module.completion_rule if module is not None else None
        return completion_rule is not None and rules.completed_by_quiz_alone(completion_rule) and \
            recorded_completion(cadre_id, module_id, today()) is not None
    latest = attempts[-1]
    if not latest.rule_met or latest.record_id is None:
        refresh_attempt(latest)
    return True


def launch_asset(attempt: Attempt, item: Any) -> None:
    """An asset item was launched: it is completed (it never talks to the API; CAM 3.4.1, SN 4.2.1 — the
    LMS tracks it as launched). Assets never count in the SCO aggregation (``VersionInfo.visible``)
    unless the package has nothing else."""
    state = db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id,
                                                     ScoState.sco_id == item.identifier))
    if state is None or state.completion == "completed":
        return
    state.completion, state.updated_at = "completed", utcnow()
    db.session.flush()
    refresh_attempt(attempt)


def settle(attempt: Attempt) -> None:
    """A new launch of the attempt: the previous session is over, so a rule met in it without an
    exit/terminate commit (the browser was killed) gets its record now."""
    if attempt.rule_met and attempt.record_id is None:
        refresh_attempt(attempt)

