"""validate_commit: the server-side check and merge of a flattened scorm-again commit."""

from __future__ import annotations

import pytest

from scorm.cmi import SCORM12, SCORM2004, CommitError, launch_state, validate_commit
from scorm.errors import CmiError

# What scorm-again sends (dataCommitFormat "flattened") for a 1.2 SCO that only set a few values:
SCORM_AGAIN_12 = {
    "cmi.core.student_id": "CB-0001", "cmi.core.student_name": "Nguyễn Văn An", "cmi.core.lesson_location": "p3",
    "cmi.core.credit": "credit", "cmi.core.lesson_status": "incomplete", "cmi.core.entry": "ab-initio",
    "cmi.core.score.raw": "", "cmi.core.score.min": "", "cmi.core.score.max": "", "cmi.core.total_time": "00:00:00",
    "cmi.core.lesson_mode": "normal", "cmi.core.exit": "suspend", "cmi.core.session_time": "00:10:00.50",
    "cmi.suspend_data": "slide=3", "cmi.launch_data": "", "cmi.comments": "", "cmi.comments_from_lms": "",
    "cmi.core._children": "student_id,student_name", "cmi.objectives._count": 0, "cmi.interactions._count": 0,
    "cmi.student_data.mastery_score": "", "cmi.student_preference.audio": "", "cmi.student_preference.language": "",
}


def test_scorm_again_12_payload_is_accepted_and_merged() -> None:
    state, errors = validate_commit("1.2", {"cmi.core.student_id": "CB-0001"}, SCORM_AGAIN_12)
    assert errors == []
    assert state["cmi.core.lesson_status"] == "incomplete"
    assert state["cmi.core.lesson_location"] == "p3"
    assert state["cmi.suspend_data"] == "slide=3"
    assert state["cmi.core.exit"] == "suspend"
    assert state["cmi.core.total_time"] == "0000:10:00.50"
    assert "cmi.core.session_time" not in state
    assert "cmi.core._children" not in state


def test_session_time_is_added_to_the_prior_total_12() -> None:
    prior = {"cmi.core.total_time": "0001:59:59.75"}
    state, errors = validate_commit("1.2", prior, {"cmi.core.session_time": "00:00:00.30"})
    assert errors == []
    assert state["cmi.core.total_time"] == "0002:00:00.05"


def test_session_time_is_added_to_the_prior_total_2004() -> None:
    prior = {"cmi.total_time": "PT23H59M59.5S"}
    state, errors = validate_commit("2004-3rd", prior, {"cmi.session_time": "P1DT2H3M4.5S"})
    assert errors == []
    assert state["cmi.total_time"] == "P2DT2H3M4S"


def test_commit_without_session_time_keeps_the_total() -> None:
    state, _ = validate_commit("2004", {"cmi.total_time": "PT1H"}, {"cmi.location": "x"})
    assert state["cmi.total_time"] == "PT1H"


def test_invalid_session_time_is_an_error() -> None:
    _, errors = validate_commit("2004", {}, {"cmi.session_time": "1 hour"})
    assert errors == [CommitError("cmi.session_time", 406, "Data Model Element Type Mismatch",
                                  "Giá trị sai kiểu dữ liệu")]


def test_read_only_values_are_kept_silently() -> None:
    prior = {"cmi.learner_id": "CB-0001", "cmi.mode": "normal", "cmi.total_time": "PT10M"}
    payload = {"cmi.learner_id": "attacker", "cmi.mode": "review", "cmi.total_time": "P99D", "cmi.entry": "resume",
               "cmi.launch_data": "x", "cmi.credit": "no-credit", "cmi.completion_threshold": "0"}
    state, errors = validate_commit("2004", prior, payload)
    assert errors == []
    assert state["cmi.learner_id"] == "CB-0001"
    assert state["cmi.mode"] == "normal"
    assert state["cmi.total_time"] == "PT10M"
    assert "cmi.entry" not in state
    assert "cmi.completion_threshold" not in state


def test_empty_values_of_unset_numeric_elements_are_ignored() -> None:
    payload = {"cmi.score.scaled": "", "cmi.score.raw": "", "cmi.progress_measure": "", "cmi.location": "",
               "cmi.exit": "", "cmi.interactions.0.type": ""}
    state, errors = validate_commit("2004", {"cmi.score.scaled": "0.8"}, payload)
    assert errors == []
    assert state["cmi.score.scaled"] == "0.8"
    assert state["cmi.location"] == ""


def test_invalid_values_are_reported_with_their_codes() -> None:
    payload = {"cmi.score.scaled": "2", "cmi.completion_status": "finished", "cmi.bogus": "x",
               "cmi.interactions.0.type": "choice"}
    _, errors = validate_commit("2004", {}, payload)
    assert {(error.element, error.code) for error in errors} == {
        ("cmi.score.scaled", 407), ("cmi.completion_status", 406), ("cmi.bogus", 401),
        ("cmi.interactions.0.type", 408),
    }
    assert all(error.message_en and error.message_vi for error in errors)


def test_interactions_are_applied_id_first_whatever_the_key_order() -> None:
    payload = {
        "cmi.interactions.1.result": "incorrect",
        "cmi.interactions.1.correct_responses.0.pattern": "b",
        "cmi.interactions.1.type": "choice",
        "cmi.interactions.10.id": "q11",
        "cmi.interactions.1.id": "q2",
        "cmi.interactions.0.id": "q1",
        **{f"cmi.interactions.{index}.id": f"q{index + 1}" for index in range(2, 10)},
    }
    state, errors = validate_commit("2004", {}, payload)
    assert errors == []
    assert state["cmi.interactions.1.correct_responses.0.pattern"] == "b"
    assert state["cmi.interactions.10.id"] == "q11"


def test_interactions_continue_after_the_stored_ones() -> None:
    prior = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "true-false"}
    state, errors = validate_commit("2004", prior, {"cmi.interactions.1.id": "q2"})
    assert errors == []
    assert state["cmi.interactions.1.id"] == "q2"
    _, errors = validate_commit("2004", prior, {"cmi.interactions.2.id": "q3"})
    assert [error.code for error in errors] == [351]


def test_changing_a_stored_objective_id_is_refused() -> None:
    _, errors = validate_commit("2004", {"cmi.objectives.0.id": "o1"}, {"cmi.objectives.0.id": "o2"})
    assert [(error.element, error.code) for error in errors] == [("cmi.objectives.0.id", 351)]


@pytest.mark.parametrize(("prior", "sent", "kept"), [
    ("completed", "incomplete", "completed"), ("passed", "failed", "passed"), ("passed", "incomplete", "passed"),
    ("passed", "completed", "passed"), ("failed", "incomplete", "failed"), ("completed", "browsed", "completed"),
    ("incomplete", "not attempted", "incomplete"), ("incomplete", "completed", "completed"),
    ("failed", "passed", "passed"), ("completed", "passed", "passed"), ("completed", "failed", "failed"),
])
def test_lesson_status_never_regresses(prior: str, sent: str, kept: str) -> None:
    state, errors = validate_commit("1.2", {"cmi.core.lesson_status": prior}, {"cmi.core.lesson_status": sent})
    assert errors == []
    assert state["cmi.core.lesson_status"] == kept


def test_not_attempted_from_the_runtime_is_no_error_on_a_new_attempt() -> None:
    state, errors = validate_commit("1.2", {}, {"cmi.core.lesson_status": "not attempted"})
    assert errors == []
    assert "cmi.core.lesson_status" not in state


@pytest.mark.parametrize(("element", "prior", "sent", "kept"), [
    ("cmi.completion_status", "completed", "incomplete", "completed"),
    ("cmi.completion_status", "incomplete", "completed", "completed"),
    ("cmi.completion_status", "incomplete", "unknown", "unknown"),
    ("cmi.success_status", "passed", "failed", "passed"),
    ("cmi.success_status", "passed", "unknown", "passed"),
    ("cmi.success_status", "failed", "passed", "passed"),
])
def test_2004_completion_and_pass_never_regress(element: str, prior: str, sent: str, kept: str) -> None:
    state, errors = validate_commit("2004", {element: prior}, {element: sent})
    assert errors == []
    assert state[element] == kept


def test_suspend_data_limit_12_only_when_strict() -> None:
    payload = {"cmi.suspend_data": "x" * 5000}
    state, errors = validate_commit("1.2", {}, payload)
    assert errors == [] and state["cmi.suspend_data"] == "x" * 5000
    _, errors = validate_commit("1.2", {}, payload, strict_suspend_data_limit=True)
    assert [(error.element, error.code) for error in errors] == [("cmi.suspend_data", 405)]


def test_long_2004_suspend_data_is_stored_whole() -> None:
    data = "ab" * 100_000
    state, errors = validate_commit("2004", {}, {"cmi.suspend_data": data})
    assert errors == [] and state["cmi.suspend_data"] == data


def test_payload_that_is_not_a_mapping_is_an_error() -> None:
    _, errors = validate_commit("2004", {}, ["cmi.location", "x"])
    assert [error.code for error in errors] == [201]


def test_bad_version_or_state_raise_cmi_error() -> None:
    with pytest.raises(CmiError):
        validate_commit("1.3", {}, {})
    with pytest.raises(CmiError):
        validate_commit("1.2", None, {})  # type: ignore[arg-type]


def test_non_string_keys_and_junk_values_are_errors_not_exceptions() -> None:
    payload = {1: "x", "cmi.location": {"nested": [1, 2]}, "cmi.suspend_data": float("inf")}
    _, errors = validate_commit("2004", {}, payload)
    assert sorted(error.code for error in errors) == [401, 406, 406]


def test_adl_data_store_is_kept_for_buckets_the_lms_seeded() -> None:
    """SCORM 2004 4th ed. RTE 4.3: a SCO writes the store of a bucket the LMS gave; it cannot add one."""
    state, errors = validate_commit("2004", {"adl.data.0.id": "notes"}, {"adl.data.0.store": "x",
                                                                          "adl.data.1.store": "y"})
    assert state["adl.data.0.store"] == "x" and "adl.data.1.store" not in state
    assert [(e.element, e.code) for e in errors] == [("adl.data.1.store", 351)]
    state, errors = validate_commit("2004", {"adl.data.0.id": "notes"}, {"adl.data.0.store": "x"},
                                    shared_data=((True, False),))
    assert "adl.data.0.store" not in state and [(e.element, e.code) for e in errors] == [("adl.data.0.store", 404)]


def test_unreadable_prior_total_time_counts_as_zero() -> None:
    state, _ = validate_commit("2004", {"cmi.total_time": "garbage"}, {"cmi.session_time": "PT5S"})
    assert state["cmi.total_time"] == "PT5S"


def test_launch_state_of_a_new_attempt_is_ab_initio() -> None:
    state = launch_state("2004", {"cmi.location": "x"}, new_attempt=True, lms_values={"cmi.learner_id": "CB-1"})
    assert state == {"cmi.entry": "ab-initio", "cmi.learner_id": "CB-1"}


def test_launch_state_after_suspend_is_resume() -> None:
    state = launch_state("1.2", {"cmi.core.exit": "suspend", "cmi.core.lesson_status": "incomplete"})
    assert state["cmi.core.entry"] == "resume"
    assert "cmi.core.exit" not in state


@pytest.mark.parametrize("exit_", ["", "normal", "time-out", "logout"])
def test_launch_state_after_a_2004_non_suspend_exit_is_a_new_attempt(exit_: str) -> None:
    """SCORM 2004 4th ed. RTE 4.2.7/4.2.8: the attempt ended; ab-initio with fresh data and the seeds."""
    state = launch_state("2004", {"cmi.exit": exit_, "cmi.location": "x", "cmi.total_time": "PT1M"},
                         lms_values={"cmi.objectives.0.id": "obj-1"})
    assert state == {"cmi.entry": "ab-initio", "cmi.objectives.0.id": "obj-1"}


def test_launch_state_after_suspend_all_resumes_the_data() -> None:
    """SCORM 2004 4th ed. RTE 4.2.7: suspendAll suspends this SCO's attempt too."""
    state = launch_state("2004", {"adl.nav.request": "suspendAll", "cmi.location": "x"})
    assert state == {"cmi.entry": "resume", "cmi.location": "x"}


def test_launch_state_after_a_12_normal_exit_keeps_the_data_with_empty_entry() -> None:
    """SCORM 1.2 RTE 3.4.4 cmi.core.entry: "" when the last session did not suspend."""
    state = launch_state("1.2", {"cmi.core.exit": "", "cmi.core.lesson_location": "p3"})
    assert state["cmi.core.entry"] == "" and state["cmi.core.lesson_location"] == "p3"


def test_launch_state_of_an_empty_12_state_sets_not_attempted() -> None:
    assert launch_state("1.2", {}) == {"cmi.core.entry": "ab-initio", "cmi.core.lesson_status": "not attempted"}


def test_the_tables_can_stand_for_their_version() -> None:
    state, errors = validate_commit(SCORM12, {}, {"cmi.core.lesson_status": "completed"})
    assert errors == [] and state["cmi.core.lesson_status"] == "completed"
    state, errors = validate_commit(SCORM2004, {}, {"cmi.session_time": "PT1S"})
    assert errors == [] and state["cmi.total_time"] == "PT1S"


def test_one_bad_interaction_among_250_keeps_the_other_249() -> None:
    """Partial commits: a refused element is reported, every other value is stored (issue 15)."""
    payload: dict[str, str] = {}
    for index in range(250):
        payload |= {f"cmi.interactions.{index}.id": f"q{index}", f"cmi.interactions.{index}.type": "numeric",
                    f"cmi.interactions.{index}.learner_response": "12.5"}
    payload["cmi.interactions.117.learner_response"] = "twelve"
    payload["cmi.location"] = "end"
    state, errors = validate_commit("2004", {}, payload)
    assert [(e.element, e.code) for e in errors] == [("cmi.interactions.117.learner_response", 406)]
    assert state["cmi.location"] == "end" and state["cmi.interactions.249.learner_response"] == "12.5"
    assert "cmi.interactions.117.learner_response" not in state and state["cmi.interactions.117.id"] == "q117"


def test_keep_best_false_stores_completed_back_to_incomplete() -> None:
    """SCORM 2004 4th ed. RTE 4.2.4: the SCO may set completion_status to any state at any time."""
    prior = {"cmi.completion_status": "completed", "cmi.success_status": "passed"}
    state, errors = validate_commit("2004", prior, {"cmi.completion_status": "incomplete",
                                                    "cmi.success_status": "failed"}, keep_best=False)
    assert errors == [] and (state["cmi.completion_status"], state["cmi.success_status"]) == ("incomplete", "failed")
    state, _ = validate_commit("1.2", {"cmi.core.lesson_status": "passed"},
                               {"cmi.core.lesson_status": "not attempted"}, keep_best=False)
    assert state["cmi.core.lesson_status"] == "passed"
