"""Hypothesis fuzzing: no input makes validate_commit, DataModel or outcome raise (beyond ScormError)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scorm.cmi import SCORM12, SCORM2004, DataModel, outcome, validate_commit
from scorm.errors import ScormError

ELEMENT_NAMES = [row.path.replace(".n.", ".0.").replace(".m.", ".1.") for row in SCORM12.rows() + SCORM2004.rows()]

names = st.one_of(
    st.sampled_from(ELEMENT_NAMES),
    st.text(max_size=40),
    st.builds(lambda a, i, b: f"{a}.{i}.{b}", st.sampled_from(["cmi.interactions", "cmi.objectives"]),
              st.integers(min_value=-2, max_value=12), st.sampled_from(["id", "type", "result", "score.scaled",
                                                                      "correct_responses.0.pattern", "_count"])),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=60),
    st.sampled_from(["", "true", "choice", "a[,]b", "PT1H", "00:00:01", "0.5", "{lang=vi}x", "passed", "suspend"]),
    st.decimals(allow_nan=True),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                          max_size=3), max_leaves=5)
versions = st.sampled_from(["1.2", "2004", "2004-4th"])


@settings(max_examples=200, deadline=None)
@given(versions, st.dictionaries(names, values, max_size=20), st.dictionaries(names, st.text(max_size=20), max_size=8))
def test_validate_commit_never_raises(version: str, payload: dict[str, object], prior: dict[str, str]) -> None:
    state, errors = validate_commit(version, prior, payload)
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in state.items())
    assert all(error.code not in {0, 101} for error in errors)
    for value in state.values():
        value.encode("utf-8")
        assert "\x00" not in value


@settings(max_examples=200, deadline=None)
@given(versions, st.lists(st.tuples(names, values), max_size=15))
def test_data_model_calls_never_raise_and_answer_book_codes(version: str, calls: list[tuple[str, object]]) -> None:
    data = DataModel(version)
    allowed = {0, 201, 202, 203, 401, 402, 403, 404, 405} if version == "1.2" else {
        0, 301, 351, 401, 402, 403, 404, 405, 406, 407, 408}
    for name, value in calls:
        assert data.set_value(name, value) in allowed
        text, code = data.get_value(name)
        assert code in allowed and isinstance(text, str)


@settings(max_examples=100, deadline=None)
@given(versions, st.dictionaries(names, st.text(max_size=12), max_size=10),
       st.dictionaries(st.sampled_from(["mastery_score", "completion_threshold", "scaled_passing_score"]), values))
def test_outcome_raises_only_scorm_errors(version: str, state: dict[str, str], launch: dict[str, object]) -> None:
    try:
        result = outcome(version, state, launch)
    except ScormError:
        return
    assert isinstance(result.total_time_seconds, Decimal)
    assert result.completion in {"completed", "incomplete", "not attempted", "unknown"}
    assert result.success in {"passed", "failed", "unknown"}


def test_huge_payload_is_handled() -> None:
    payload: dict[str, object] = {}
    for index in range(500):
        payload[f"cmi.interactions.{index}.id"] = f"q{index}"
        payload[f"cmi.interactions.{index}.type"] = "choice"
        payload[f"cmi.interactions.{index}.learner_response"] = "a[,]b"
        payload[f"cmi.interactions.{index}.correct_responses.0.pattern"] = "a"
    payload["cmi.suspend_data"] = "x" * 2_000_000
    state, errors = validate_commit("2004", {}, payload)
    assert errors == []
    assert len(state) == 2002
