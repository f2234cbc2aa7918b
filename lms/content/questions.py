"""Questions in the course-source format shared by lesson practice and the assessment bank."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.content.fields import (
    ComputedFrom,
    ContentError,
    SourceRef,
    check_nfc,
    choice,
    computed_from,
    optional_text,
    source_refs,
    text,
)

QUESTION_TYPES = frozenset({"single", "multiple", "true_false", "numeric", "ordering"})
PRACTICE_TYPES = frozenset({"single", "multiple", "true_false", "numeric"})
DIFFICULTIES = frozenset({"easy", "medium", "hard"})
KNOWN_FIELDS = frozenset({"id", "type", "text_vi", "text_en", "choices", "key", "tolerance", "explanation_vi",
                          "citation", "difficulty", "tags", "sources", "mentions", "computed_from"})

_QUESTION_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


@dataclass(frozen=True)
class Question:
    """One question, in the format shared by lesson practice and the assessment bank.

    ``sources`` name the registry texts and articles its key and explanation rest on;
    ``computed_from`` the changing bases (base salary …) an amount in it was computed from.
    """

    id: str
    type: str
    text_vi: str
    choices: tuple[str, ...]
    #: single: int; multiple: tuple[int, ...]; true_false: bool; numeric: float; ordering: None
    key: int | bool | float | tuple[int, ...] | None
    explanation_vi: str
    citation: str
    difficulty: str
    tags: tuple[str, ...]
    text_en: str | None = None
    tolerance: float = 0.0
    sources: tuple[SourceRef, ...] = ()
    computed_from: tuple[ComputedFrom, ...] = ()
    #: texts named only for history or comparison (e.g. a repealed decree): must be registered, may be superseded
    mentions: tuple[SourceRef, ...] = ()


def questions(data: dict[str, Any], file: Path) -> list[Question]:
    """The ``[[question]]`` array of a TOML document."""
    items = data.get("question", [])
    if not isinstance(items, list):
        raise ContentError(file, "question", "must be an array of tables ([[question]])")
    return [parse_question(item, file, i) for i, item in enumerate(items)]


def parse_question(item: Any, file: Path | str, index: int = 0) -> Question:
    """Validate one question table and return it; errors name the file and the question."""
    if not isinstance(item, dict):
        raise ContentError(file, f"question[{index}]", "must be a table")
    qid = text(item, "id", file, f"question[{index}]")
    where = f"question {qid}"
    if not _QUESTION_ID.match(qid):
        raise ContentError(file, f"{where}.id", "ids look like 'UL-001' (capitals, digits, hyphens)")
    unknown = sorted(set(item) - KNOWN_FIELDS)
    if unknown:
        raise ContentError(file, f"{where}", f"unknown field(s) {', '.join(unknown)}")
    qtype = choice(item, "type", QUESTION_TYPES, file, where)
    choices = _choices(item, qtype, file, where)
    key, tolerance = _key(item, qtype, len(choices), file, where)
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise ContentError(file, f"{where}.tags", "must be a list of non-empty strings")
    return Question(
        id=qid, type=qtype, text_vi=text(item, "text_vi", file, where), choices=choices, key=key,
        explanation_vi=text(item, "explanation_vi", file, where), citation=text(item, "citation", file, where),
        difficulty=choice(item, "difficulty", DIFFICULTIES, file, where), tags=tuple(tags),
        text_en=optional_text(item, "text_en", file, where), tolerance=tolerance,
        sources=source_refs(item, file, where), computed_from=computed_from(item, file, where),
        mentions=source_refs(item, file, where, "mentions"),
    )


def _choices(item: dict[str, Any], qtype: str, file: Path | str, where: str) -> tuple[str, ...]:
    """The choices list: required for single/multiple/ordering, forbidden otherwise."""
    choices = item.get("choices")
    if qtype in ("true_false", "numeric"):
        if choices is not None:
            raise ContentError(file, f"{where}.choices", f"a {qtype} question has no choices")
        return ()
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ContentError(file, f"{where}.choices", "a list of at least 2 non-empty strings is required")
    if len(set(choices)) != len(choices):
        raise ContentError(file, f"{where}.choices", "choices must differ from each other")
    for c in choices:
        check_nfc(c, file, f"{where}.choices")
    return tuple(choices)


def _key(item: dict[str, Any], qtype: str, n: int, file: Path | str, where: str) -> tuple[Any, float]:
    """Validate ``key`` (and ``tolerance``) for the question type."""
    key = item.get("key")
    field_name = f"{where}.key"
    if "tolerance" in item and qtype != "numeric":
        raise ContentError(file, f"{where}.tolerance", "only numeric questions have a tolerance")
    if qtype == "ordering":
        if key is not None:
            raise ContentError(file, field_name, "ordering questions have no key: list choices in the right order")
        return None, 0.0
    if qtype == "single":
        if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key < n:
            raise ContentError(file, field_name, f"must be a choice index 0–{n - 1}")
        return key, 0.0
    if qtype == "multiple":
        ok = isinstance(key, list) and key and all(isinstance(k, int) and not isinstance(k, bool) for k in key)
        if not ok or len(set(key)) != len(key) or not all(0 <= k < n for k in key):
            raise ContentError(file, field_name, f"must be a non-empty list of distinct indexes 0–{n - 1}")
        return tuple(sorted(key)), 0.0
    if qtype == "true_false":
        if not isinstance(key, bool):
            raise ContentError(file, field_name, "must be true or false")
        return key, 0.0
    if not isinstance(key, int | float) or isinstance(key, bool):
        raise ContentError(file, field_name, "must be a number")
    tolerance = item.get("tolerance", 0)
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise ContentError(file, f"{where}.tolerance", "must be a number ≥ 0")
    return float(key), float(tolerance)
