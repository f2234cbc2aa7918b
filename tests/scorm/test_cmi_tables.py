"""The declarative tables: consistent with themselves, with the validators, and with the conformance document."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm.cmi import CODES_12, CODES_2004, SCORM12, SCORM2004, DataModel, Model
from scorm.cmi._doc import render
from scorm.cmi.values import known_types

DOC = Path(__file__).resolve().parents[2] / "docs" / "scorm-conformance.md"


@pytest.mark.parametrize("table", [SCORM12, SCORM2004], ids=["1.2", "2004"])
def test_every_element_type_has_a_validator(table: Model) -> None:
    assert {element.type for element in table.elements} <= known_types()


@pytest.mark.parametrize("table", [SCORM12, SCORM2004], ids=["1.2", "2004"])
def test_children_lists_name_defined_elements(table: Model) -> None:
    for node, children in table.children.items():
        for child in children:
            entry = f"{node}.n" if node in table.arrays else node
            key = f"{entry}.{child}".replace(".n.", ".#.")
            assert table.is_node(key) or table.is_node(key + ".#"), f"{node}._children names {child}"


@pytest.mark.parametrize("table", [SCORM12, SCORM2004], ids=["1.2", "2004"])
def test_every_readable_element_answers_get_value(table: Model) -> None:
    data = DataModel(table.version, {row.path.replace(".n.", ".0.").replace(".m.", ".0."): "x"
                                     for row in table.elements if "{target=}" not in row.path})
    for row in table.rows():
        name = row.path.replace(".n.", ".0.").replace(".m.", ".0.").replace("{target=}", "{target=a}")
        _, code = data.get_value(name)
        assert code == (0 if row.access != "WO" else (404 if table.version == "1.2" else 405)), name


def test_element_counts() -> None:
    assert len(SCORM12.elements) == 38
    assert len(SCORM2004.elements) == 58  # 56 of cmi and adl.nav, 2 of adl.data (RTE 4.3)


def test_vocabulary_elements_have_vocabularies() -> None:
    for row in SCORM12.elements + SCORM2004.elements:
        if row.type in {"CMIVocabulary", "state", "result", "CMIResult", "nav_request"}:
            assert row.vocabulary, row.path


def test_conformance_document_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m scorm.cmi._doc > docs/scorm-conformance.md"


def test_document_covers_every_element_and_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    for row in SCORM12.rows() + SCORM2004.rows():
        assert f"`{row.path}`" in text
    for code in set(CODES_12) | set(CODES_2004):
        assert f"| {code} |" in text


def test_every_test_named_in_the_document_exists() -> None:
    here = Path(__file__).resolve().parent
    for reference in _references(DOC.read_text(encoding="utf-8")):
        file_name, test_name = reference.split("::")
        assert f"def {test_name}(" in (here / file_name).read_text(encoding="utf-8"), reference


def _references(text: str) -> set[str]:
    found = set()
    for chunk in text.split("`"):
        if chunk.startswith("test_cmi_") and "::" in chunk:
            found.add(chunk)
    return found


# A valid and an invalid value for every element a SCO can write, with the invalid value's code.
_LIST: list[str] = ["not", "a", "string"]
WRITE_SAMPLES_12: dict[str, tuple[object, object]] = {
    "cmi.core.lesson_location": ("p1", "x" * 256), "cmi.core.lesson_status": ("completed", "done"),
    "cmi.core.score.raw": ("50", "150"), "cmi.core.score.max": ("100", "101"), "cmi.core.score.min": ("0", "-1"),
    "cmi.core.exit": ("suspend", "quit"), "cmi.core.session_time": ("00:01:00", "1m"),
    "cmi.suspend_data": ("abc", _LIST), "cmi.comments": ("hi", "x" * 4097),
    "cmi.objectives.n.id": ("o1", "x" * 256), "cmi.objectives.n.score.raw": ("50", "-5"),
    "cmi.objectives.n.score.max": ("50", "x"), "cmi.objectives.n.score.min": ("50", "200"),
    "cmi.objectives.n.status": ("passed", "done"), "cmi.student_preference.audio": ("50", "101"),
    "cmi.student_preference.language": ("vi", "x" * 256), "cmi.student_preference.speed": ("0", "200"),
    "cmi.student_preference.text": ("1", "2"), "cmi.interactions.n.id": ("q1", "x" * 256),
    "cmi.interactions.n.objectives.m.id": ("o1", "x" * 256), "cmi.interactions.n.time": ("10:00:00", "25:00:00"),
    "cmi.interactions.n.type": ("choice", "essay"), "cmi.interactions.n.correct_responses.m.pattern": ("a", "x" * 4097),
    "cmi.interactions.n.weighting": ("1", "heavy"), "cmi.interactions.n.student_response": ("a", "x" * 4097),
    "cmi.interactions.n.result": ("correct", "right"), "cmi.interactions.n.latency": ("00:00:05", "5s"),
}
WRITE_SAMPLES_2004: dict[str, tuple[object, object]] = {
    "cmi.comments_from_learner.n.comment": ("{lang=vi}hay", "{lang=1}x"),
    "cmi.comments_from_learner.n.location": ("p2", _LIST),
    "cmi.comments_from_learner.n.timestamp": ("2024-01-01", "2024-13-01"),
    "cmi.completion_status": ("completed", "done"), "cmi.exit": ("suspend", "quit"),
    "cmi.interactions.n.id": ("q1", ""), "cmi.interactions.n.type": ("numeric", "essay"),
    "cmi.interactions.n.objectives.m.id": ("o1", ""), "cmi.interactions.n.timestamp": ("2024-01-01T08:00", "08:00"),
    "cmi.interactions.n.correct_responses.m.pattern": ("1[:]5", "x"), "cmi.interactions.n.weighting": ("1", "w"),
    "cmi.interactions.n.learner_response": ("3", "x"), "cmi.interactions.n.result": ("correct", "wrong"),
    "cmi.interactions.n.latency": ("PT5S", "5s"), "cmi.interactions.n.description": ("{lang=vi}câu 1", "{lang=!}x"),
    "cmi.learner_preference.audio_level": ("1.5", "-1"), "cmi.learner_preference.language": ("vi", "123"),
    "cmi.learner_preference.delivery_speed": ("1", "-2"), "cmi.learner_preference.audio_captioning": ("1", "2"),
    "cmi.location": ("here", _LIST), "cmi.objectives.n.id": ("o1", ""),
    "cmi.objectives.n.score.scaled": ("0.5", "2"), "cmi.objectives.n.score.raw": ("5", "five"),
    "cmi.objectives.n.score.min": ("0", "zero"), "cmi.objectives.n.score.max": ("10", "ten"),
    "cmi.objectives.n.success_status": ("passed", "ok"), "cmi.objectives.n.completion_status": ("completed", "ok"),
    "cmi.objectives.n.progress_measure": ("0.5", "2"), "cmi.objectives.n.description": ("mục tiêu", "{lang=}x"),
    "cmi.progress_measure": ("0.5", "1.1"), "cmi.score.scaled": ("0.5", "-1.1"), "cmi.score.raw": ("5", "5%"),
    "cmi.score.min": ("0", "min"), "cmi.score.max": ("10", "max"), "cmi.session_time": ("PT1M", "00:01:00"),
    "cmi.success_status": ("failed", "fail"), "cmi.suspend_data": ("x" * 70_000, _LIST),
    "adl.nav.request": ("{target=sco-2}jump", "go"),
    "adl.data.n.store": ("shared", _LIST),
}
_RANGE_2004 = {"cmi.learner_preference.audio_level", "cmi.learner_preference.delivery_speed",
               "cmi.objectives.n.score.scaled", "cmi.objectives.n.progress_measure", "cmi.progress_measure",
               "cmi.score.scaled"}
_STATE_2004 = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "numeric", "cmi.objectives.0.id": "o1",
               "adl.data.0.id": "bucket"}


def _concrete(path: str) -> str:
    return path.replace(".n.", ".0.").replace(".m.", ".0.")


@pytest.mark.parametrize(("table", "samples"), [(SCORM12, WRITE_SAMPLES_12), (SCORM2004, WRITE_SAMPLES_2004)],
                         ids=["1.2", "2004"])
def test_samples_cover_every_writeable_element(table: Model, samples: dict[str, tuple[object, object]]) -> None:
    assert set(samples) == {row.path for row in table.elements if row.access != "RO"}


@pytest.mark.parametrize(("version", "path"), [("1.2", path) for path in WRITE_SAMPLES_12]
                         + [("2004", path) for path in WRITE_SAMPLES_2004])
def test_every_writeable_element_accepts_a_valid_value_and_refuses_a_bad_one(version: str, path: str) -> None:
    samples = WRITE_SAMPLES_12 if version == "1.2" else WRITE_SAMPLES_2004
    good, bad = samples[path]
    state = {} if version == "1.2" else _STATE_2004
    expected = 405 if version == "1.2" else (407 if path in _RANGE_2004 else 406)
    assert DataModel(version, state).set_value(_concrete(path), bad) == expected
    data = DataModel(version, state)
    assert data.set_value(_concrete(path), good) == 0
    value, code = data.get_value(_concrete(path))
    readable = next(row for row in (SCORM12 if version == "1.2" else SCORM2004).elements if row.path == path)
    if readable.access == "RW":
        assert (value, code) == (good, 0)


@pytest.mark.parametrize("table", [SCORM12, SCORM2004], ids=["1.2", "2004"])
def test_every_read_only_element_refuses_set_value(table: Model) -> None:
    for row in table.rows():
        name = _concrete(row.path).replace("{target=}", "{target=a}")
        code = DataModel(table.version).set_value(name, "x")
        if row.keyword:
            assert code == (402 if table.version == "1.2" else 404), name
        elif row.access == "RO":
            assert code == (403 if table.version == "1.2" else 404), name
