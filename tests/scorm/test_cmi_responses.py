"""SCORM 2004 correct_responses patterns and learner responses per interaction type (RTE 4th ed. 4.2.9)."""

from __future__ import annotations

import pytest

from scorm.cmi import DataModel

VALID_PATTERNS = [
    ("true-false", "true"), ("true-false", "false"),
    ("choice", "a"), ("choice", "a[,]b[,]c"), ("choice", ""), ("choice", "urn:ex:choice-1"),
    ("fill-in", "Hà Nội"), ("fill-in", "{case_matters=true}Hanoi"), ("fill-in", "{order_matters=false}a[,]b"),
    ("fill-in", "{case_matters=false}{order_matters=true}{lang=vi}một[,]{lang=en}one"),
    ("fill-in", "{order_matters=true}{case_matters=false}x"),
    ("long-fill-in", "{case_matters=false}{lang=vi}Công đoàn là tổ chức chính trị - xã hội"),
    ("long-fill-in", "x" * 5000),
    ("likert", "strongly_agree"),
    ("matching", "1[.]a[,]2[.]b"),
    ("performance", "step1[.]answer1[,]step2[.]5[:]10"), ("performance", "{order_matters=false}[.]x"),
    ("performance", "s1[.]"),
    ("sequencing", "a[,]b[,]a"),
    ("numeric", "10[:]20"), ("numeric", "[:]20"), ("numeric", "-5[:]"), ("numeric", "3.5"),
    ("other", "anything {at} all [,]"),
]

INVALID_PATTERNS = [
    ("true-false", "yes"), ("true-false", "True"),
    ("choice", "a[,]a"), ("choice", "a b"), ("choice", "a[,]"),
    ("fill-in", "{case_matters=maybe}x"), ("fill-in", "{lang=123}x"), ("fill-in", "{case_matters=true}{case_matters=false}x"),
    ("long-fill-in", "{order_matters=true}x"),
    ("likert", ""), ("likert", "a[,]b"),
    ("matching", "1[.]a[,]2"), ("matching", "1[.]a[.]b"), ("matching", ""),
    ("performance", "[.]"), ("performance", "{case_matters=true}s[.]a"), ("performance", "s[.]9[:]1"),
    ("sequencing", "a[,][,]b"),
    ("numeric", "20[:]10"), ("numeric", "ten"), ("numeric", "1[:]2[:]3"),
]


def interaction(kind: str) -> DataModel:
    data = DataModel("2004")
    assert data.set_value("cmi.interactions.0.id", "q1") == 0
    assert data.set_value("cmi.interactions.0.type", kind) == 0
    return data


@pytest.mark.parametrize(("kind", "pattern"), VALID_PATTERNS)
def test_valid_correct_response_patterns_are_stored(kind: str, pattern: str) -> None:
    data = interaction(kind)
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", pattern) == 0
    assert data.get_value("cmi.interactions.0.correct_responses.0.pattern") == (pattern, 0)


@pytest.mark.parametrize(("kind", "pattern"), INVALID_PATTERNS)
def test_invalid_correct_response_patterns_are_406(kind: str, pattern: str) -> None:
    assert interaction(kind).set_value("cmi.interactions.0.correct_responses.0.pattern", pattern) == 406


@pytest.mark.parametrize(("kind", "response"), [
    ("true-false", "false"), ("choice", "b[,]c"), ("fill-in", "{lang=vi}Đà Nẵng"), ("long-fill-in", "Bài luận"),
    ("likert", "agree"), ("matching", "1[.]b"), ("performance", "s1[.]42"), ("sequencing", "c[,]a[,]b"),
    ("numeric", "-12.75"), ("other", "{\"free\": \"form\"}"),
])
def test_valid_learner_responses_are_stored(kind: str, response: str) -> None:
    data = interaction(kind)
    assert data.set_value("cmi.interactions.0.learner_response", response) == 0
    assert data.get_value("cmi.interactions.0.learner_response") == (response, 0)


@pytest.mark.parametrize(("kind", "response"), [
    ("true-false", "1"), ("choice", "a[,]a"), ("fill-in", "{lang=}x"), ("likert", "a b"),
    ("matching", "1"), ("numeric", "1[:]2"), ("sequencing", ""),
])
def test_invalid_learner_responses_are_406(kind: str, response: str) -> None:
    assert interaction(kind).set_value("cmi.interactions.0.learner_response", response) == 406


@pytest.mark.parametrize("kind", ["true-false", "likert", "numeric", "other"])
def test_single_pattern_types_refuse_a_second_pattern_with_351(kind: str) -> None:
    first = {"true-false": "true", "likert": "x", "numeric": "1", "other": "x"}[kind]
    data = interaction(kind)
    assert data.set_value("cmi.interactions.0.correct_responses.0.pattern", first) == 0
    assert data.set_value("cmi.interactions.0.correct_responses.1.pattern", first) == 351


@pytest.mark.parametrize("kind", ["choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing"])
def test_multi_pattern_types_accept_more_patterns(kind: str) -> None:
    pattern = {"choice": "a", "fill-in": "a", "long-fill-in": "a", "matching": "a[.]b",
               "performance": "a[.]b", "sequencing": "a"}[kind]
    data = interaction(kind)
    for index in range(6):
        assert data.set_value(f"cmi.interactions.0.correct_responses.{index}.pattern", pattern) == 0


@pytest.mark.parametrize(("value", "code"), [("correct", 0), ("incorrect", 0), ("unanticipated", 0),
                                            ("neutral", 0), ("0.5", 0), ("-3", 0), ("wrong", 406)])
def test_result_is_vocabulary_or_real(value: str, code: int) -> None:
    assert interaction("choice").set_value("cmi.interactions.0.result", value) == code
