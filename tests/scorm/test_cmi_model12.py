"""SCORM 1.2 LMSGetValue/LMSSetValue through DataModel: values and error codes as the 1.2 RTE book gives them."""

from __future__ import annotations

import pytest

from scorm.cmi import DataModel


def model(state: dict[str, str] | None = None, **options: bool) -> DataModel:
    return DataModel("1.2", state or {}, **options)


def test_version_keyword_is_3_4() -> None:
    assert model().get_value("cmi._version") == ("3.4", 0)


def test_core_children_lists_the_core_elements_in_book_order() -> None:
    assert model().get_value("cmi.core._children") == (
        "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
        "lesson_mode,exit,session_time",
        0,
    )


def test_unset_read_write_element_reads_empty_without_error() -> None:
    assert model().get_value("cmi.core.lesson_location") == ("", 0)


def test_lesson_status_defaults_to_not_attempted() -> None:
    assert model().get_value("cmi.core.lesson_status") == ("not attempted", 0)


def test_set_then_get_returns_the_value() -> None:
    data = model()
    assert data.set_value("cmi.core.lesson_location", "page-3") == 0
    assert data.get_value("cmi.core.lesson_location") == ("page-3", 0)


def test_get_on_write_only_element_is_404() -> None:
    assert model().get_value("cmi.core.exit") == ("", 404)
    assert model().get_value("cmi.core.session_time") == ("", 404)


def test_interaction_elements_are_write_only_but_count_is_readable() -> None:
    data = model()
    assert data.set_value("cmi.interactions.0.id", "q1") == 0
    assert data.get_value("cmi.interactions.0.id") == ("", 404)
    assert data.get_value("cmi.interactions._count") == ("1", 0)


def test_set_on_read_only_element_is_403() -> None:
    assert model().set_value("cmi.core.student_id", "someone") == 403
    assert model().set_value("cmi.core.total_time", "0000:00:01") == 403


def test_undefined_element_is_401() -> None:
    assert model().get_value("cmi.core.bogus") == ("", 401)
    assert model().set_value("cmi.completion_status", "completed") == 401


def test_children_on_element_without_children_is_202() -> None:
    assert model().get_value("cmi.core.student_id._children") == ("", 202)


def test_count_on_non_array_is_203() -> None:
    assert model().get_value("cmi.core._count") == ("", 203)


def test_set_on_keyword_is_402() -> None:
    assert model().set_value("cmi.core._children", "x") == 402
    assert model().set_value("cmi._version", "4.0") == 402
    assert model().set_value("cmi.objectives._count", "3") == 402


def test_empty_element_name_is_201() -> None:
    assert model().get_value("") == ("", 201)
    assert model().set_value("", "x") == 201


@pytest.mark.parametrize("value", ["finished", "", "Passed", "not attempted"])
def test_bad_lesson_status_is_405(value: str) -> None:
    assert model().set_value("cmi.core.lesson_status", value) == 405


@pytest.mark.parametrize("value", ["passed", "completed", "failed", "incomplete", "browsed"])
def test_sco_can_set_every_status_but_not_attempted(value: str) -> None:
    assert model().set_value("cmi.core.lesson_status", value) == 0


@pytest.mark.parametrize(("value", "code"), [("85", 0), ("0", 0), ("100", 0), ("", 0), ("72.5", 0),
                                            ("101", 405), ("-1", 405), ("eighty", 405), ("1e2", 405)])
def test_score_raw_is_decimal_or_blank_between_0_and_100(value: str, code: int) -> None:
    assert model().set_value("cmi.core.score.raw", value) == code


@pytest.mark.parametrize(("element", "value", "code"), [
    ("cmi.student_preference.audio", "-1", 0), ("cmi.student_preference.audio", "101", 405),
    ("cmi.student_preference.speed", "-100", 0), ("cmi.student_preference.speed", "-101", 405),
    ("cmi.student_preference.text", "1", 0), ("cmi.student_preference.text", "2", 405),
    ("cmi.student_preference.text", "0.5", 405),
])
def test_student_preference_ranges(element: str, value: str, code: int) -> None:
    assert model().set_value(element, value) == code


@pytest.mark.parametrize(("value", "code"), [("00:05:30", 0), ("0001:00:00.5", 0), ("9999:59:59.99", 0),
                                            ("00:60:00", 405), ("1:00:00", 405), ("PT1H", 405)])
def test_session_time_is_a_cmitimespan(value: str, code: int) -> None:
    assert model().set_value("cmi.core.session_time", value) == code


@pytest.mark.parametrize(("value", "code"), [("13:45:10", 0), ("13:45:10.25", 0), ("24:00:00", 405)])
def test_interaction_time_is_a_cmitime(value: str, code: int) -> None:
    data = model()
    assert data.set_value("cmi.interactions.0.time", value) == code


@pytest.mark.parametrize(("value", "code"), [("time-out", 0), ("suspend", 0), ("logout", 0), ("", 0),
                                            ("normal", 405)])
def test_exit_vocabulary(value: str, code: int) -> None:
    assert model().set_value("cmi.core.exit", value) == code


def test_lesson_location_over_255_characters_is_405() -> None:
    assert model().set_value("cmi.core.lesson_location", "x" * 255) == 0
    assert model().set_value("cmi.core.lesson_location", "x" * 256) == 405


def test_suspend_data_over_4096_is_accepted_by_default() -> None:
    data = model()
    assert data.set_value("cmi.suspend_data", "s" * 10_000) == 0
    assert data.get_value("cmi.suspend_data") == ("s" * 10_000, 0)


def test_suspend_data_over_4096_is_405_when_strict() -> None:
    data = model(strict_suspend_data_limit=True)
    assert data.set_value("cmi.suspend_data", "s" * 4096) == 0
    assert data.set_value("cmi.suspend_data", "s" * 4097) == 405


def test_objectives_append_only_at_count() -> None:
    data = model()
    assert data.set_value("cmi.objectives.1.id", "obj2") == 201
    assert data.set_value("cmi.objectives.0.id", "obj1") == 0
    assert data.set_value("cmi.objectives.1.id", "obj2") == 0
    assert data.get_value("cmi.objectives._count") == ("2", 0)
    assert data.get_value("cmi.objectives.1.id") == ("obj2", 0)


def test_get_beyond_count_is_201() -> None:
    assert model().get_value("cmi.objectives.0.id") == ("", 201)


def test_nested_interaction_arrays_count_separately() -> None:
    data = model()
    assert data.set_value("cmi.interactions.0.objectives.0.id", "obj1") == 0
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", "a") == 0
    assert data.set_value("cmi.interactions.0.correct_responses.1.pattern", "b") == 0
    assert data.get_value("cmi.interactions.0.objectives._count") == ("1", 0)
    assert data.get_value("cmi.interactions.0.correct_responses._count") == ("2", 0)
    assert data.get_value("cmi.interactions.1.objectives._count") == ("", 201)


def test_objective_score_children() -> None:
    data = model({"cmi.objectives.0.id": "o1"})
    assert data.get_value("cmi.objectives.0.score._children") == ("raw,min,max", 0)


@pytest.mark.parametrize(("value", "code"), [("correct", 0), ("wrong", 0), ("neutral", 0), ("0.5", 0),
                                            ("incorrect", 405)])
def test_interaction_result_is_vocabulary_or_decimal(value: str, code: int) -> None:
    assert model().set_value("cmi.interactions.0.result", value) == code


def test_interaction_type_vocabulary_has_no_2004_types() -> None:
    assert model().set_value("cmi.interactions.0.type", "choice") == 0
    assert model().set_value("cmi.interactions.0.type", "long-fill-in") == 405


def test_numbers_are_converted_like_javascript_strings() -> None:
    data = model()
    assert data.set_value("cmi.core.score.raw", 80) == 0
    assert data.get_value("cmi.core.score.raw") == ("80", 0)
    assert data.set_value("cmi.core.score.raw", 72.5) == 0
    assert data.get_value("cmi.core.score.raw") == ("72.5", 0)


def test_containers_and_none_are_405() -> None:
    assert model().set_value("cmi.core.lesson_location", ["a"]) == 405
    assert model().set_value("cmi.core.lesson_location", None) == 405


def test_nul_and_lone_surrogates_cannot_be_stored() -> None:
    assert model().set_value("cmi.core.lesson_location", "a\x00b") == 405
    assert model().set_value("cmi.core.lesson_location", "a\ud800") == 405


def test_literal_n_in_a_name_is_undefined() -> None:
    assert model().set_value("cmi.objectives.n.id", "x") == 401
    assert model().set_value("cmi.objectives.01.id", "x") == 401


def test_lms_values_in_the_state_are_readable() -> None:
    data = model({"cmi.core.student_id": "CB-0001", "cmi.core.student_name": "Nguyễn Văn An",
                  "cmi.student_data.mastery_score": "80"})
    assert data.get_value("cmi.core.student_name") == ("Nguyễn Văn An", 0)
    assert data.get_value("cmi.student_data.mastery_score") == ("80", 0)


def test_unexpected_internal_failure_is_101(monkeypatch: pytest.MonkeyPatch) -> None:
    data = model()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(data, "_set", broken)
    monkeypatch.setattr(data, "_get", broken)
    assert data.set_value("cmi.core.lesson_location", "x") == 101
    assert data.get_value("cmi.core.lesson_location") == ("", 101)
