"""SCORM 2004 GetValue/SetValue through DataModel: values and error codes as the 4th edition RTE book gives them."""

from __future__ import annotations

import dataclasses

import pytest

from scorm.cmi import SCORM2004, DataModel


def model(state: dict[str, str] | None = None) -> DataModel:
    return DataModel("2004", state or {})


def with_interaction(kind: str | None = "choice") -> DataModel:
    data = model()
    assert data.set_value("cmi.interactions.0.id", "q1") == 0
    if kind:
        assert data.set_value("cmi.interactions.0.type", kind) == 0
    return data


@pytest.mark.parametrize("version", ["2004", "2004-2nd", "2004-3rd", "2004-4th"])
def test_every_edition_spelling_means_2004(version: str) -> None:
    assert DataModel(version).get_value("cmi._version") == ("1.0", 0)


def test_get_on_unset_element_without_default_is_403() -> None:
    assert model().get_value("cmi.location") == ("", 403)
    assert model().get_value("cmi.score.scaled") == ("", 403)
    assert model().get_value("cmi.suspend_data") == ("", 403)


def test_elements_with_defaults_read_without_error() -> None:
    data = model()
    assert data.get_value("cmi.completion_status") == ("unknown", 0)
    assert data.get_value("cmi.success_status") == ("unknown", 0)
    assert data.get_value("cmi.mode") == ("normal", 0)
    assert data.get_value("cmi.credit") == ("credit", 0)
    assert data.get_value("cmi.total_time") == ("PT0H0M0S", 0)
    assert data.get_value("cmi.learner_preference.audio_level") == ("1", 0)
    assert data.get_value("cmi.learner_preference.audio_captioning") == ("0", 0)


def test_get_on_write_only_is_405() -> None:
    assert model().get_value("cmi.exit") == ("", 405)
    assert model().get_value("cmi.session_time") == ("", 405)


def test_set_on_read_only_is_404() -> None:
    assert model().set_value("cmi.learner_id", "x") == 404
    assert model().set_value("cmi.completion_threshold", "0.5") == 404
    assert model().set_value("adl.nav.request_valid.continue", "true") == 404


def test_set_on_keyword_is_404() -> None:
    assert model().set_value("cmi._version", "2.0") == 404
    assert model().set_value("cmi.interactions._count", "3") == 404
    assert model().set_value("cmi.score._children", "raw") == 404


def test_undefined_element_is_401() -> None:
    assert model().get_value("cmi.core.lesson_status") == ("", 401)
    assert model().set_value("cmi.bogus", "x") == 401
    assert model().get_value("cmi.score") == ("", 401)


def test_unimplemented_part_of_the_book_is_402() -> None:
    """SCORM 2004 4th ed. RTE 3.1.7.6: an element the book defines and the LMS does not implement is 402."""
    table = dataclasses.replace(SCORM2004, unimplemented=("adl.extension",))
    with_table = DataModel(table, {})
    with_table.model = table
    assert with_table.get_value("adl.extension.value") == ("", 402)
    assert with_table.set_value("adl.extension.value", "x") == 402
    assert model().get_value("adl.extension.value") == ("", 401)


def test_adl_data_buckets_are_the_lms_s() -> None:
    """SCORM 2004 4th ed. RTE 4.3: adl.data.n.id is read only, a SCO cannot add a bucket (351), an unwritten
    store is 403, and the map's readSharedData/writeSharedData give 405/404."""
    data = DataModel("2004", {"adl.data.0.id": "notes", "adl.data.1.id": "bank", "adl.data.1.store": "7"},
                     shared_data=((True, False), (False, True)))
    assert data.get_value("adl.data._count") == ("2", 0)
    assert data.get_value("adl.data._children") == ("id,store", 0)
    assert data.get_value("adl.data.0.id") == ("notes", 0)
    assert data.get_value("adl.data.0.store") == ("", 403)
    assert data.get_value("adl.data.1.store") == ("", 405)
    assert data.set_value("adl.data.0.store", "x") == 404
    assert data.set_value("adl.data.1.store", "8") == 0
    assert data.set_value("adl.data.2.store", "x") == 351
    assert data.set_value("adl.data.0.id", "x") == 404


def test_count_on_non_array_is_301() -> None:
    assert model().get_value("cmi.location._count") == ("", 301)
    assert model().get_value("cmi.score._count") == ("", 301)


def test_children_on_element_without_children_is_301() -> None:
    assert model().get_value("cmi.location._children") == ("", 301)


def test_children_lists() -> None:
    data = model()
    assert data.get_value("cmi.score._children") == ("scaled,raw,min,max", 0)
    assert data.get_value("cmi.learner_preference._children") == (
        "audio_level,language,delivery_speed,audio_captioning", 0)
    assert data.get_value("cmi.objectives._children") == (
        "id,score,success_status,completion_status,progress_measure,description", 0)


def test_empty_name_is_301_on_get_and_351_on_set() -> None:
    assert model().get_value("") == ("", 301)
    assert model().set_value("", "x") == 351


@pytest.mark.parametrize(("element", "value"), [
    ("cmi.completion_status", "done"), ("cmi.success_status", "Passed"), ("cmi.exit", "quit"),
    ("cmi.score.scaled", "high"), ("cmi.session_time", "01:00:00"), ("cmi.session_time", "PT"),
    ("cmi.progress_measure", "1e-1"), ("cmi.learner_preference.audio_captioning", "2"),
    ("cmi.learner_preference.language", "vietnamese!"), ("cmi.comments_from_learner.0.timestamp", "2024-13-01"),
    ("cmi.comments_from_learner.0.timestamp", "2024-02-30"), ("cmi.comments_from_learner.0.comment", "{lang=??}x"),
    ("adl.nav.request", "jump"[::-1]),
])
def test_type_mismatch_is_406(element: str, value: str) -> None:
    assert model().set_value(element, value) == 406


@pytest.mark.parametrize(("element", "value"), [
    ("cmi.score.scaled", "1.01"), ("cmi.score.scaled", "-1.5"), ("cmi.progress_measure", "1.5"),
    ("cmi.progress_measure", "-0.1"), ("cmi.learner_preference.audio_level", "-1"),
    ("cmi.learner_preference.delivery_speed", "-0.5"),
])
def test_out_of_range_is_407(element: str, value: str) -> None:
    assert model().set_value(element, value) == 407


@pytest.mark.parametrize(("element", "value"), [
    ("cmi.score.scaled", "-1"), ("cmi.score.scaled", "1"), ("cmi.score.raw", "-250.5"),
    ("cmi.progress_measure", "0.75"), ("cmi.exit", "suspend"), ("cmi.exit", ""), ("cmi.exit", "normal"),
    ("cmi.session_time", "PT1H30M5.25S"), ("cmi.session_time", "P1DT2H3M4.5S"),
    ("cmi.learner_preference.language", "vi"), ("cmi.learner_preference.language", "en-US"),
    ("cmi.learner_preference.language", ""), ("cmi.learner_preference.audio_level", "2.5"),
    ("cmi.location", ""), ("cmi.comments_from_learner.0.comment", "{lang=vi}Bài học hay"),
    ("cmi.comments_from_learner.0.timestamp", "2024-05-01T10:30:00+07:00"),
    ("cmi.comments_from_learner.0.timestamp", "2024"), ("adl.nav.request", "continue"),
    ("adl.nav.request", "{target=sco-2}choice"),
])
def test_valid_values_are_stored(element: str, value: str) -> None:
    data = model()
    assert data.set_value(element, value) == 0
    if element not in {"cmi.exit", "cmi.session_time"}:
        assert data.get_value(element) == (value, 0)


def test_suspend_data_longer_than_spm_is_stored_whole() -> None:
    data = model()
    big = "đ" * 100_000
    assert data.set_value("cmi.suspend_data", big) == 0
    assert data.get_value("cmi.suspend_data") == (big, 0)


def test_interaction_type_before_id_is_408() -> None:
    assert model().set_value("cmi.interactions.0.type", "choice") == 408


@pytest.mark.parametrize("element", [
    "cmi.interactions.0.timestamp", "cmi.interactions.0.weighting", "cmi.interactions.0.result",
    "cmi.interactions.0.latency", "cmi.interactions.0.description", "cmi.interactions.0.objectives.0.id",
])
def test_interaction_elements_need_the_id_first(element: str) -> None:
    values = {"cmi.interactions.0.timestamp": "2024-01-01", "cmi.interactions.0.weighting": "1",
              "cmi.interactions.0.result": "correct", "cmi.interactions.0.latency": "PT5S",
              "cmi.interactions.0.description": "Câu 1", "cmi.interactions.0.objectives.0.id": "o1"}
    data = model()
    assert data.set_value(element, values[element]) == 408
    assert data.set_value("cmi.interactions.0.id", "q1") == 0
    assert data.set_value(element, values[element]) == 0


def test_responses_need_the_type_first() -> None:
    data = with_interaction(kind=None)
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", "a") == 408
    assert data.set_value("cmi.interactions.0.learner_response", "a") == 408


def test_objective_elements_need_the_id_first() -> None:
    data = model()
    assert data.set_value("cmi.objectives.0.score.scaled", "0.5") == 408
    assert data.set_value("cmi.objectives.0.id", "obj-1") == 0
    assert data.set_value("cmi.objectives.0.score.scaled", "0.5") == 0
    assert data.get_value("cmi.objectives.0.success_status") == ("unknown", 0)


def test_set_beyond_count_is_351_and_get_beyond_count_is_301() -> None:
    data = model()
    assert data.set_value("cmi.interactions.1.id", "q2") == 351
    assert data.get_value("cmi.interactions.0.id") == ("", 301)
    assert data.get_value("cmi.interactions.0.objectives._count") == ("", 301)


def test_objective_id_is_fixed_once_set() -> None:
    data = model({"cmi.objectives.0.id": "obj-1"})
    assert data.set_value("cmi.objectives.0.id", "obj-1") == 0
    assert data.set_value("cmi.objectives.0.id", "obj-2") == 351


def test_objective_ids_are_unique() -> None:
    data = model({"cmi.objectives.0.id": "obj-1"})
    assert data.set_value("cmi.objectives.1.id", "obj-1") == 351
    assert data.set_value("cmi.objectives.1.id", "obj-2") == 0


def test_empty_identifier_is_406() -> None:
    assert model().set_value("cmi.interactions.0.id", "") == 406


def test_true_false_holds_one_pattern_only() -> None:
    data = with_interaction("true-false")
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", "true") == 0
    assert data.set_value("cmi.interactions.0.correct_responses.1.pattern", "false") == 351


def test_choice_holds_several_patterns() -> None:
    data = with_interaction("choice")
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", "a[,]b") == 0
    assert data.set_value("cmi.interactions.0.correct_responses.1.pattern", "c") == 0
    assert data.get_value("cmi.interactions.0.correct_responses._count") == ("2", 0)
    assert data.get_value("cmi.interactions.0.correct_responses.1.pattern") == ("c", 0)


def test_nav_request_valid_choice_target_reads_unknown() -> None:
    assert model().get_value("adl.nav.request_valid.choice.{target=sco.2}") == ("unknown", 0)
    assert model().get_value("adl.nav.request_valid.continue") == ("unknown", 0)


def test_number_values_convert_like_javascript() -> None:
    data = model()
    assert data.set_value("cmi.score.scaled", 0.85) == 0
    assert data.get_value("cmi.score.scaled") == ("0.85", 0)
    assert data.set_value("cmi.score.scaled", 1e-7) == 0
    assert data.get_value("cmi.score.scaled") == ("0.0000001", 0)
    assert data.set_value("cmi.score.scaled", float("nan")) == 406


def test_unexpected_internal_failure_is_101(monkeypatch: pytest.MonkeyPatch) -> None:
    data = model()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("scorm.cmi.datamodel.check_value", broken)
    assert data.set_value("cmi.location", "x") == 101
    assert data.get_value("cmi.location") == ("", 403)


def test_huge_numbers_are_type_mismatches_not_general_exceptions() -> None:
    data = model()
    assert data.set_value("cmi.session_time", "PT" + "9" * 5000 + "S") == 406
    assert data.set_value("cmi.score.raw", 10**5000) == 406
    assert data.set_value("cmi.score.raw", "1" + "0" * 5000) == 0
