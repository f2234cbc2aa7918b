"""Attempt rules at launch, session time and the LMS defaults when a session ends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorm.cmi import (
    LaunchPlan,
    add_session_time,
    final_outcome,
    finish_values,
    launch_plan,
    session_end,
    session_seconds,
)


@pytest.mark.parametrize(("state", "plan"), [
    ({"cmi.exit": "suspend"}, LaunchPlan("resume", False)),
    ({"cmi.exit": "normal", "adl.nav.request": "suspendAll"}, LaunchPlan("resume", False)),
    ({"cmi.exit": ""}, LaunchPlan("ab-initio", True)),
    ({"cmi.exit": "normal"}, LaunchPlan("ab-initio", True)),
    ({"cmi.exit": "time-out"}, LaunchPlan("ab-initio", True)),
    ({"cmi.exit": "logout"}, LaunchPlan("ab-initio", True)),
    ({"adl.nav.request": "_none_"}, LaunchPlan("ab-initio", True)),
])
def test_2004_entry_after_each_exit(state: dict, plan: LaunchPlan) -> None:
    """SCORM 2004 4th ed. RTE 4.2.8 cmi.entry and 4.2.10 cmi.exit: only suspend (or suspendAll) resumes;
    any other exit ends the learner attempt and the next launch is a new one, ab-initio."""
    assert launch_plan("2004", session_end("2004", state)) == plan


@pytest.mark.parametrize(("exit_", "entry"), [("suspend", "resume"), ("", ""), ("logout", ""), ("time-out", "")])
def test_12_entry_is_resume_only_after_suspend(exit_: str, entry: str) -> None:
    """SCORM 1.2 RTE 3.4.4 cmi.core.entry: "resume" after exit "suspend", otherwise ""; data kept."""
    assert launch_plan("1.2", session_end("1.2", {"cmi.core.exit": exit_})) == LaunchPlan(entry, False)


def test_first_launch_is_ab_initio_in_both_versions() -> None:
    """SCORM 1.2 RTE 3.4.4 / 2004 RTE 4.2.8: the first launch of a SCO is ab-initio."""
    assert launch_plan("1.2", None) == launch_plan("2004", None) == LaunchPlan("ab-initio", True)


def test_suspend_all_is_reported_for_the_position() -> None:
    """SCORM 2004 4th ed. RTE 4.4.2 adl.nav.request suspendAll: remember this SCO as the one to resume."""
    end = session_end("2004", {"adl.nav.request": "suspendAll"})
    assert (end.suspended, end.suspend_all, end.attempt_ended) == (True, True, False)
    assert session_end("2004", {"cmi.exit": "suspend"}).suspend_all is False


def test_session_time_is_the_scos_else_initialize_to_terminate() -> None:
    """SCORM 2004 RTE 4.2.23 cmi.session_time: the SCO's value when set, else the LMS's measure."""
    assert session_seconds("2004", {"cmi.session_time": "PT2M3.5S"}, 10) == Decimal("123.5")
    assert session_seconds("2004", {"cmi.session_time": "PT0H0M0S"}, 42.004, sco_set=False) == Decimal("42.00")
    assert session_seconds("1.2", {"cmi.core.session_time": "bad"}, 7) == Decimal("7.00")
    assert add_session_time("2004", "PT1M", Decimal(30)) == "PT1M30S"
    assert add_session_time("1.2", "", Decimal(90)) == "0000:01:30.00"


@pytest.mark.parametrize(("state", "launch", "status"), [
    ({}, {}, "completed"),
    ({"cmi.core.lesson_status": "not attempted"}, {}, "completed"),
    ({"cmi.core.score.raw": "85"}, {"mastery_score": "80"}, "passed"),
    ({"cmi.core.score.raw": "70"}, {"mastery_score": "80"}, "failed"),
    ({"cmi.core.lesson_mode": "browse"}, {}, "browsed"),
    ({"cmi.core.credit": "no-credit", "cmi.core.score.raw": "10"}, {"mastery_score": "80"}, "completed"),
])
def test_12_finish_without_lesson_status(state: dict, launch: dict, status: str) -> None:
    """SCORM 1.2 RTE 3.4.4 cmi.core.lesson_status additional behaviour: at LMSFinish an unset status
    becomes "completed", then passed/failed from the mastery score when a raw score is set."""
    assert finish_values("1.2", state, launch) == {"cmi.core.lesson_status": status}


def test_12_finish_keeps_a_status_the_sco_set() -> None:
    """SCORM 1.2 RTE 3.4.4: a status the SCO set is not overridden at LMSFinish."""
    assert finish_values("1.2", {"cmi.core.lesson_status": "incomplete"}, {}) == {}
    assert final_outcome("1.2", {}, {}).completed is True


def test_2004_delivery_controls_complete_and_satisfy_when_the_sco_did_not_report() -> None:
    """SCORM 2004 4th ed. SN 3.12 delivery controls: completionSetByContent/objectiveSetByContent false (the
    defaults) → the LMS sets completion and satisfaction the SCO did not report when the attempt ends."""
    result = final_outcome("2004", {})
    assert (result.completion, result.success) == ("completed", "passed")
    kept = final_outcome("2004", {"cmi.completion_status": "incomplete", "cmi.success_status": "failed"})
    assert (kept.completion, kept.success) == ("incomplete", "failed")
    by_content = final_outcome("2004", {}, completion_set_by_content=True, objective_set_by_content=True)
    assert (by_content.completion, by_content.success) == ("unknown", "unknown")


def test_2004_threshold_and_passing_score_decide_at_the_end() -> None:
    """SCORM 2004 4th ed. RTE 4.2.4.1 (completion_threshold vs progress_measure) and 4.2.22.1
    (scaled_passing_score vs score.scaled) override what the SCO set."""
    state = {"cmi.completion_status": "completed", "cmi.progress_measure": "0.5", "cmi.success_status": "passed",
             "cmi.score.scaled": "0.4"}
    result = final_outcome("2004", state, {"completion_threshold": "0.8", "scaled_passing_score": "0.6"})
    assert (result.completion, result.success) == ("incomplete", "failed")
