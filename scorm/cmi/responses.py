"""SCORM 2004 interaction response formats: correct-response patterns and learner responses.

The formats follow the 2004 4th edition RTE book (section 4.2.9): lists are delimited by ``[,]``,
records by ``[.]``, numeric ranges by ``[:]``; fill-in and long-fill-in patterns may start with
``{case_matters=true|false}`` and ``{order_matters=true|false}``, performance patterns with
``{order_matters=...}``; every localized string may start with ``{lang=<language tag>}``.
Identifiers are checked as loosely as the browser runtime checks them (non-empty, no white space), so
data the runtime accepted is never refused here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

__all__ = [
    "is_language",
    "is_localized_string",
    "is_real",
    "learner_response_ok",
    "pattern_limit",
    "pattern_ok",
]

_REAL = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_LANGUAGE = re.compile(r"(?:[A-Za-z]{2,3}|[iIxX])(?:-[A-Za-z0-9]{1,8})*", re.ASCII)
_LANG_DELIMITER = re.compile(r"\{lang=([^{}]*)\}")
_SHORT_ID = re.compile(r"[^\s\[\]{}]+")
_BOOLEAN_DELIMITER = re.compile(r"\{(case_matters|order_matters)=(true|false)\}")

#: correct_responses arrays that hold one pattern at most (error 351 beyond)
_ONE_PATTERN = frozenset({"true-false", "likert", "numeric", "other"})


def is_real(text: str) -> bool:
    """Tell whether ``text`` is a real number as the data model writes it (``-12.5``, ``0.75``)."""
    return _REAL.fullmatch(text) is not None


def is_language(text: str) -> bool:
    """Tell whether ``text`` is a ``language_type``: empty, or a tag like ``vi``, ``en-US``, ``x-klingon``."""
    return text == "" or _LANGUAGE.fullmatch(text) is not None


def is_localized_string(text: str) -> bool:
    """Tell whether ``text`` is a ``localized_string_type``: an optional valid ``{lang=..}`` then any text."""
    if not text.startswith("{lang="):
        return True
    match = _LANG_DELIMITER.match(text)
    return match is not None and match.group(1) != "" and is_language(match.group(1))


def _short_id(text: str) -> bool:
    return _SHORT_ID.fullmatch(text) is not None


def _strip_flags(text: str, allowed: frozenset[str]) -> str | None:
    """Remove leading ``{case_matters=..}``/``{order_matters=..}`` delimiters; None when one is bad."""
    seen: set[str] = set()
    while text.startswith(("{case_matters=", "{order_matters=")):
        match = _BOOLEAN_DELIMITER.match(text)
        if match is None or match.group(1) not in allowed or match.group(1) in seen:
            return None
        seen.add(match.group(1))
        text = text[match.end():]
    return text


def _ids(text: str, *, unique: bool) -> bool:
    items = text.split("[,]")
    if not all(_short_id(item) for item in items):
        return False
    return not unique or len(set(items)) == len(items)


def _records(text: str, *, step: Callable[[str, str], bool]) -> bool:
    for record in text.split("[,]"):
        parts = record.split("[.]")
        if len(parts) != 2 or not step(parts[0], parts[1]):
            return False
    return True


def _matching_pair(source: str, target: str) -> bool:
    return _short_id(source) and _short_id(target)


def _performance_step(name: str, answer: str) -> bool:
    if name == "" and answer == "":
        return False
    if name and not _short_id(name):
        return False
    return _numeric_range(answer) if "[:]" in answer else True


def _numeric_range(text: str) -> bool:
    if "[:]" not in text:
        return is_real(text)
    low, _, high = text.partition("[:]")
    if not all(part == "" or is_real(part) for part in (low, high)):
        return False
    return low == "" or high == "" or Decimal(low) <= Decimal(high)


def _fill_in(text: str) -> bool:
    return all(is_localized_string(item) for item in text.split("[,]"))


_ALL_FLAGS = frozenset({"case_matters", "order_matters"})
_CASE_ONLY = frozenset({"case_matters"})
_ORDER_ONLY = frozenset({"order_matters"})


def _with_flags(allowed: frozenset[str], check: Callable[[str], bool]) -> Callable[[str], bool]:
    def checked(text: str) -> bool:
        rest = _strip_flags(text, allowed)
        return rest is not None and check(rest)

    return checked


_PATTERNS: dict[str, Callable[[str], bool]] = {
    "true-false": lambda text: text in {"true", "false"},
    "choice": lambda text: text == "" or _ids(text, unique=True),
    "fill-in": _with_flags(_ALL_FLAGS, _fill_in),
    "long-fill-in": _with_flags(_CASE_ONLY, is_localized_string),
    "likert": _short_id,
    "matching": lambda text: _records(text, step=_matching_pair),
    "performance": _with_flags(_ORDER_ONLY, lambda text: _records(text, step=_performance_step)),
    "sequencing": lambda text: _ids(text, unique=False),
    "numeric": _numeric_range,
    "other": lambda text: True,
}

_LEARNER: dict[str, Callable[[str], bool]] = {
    "true-false": lambda text: text in {"true", "false"},
    "choice": lambda text: text == "" or _ids(text, unique=True),
    "fill-in": _fill_in,
    "long-fill-in": is_localized_string,
    "likert": _short_id,
    "matching": lambda text: _records(text, step=_matching_pair),
    "performance": lambda text: _records(text, step=_performance_step),
    "sequencing": lambda text: _ids(text, unique=False),
    "numeric": is_real,
    "other": lambda text: True,
}


def pattern_ok(interaction_type: str, pattern: str) -> bool:
    """Tell whether ``pattern`` is a valid ``correct_responses.n.pattern`` for the interaction type."""
    check = _PATTERNS.get(interaction_type)
    return check is not None and check(pattern)


def learner_response_ok(interaction_type: str, response: str) -> bool:
    """Tell whether ``response`` is a valid ``learner_response`` for the interaction type."""
    check = _LEARNER.get(interaction_type)
    return check is not None and check(response)


def pattern_limit(interaction_type: str) -> int | None:
    """How many correct-response patterns an interaction of this type may hold (None: no fixed limit)."""
    return 1 if interaction_type in _ONE_PATTERN else None
