"""Grading of every question type (hand-computed credits); multiple choice is all-or-nothing."""

import pytest

from lms.assessments import qtypes
from lms.assessments.qtypes import ResponseError

IDS = {"a1": 0, "b2": 1, "c3": 2, "d4": 3}


def grade(name, choices, key, response, tolerance=0.0):
    return qtypes.get(name).grade(choices, key, tolerance, response)


def test_registry_has_the_five_types_in_order():
    assert qtypes.names() == ["single", "multiple", "true_false", "numeric", "ordering"]


@pytest.mark.parametrize(("response", "credit"), [(1, 1.0), (0, 0.0), (3, 0.0), (None, 0.0)])
def test_single_choice(response, credit):
    assert grade("single", ["A", "B", "C", "D"], 1, response) == credit


@pytest.mark.parametrize(("response", "credit"), [
    ([0, 2], 1.0),        # exactly the right set
    ([2, 0], 1.0),        # order does not matter
    ([0], 0.0),           # half right: all-or-nothing gives 0
    ([0, 2, 3], 0.0),     # one too many
    ([], 0.0), (None, 0.0),
])
def test_multiple_choice_is_all_or_nothing(response, credit):
    assert grade("multiple", ["A", "B", "C", "D"], [0, 2], response) == credit


@pytest.mark.parametrize(("key", "response", "credit"), [(True, True, 1.0), (True, False, 0.0), (False, False, 1.0),
                                                          (False, None, 0.0)])
def test_true_false(key, response, credit):
    assert grade("true_false", [], key, response) == credit


@pytest.mark.parametrize(("response", "credit"), [(37.0, 1.0), (37.5, 1.0), (36.5, 1.0), (37.51, 0.0), (36.4, 0.0),
                                                  (None, 0.0)])
def test_numeric_with_tolerance(response, credit):
    assert grade("numeric", [], 37.0, response, tolerance=0.5) == credit


def test_numeric_without_tolerance_is_exact():
    assert grade("numeric", [], 2.5, 2.5) == 1.0
    assert grade("numeric", [], 2.5, 2.50001) == 0.0


@pytest.mark.parametrize(("raw", "value"), [("2,5", 2.5), (" 37 ", 37.0), ("1e2", 100.0), (4, 4.0)])
def test_numeric_accepts_vietnamese_decimal_comma(raw, value):
    assert qtypes.get("numeric").parse(raw, {}) == value


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", True, [1]])
def test_numeric_refuses_non_numbers(raw):
    with pytest.raises(ResponseError):
        qtypes.get("numeric").parse(raw, {})


@pytest.mark.parametrize(("response", "credit"), [([0, 1, 2], 1.0), ([1, 0, 2], 0.0), ([2, 1, 0], 0.0), (None, 0.0)])
def test_ordering_all_in_place(response, credit):
    assert grade("ordering", ["x", "y", "z"], None, response) == credit


def test_parse_maps_opaque_ids_and_refuses_foreign_ones():
    assert qtypes.get("single").parse("c3", IDS) == 2
    assert qtypes.get("multiple").parse(["d4", "a1"], IDS) == [0, 3]
    assert qtypes.get("ordering").parse(["b2", "a1", "d4", "c3"], IDS) == [1, 0, 3, 2]
    for name, raw in [("single", "zz"), ("multiple", ["a1", "zz"]), ("ordering", ["a1", "b2", "c3", "zz"])]:
        with pytest.raises(ResponseError):
            qtypes.get(name).parse(raw, IDS)


def test_ordering_must_place_every_item_once():
    with pytest.raises(ResponseError):
        qtypes.get("ordering").parse(["a1", "a1", "b2", "c3"], IDS)
    with pytest.raises(ResponseError):
        qtypes.get("ordering").parse(["a1", "b2"], IDS)


def test_validation_messages_are_bilingual():
    problems = qtypes.get("single").validate(["A", "B"], 5, 0)
    assert problems and all(vi and en for vi, en in problems)
    assert qtypes.get("ordering").validate(["A", "B"], 1, 0)
    assert qtypes.get("true_false").validate([], "yes", 0)
    assert not qtypes.get("multiple").validate(["A", "B", "C"], [0, 2], 0)
