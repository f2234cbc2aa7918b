"""Time intervals of both versions: parsing, formatting and exact accumulation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorm.cmi import format_interval, parse_interval
from scorm.cmi.timeinterval import is_valid_time_12, is_valid_timestamp_2004
from scorm.errors import CmiError, ScormError


@pytest.mark.parametrize(("text", "seconds"), [
    ("00:00:00", "0"), ("00:00:01.5", "1.5"), ("01:02:03.45", "3723.45"), ("0100:00:00", "360000"),
    ("9999:59:59.99", "35999999.99"), ("12:30:00.05", "45000.05"),
])
def test_parse_cmitimespan(text: str, seconds: str) -> None:
    assert parse_interval(text, "1.2") == Decimal(seconds)


@pytest.mark.parametrize("text", ["1:00:00", "00:60:00", "00:00:60", "00:00:00.123", "10000:00:00", "PT1H", "", "00:00"])
def test_bad_cmitimespan_raises_cmi_error(text: str) -> None:
    with pytest.raises(CmiError) as caught:
        parse_interval(text, "1.2")
    assert caught.value.code == "cmi.bad_interval"
    assert "khoảng thời gian" in caught.value.message_vi


@pytest.mark.parametrize(("text", "seconds"), [
    ("P1DT2H3M4.5S", "93784.5"), ("PT0S", "0"), ("PT1H", "3600"), ("PT90M", "5400"), ("PT0.01S", "0.01"),
    ("P1Y", "31536000"), ("P1M", "2592000"), ("P2D", "172800"), ("PT1.125S", "1.125"), ("PT0H0M0S", "0"),
])
def test_parse_iso_duration(text: str, seconds: str) -> None:
    assert parse_interval(text, "2004") == Decimal(seconds)


@pytest.mark.parametrize("text", ["P", "PT", "P1DT", "1H", "PT1.5H", "PT-1S", "P1W", "pt1h", "PT1H1H", " PT1S"])
def test_bad_iso_duration_raises(text: str) -> None:
    with pytest.raises(CmiError):
        parse_interval(text, "2004-4th")


@pytest.mark.parametrize(("seconds", "text"), [
    ("0", "0000:00:00.00"), ("3723.45", "0001:02:03.45"), ("0.005", "0000:00:00.01"), ("359999", "0099:59:59.00"),
])
def test_format_cmitimespan(seconds: str, text: str) -> None:
    assert format_interval(Decimal(seconds), "1.2") == text


def test_cmitimespan_saturates_at_9999_hours() -> None:
    assert format_interval(Decimal(10**9), "1.2") == "9999:59:59.99"


@pytest.mark.parametrize(("seconds", "text"), [
    ("0", "PT0H0M0S"), ("93784.5", "P1DT2H3M4.5S"), ("3600", "PT1H"), ("60.25", "PT1M0.25S"), ("86400", "P1D"),
    ("0.125", "PT0.125S"),
])
def test_format_iso_duration(seconds: str, text: str) -> None:
    assert format_interval(Decimal(seconds), "2004") == text


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("NaN"), "abc"])
def test_format_refuses_negative_and_non_numbers(bad: object) -> None:
    with pytest.raises(CmiError):
        format_interval(bad, "2004")  # type: ignore[arg-type]


def test_unknown_version_is_a_scorm_error() -> None:
    with pytest.raises(ScormError):
        parse_interval("PT1S", "1.3")


def test_many_small_sessions_accumulate_exactly() -> None:
    total = sum((parse_interval("PT0.1S", "2004") for _ in range(1000)), Decimal(0))
    assert format_interval(total, "2004") == "PT1M40S"
    total_12 = sum((parse_interval("00:00:00.01", "1.2") for _ in range(1000)), Decimal(0))
    assert format_interval(total_12, "1.2") == "0000:00:10.00"


@given(st.integers(min_value=0, max_value=3_599_999_999))
def test_cmitimespan_round_trips_centiseconds(centis: int) -> None:
    seconds = Decimal(centis) / 100
    assert parse_interval(format_interval(seconds, "1.2"), "1.2") == seconds


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_iso_duration_round_trips_exactly(seconds: Decimal) -> None:
    assert parse_interval(format_interval(seconds, "2004"), "2004") == seconds


@pytest.mark.parametrize(("text", "valid"), [("00:00:00", True), ("23:59:59.99", True), ("24:00:00", False),
                                             ("7:00:00", False)])
def test_cmitime(text: str, valid: bool) -> None:
    assert is_valid_time_12(text) is valid


@pytest.mark.parametrize(("text", "valid"), [
    ("2024", True), ("2024-05", True), ("2024-05-01T10", True), ("2024-05-01T10:30:15.5Z", True),
    ("2024-05-01T10:30:15-05:00", True), ("1969-12-31", False), ("2039-01-01", False), ("2023-02-29", False),
    ("2024-02-29", True), ("2024-05-01T24:00", False), ("2024-5-1", False),
])
def test_2004_timestamp(text: str, valid: bool) -> None:
    assert is_valid_timestamp_2004(text) is valid


def test_absurdly_long_numbers_are_refused_not_crashing() -> None:
    with pytest.raises(CmiError):
        parse_interval("PT" + "9" * 5000 + "H", "2004")
    assert parse_interval("PT" + "9" * 15 + "S", "2004") == Decimal("9" * 15)
