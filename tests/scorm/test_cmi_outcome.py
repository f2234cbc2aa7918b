"""outcome(): completion, success, scores and time, with the 1.2 mastery score and 2004 thresholds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorm.cmi import Outcome, outcome
from scorm.errors import CmiError


@pytest.mark.parametrize(("status", "completion", "success"), [
    ("passed", "completed", "passed"), ("completed", "completed", "unknown"), ("failed", "completed", "failed"),
    ("incomplete", "incomplete", "unknown"), ("browsed", "incomplete", "unknown"),
    ("not attempted", "not attempted", "unknown"),
])
def test_12_status_meaning(status: str, completion: str, success: str) -> None:
    result = outcome("1.2", {"cmi.core.lesson_status": status}, {})
    assert (result.completion, result.success) == (completion, success)


def test_12_empty_state_is_not_attempted() -> None:
    result = outcome("1.2", {}, None)
    assert result == Outcome("not attempted", "unknown", None, None, Decimal(0))
    assert result.completed is False and result.passed is None


def test_12_mastery_score_turns_completed_into_passed() -> None:
    state = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "80"}
    result = outcome("1.2", state, {"mastery_score": 80})
    assert (result.completion, result.success, result.passed, result.completed) == ("completed", "passed", True, True)


def test_12_mastery_score_overrides_a_passed_status_below_mastery() -> None:
    state = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "79.5"}
    assert outcome("1.2", state, {"mastery_score": "80"}).success == "failed"


def test_12_mastery_score_without_raw_score_keeps_the_status() -> None:
    assert outcome("1.2", {"cmi.core.lesson_status": "incomplete"}, {"mastery_score": 80}).success == "unknown"


def test_12_mastery_score_is_read_from_the_state_when_launch_data_lacks_it() -> None:
    state = {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "90", "cmi.student_data.mastery_score": "85"}
    assert outcome("1.2", state, {}).success == "passed"


def test_12_mastery_score_does_not_apply_without_credit_or_in_browse_mode() -> None:
    base = {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "10"}
    assert outcome("1.2", {**base, "cmi.core.credit": "no-credit"}, {"mastery_score": 80}).success == "unknown"
    assert outcome("1.2", {**base, "cmi.core.lesson_mode": "browse"}, {"mastery_score": 80}).success == "unknown"


@pytest.mark.parametrize(("score", "scaled"), [
    ({"cmi.core.score.raw": "45"}, 0.45),
    ({"cmi.core.score.raw": "15", "cmi.core.score.min": "0", "cmi.core.score.max": "20"}, 0.75),
    ({"cmi.core.score.raw": "15", "cmi.core.score.min": "10", "cmi.core.score.max": "20"}, 0.5),
    ({"cmi.core.score.raw": "8", "cmi.core.score.max": "10"}, 0.8),
    ({"cmi.core.score.raw": "", "cmi.core.score.max": "10"}, None),
])
def test_12_scaled_score_from_raw(score: dict[str, str], scaled: float | None) -> None:
    result = outcome("1.2", score, {})
    assert result.score_scaled == scaled


def test_12_total_time_in_seconds() -> None:
    assert outcome("1.2", {"cmi.core.total_time": "0001:30:00.25"}, {}).total_time_seconds == Decimal("5400.25")


def test_2004_statuses_as_set_without_thresholds() -> None:
    state = {"cmi.completion_status": "completed", "cmi.success_status": "failed", "cmi.score.scaled": "0.4",
             "cmi.score.raw": "40", "cmi.total_time": "PT1H2M3.5S"}
    result = outcome("2004", state, {})
    assert result == Outcome("completed", "failed", 0.4, 40.0, Decimal("3723.5"))
    assert result.completed is True and result.passed is False


@pytest.mark.parametrize(("progress", "completion"), [("0.8", "completed"), ("0.79", "incomplete"), (None, "unknown")])
def test_2004_completion_threshold_decides_completion(progress: str | None, completion: str) -> None:
    state = {"cmi.completion_status": "completed" if progress != "0.8" else "incomplete"}
    if progress is not None:
        state["cmi.progress_measure"] = progress
    assert outcome("2004", state, {"completion_threshold": "0.8"}).completion == completion


@pytest.mark.parametrize(("scaled", "success"), [("0.6", "passed"), ("0.59", "failed"), (None, "unknown")])
def test_2004_scaled_passing_score_decides_success(scaled: str | None, success: str) -> None:
    state = {"cmi.success_status": "passed" if scaled != "0.6" else "failed"}
    if scaled is not None:
        state["cmi.score.scaled"] = scaled
    assert outcome("2004", state, {"scaled_passing_score": 0.6}).success == success


def test_2004_thresholds_can_come_from_the_state() -> None:
    state = {"cmi.progress_measure": "1", "cmi.completion_threshold": "1", "cmi.score.scaled": "-0.5",
             "cmi.scaled_passing_score": "-0.6"}
    result = outcome("2004-4th", state, None)
    assert (result.completion, result.success) == ("completed", "passed")


def test_2004_unknown_statuses() -> None:
    result = outcome("2004", {}, {})
    assert (result.completion, result.success, result.score_scaled) == ("unknown", "unknown", None)


@pytest.mark.parametrize("launch", [{"mastery_score": "abc"}, {"mastery_score": 120}, {"mastery_score": True}])
def test_bad_mastery_score_raises_cmi_error(launch: dict[str, object]) -> None:
    with pytest.raises(CmiError):
        outcome("1.2", {}, launch)


@pytest.mark.parametrize("launch", [{"completion_threshold": "1.5"}, {"scaled_passing_score": "-2"}])
def test_bad_2004_thresholds_raise_cmi_error(launch: dict[str, object]) -> None:
    with pytest.raises(CmiError):
        outcome("2004", {}, launch)
