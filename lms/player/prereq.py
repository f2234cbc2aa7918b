"""SCORM 1.2 ``adlcp:prerequisites`` (aicc_script): ``A & (B | ~C)``; an identifier is true when its SCO
is completed (passed, completed or failed). An empty or unreadable expression counts as met."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(&)|(\|)|(~)|([A-Za-z0-9_.\-]+))")


def prerequisites_met(expression: str | None, states: Mapping[str, Any]) -> bool:
    """Evaluate ``expression`` against ``states`` (sco_id -> object with ``completion``)."""
    if not expression or not expression.strip():
        return True
    tokens = _tokens(expression)
    if tokens is None:
        return True
    try:
        value, rest = _or(tokens, states)
    except (IndexError, ValueError):
        return True
    return value if not rest else True


def _tokens(text: str) -> list[str] | None:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            return None
        out.append(next(g for g in match.groups() if g))
        pos = match.end()
    return out


def _or(tokens: list[str], states: Mapping[str, Any]) -> tuple[bool, list[str]]:
    value, tokens = _and(tokens, states)
    while tokens and tokens[0] == "|":
        right, tokens = _and(tokens[1:], states)
        value = value or right
    return value, tokens


def _and(tokens: list[str], states: Mapping[str, Any]) -> tuple[bool, list[str]]:
    value, tokens = _unary(tokens, states)
    while tokens and tokens[0] == "&":
        right, tokens = _unary(tokens[1:], states)
        value = value and right
    return value, tokens


def _unary(tokens: list[str], states: Mapping[str, Any]) -> tuple[bool, list[str]]:
    head = tokens[0]
    if head == "~":
        value, rest = _unary(tokens[1:], states)
        return not value, rest
    if head == "(":
        value, rest = _or(tokens[1:], states)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced")
        return value, rest[1:]
    if head in {")", "&", "|"}:
        raise ValueError("unexpected operator")
    state = states.get(head)
    return bool(state is not None and getattr(state, "completion", None) == "completed"), tokens[1:]
