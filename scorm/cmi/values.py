"""Value checks for every data type of both data models, and the conversion of incoming values to text.

A check answers ``None`` (valid), ``"type"`` (wrong format: 1.2 error 405, 2004 error 406) or
``"range"`` (a number outside the element's range: 1.2 error 405, 2004 error 407).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from scorm.cmi import responses
from scorm.cmi.spec import Element
from scorm.cmi.timeinterval import is_valid_interval, is_valid_time_12, is_valid_timestamp_2004

__all__ = ["Fault", "check_value", "storable", "to_text"]

Fault = Literal["type", "range"] | None

_SINTEGER = re.compile(r"-?\d+", re.ASCII)
#: 1.2 RTE 3.4.3 CMIIdentifier: 1 to 255 characters, no white space or unprintable characters
_IDENTIFIER_12 = re.compile(r"[^\s\x00-\x1f\x7f]{1,255}")
#: numbers beyond these are refused rather than written out in full
_LARGEST = 10**40
_EXPONENT_LIMIT = 40
_NAV_TARGETED = re.compile(r"\{target=[^{}\s]+\}(?:choice|jump)")


def to_text(value: object) -> str | None:
    """Convert a value sent by a runtime to the string the data model stores, as JavaScript's ``String()``.

    Gives None for values no SCO could have sent through SetValue (containers, NaN, infinities), for
    strings that cannot be stored (NUL characters, lone surrogates) and for ``None``.
    """
    if type(value) is str:
        return value if storable(value) else None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value) if abs(value) < _LARGEST else None
    elif isinstance(value, float):
        text = _float_text(value)
    elif isinstance(value, Decimal):
        text = _decimal_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    return text if text is not None and storable(text) else None


def _float_text(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return _decimal_text(Decimal(repr(value)))


def _decimal_text(value: Decimal) -> str | None:
    """Plain notation for ordinary numbers; None for NaN, infinities and absurd exponents."""
    if not value.is_finite():
        return None
    if value.is_zero():
        return "0"
    return format(value, "f") if -_EXPONENT_LIMIT <= value.adjusted() <= _EXPONENT_LIMIT else None


def storable(text: str) -> bool:
    """Whether a string can be stored as it is (no NUL character, no lone surrogate)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number(element: Element, text: str, pattern: Callable[[str], bool]) -> Fault:
    if not pattern(text):
        return "type"
    number = Decimal(text)
    if element.minimum is not None and number < element.minimum:
        return "range"
    if element.maximum is not None and number > element.maximum:
        return "range"
    return None


def _length(element: Element, text: str) -> Fault:
    return "type" if element.max_length is not None and len(text) > element.max_length else None


def _vocabulary(element: Element, text: str) -> Fault:
    return None if text in element.vocabulary else "type"


def _decimal_12(element: Element, text: str) -> Fault:
    if text == "" and element.blank_ok:
        return None
    return _number(element, text, responses.is_real)


def _result(element: Element, text: str) -> Fault:
    return None if text in element.vocabulary or responses.is_real(text) else "type"


def _nav_request(element: Element, text: str) -> Fault:
    return None if text in element.vocabulary or _NAV_TARGETED.fullmatch(text) else "type"


def _ok_if(condition: bool) -> Fault:
    return None if condition else "type"


_CHECKS: dict[str, Callable[[Element, str], Fault]] = {
    # SCORM 1.2
    "CMIString255": _length,
    "CMIString4096": _length,
    "CMIFeedback": _length,
    "CMIIdentifier": lambda element, text: _ok_if(_IDENTIFIER_12.fullmatch(text) is not None),
    "CMIDecimal": _decimal_12,
    "CMISInteger": lambda element, text: _number(element, text, lambda t: _SINTEGER.fullmatch(t) is not None),
    "CMITime": lambda element, text: _ok_if(is_valid_time_12(text)),
    "CMITimespan": lambda element, text: _ok_if(is_valid_interval(text, "1.2")),
    "CMIVocabulary": _vocabulary,
    "CMIResult": _result,
    # SCORM 2004
    "characterstring": lambda element, text: None,
    "localized_string_type": lambda element, text: _ok_if(responses.is_localized_string(text)),
    "long_identifier_type": lambda element, text: _ok_if(text.strip() != ""),
    "language_type": lambda element, text: _ok_if(responses.is_language(text)),
    "real (10,7)": lambda element, text: _number(element, text, responses.is_real),
    "time (second,10,0)": lambda element, text: _ok_if(is_valid_timestamp_2004(text)),
    "timeinterval (second,10,2)": lambda element, text: _ok_if(is_valid_interval(text, "2004")),
    "state": _vocabulary,
    "result": _result,
    "nav_request": _nav_request,
}


def check_value(element: Element, text: str, *, interaction_type: str | None = None) -> Fault:
    """Check ``text`` against the element's type, vocabulary, range and enforced length.

    Response elements (2004 ``correct_responses.n.pattern`` and ``learner_response``) need the
    interaction's type; the caller establishes it first (error 408 otherwise).
    """
    if element.type == "correct_response_pattern":
        return _ok_if(responses.pattern_ok(interaction_type or "", text))
    if element.type == "learner_response":
        return _ok_if(responses.learner_response_ok(interaction_type or "", text))
    return _CHECKS[element.type](element, text)


def known_types() -> frozenset[str]:
    """Every type name a table may use (for the tests that check the tables)."""
    return frozenset(_CHECKS) | {"correct_response_pattern", "learner_response"}
