"""Field validators shared by the course-source loader: every problem names the file and the field.

Also the two provenance fields (``sources`` and ``computed_from``) that lessons, questions and modules
carry: see :mod:`lms.content.registry` for what the ids refer to.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ContentError(ValueError):
    """A course source is malformed; the message names the file and the field."""

    def __init__(self, file: Path | str, field_name: str, problem: str) -> None:
        super().__init__(f"{file}: {field_name}: {problem}")
        self.file = str(file)
        self.field = field_name
        self.problem = problem


_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class SourceRef:
    """A citation of a registry text: ``"nd_283_2026:Điều 42 khoản 1"`` → id and article."""

    id: str
    #: the article, clause or point cited ("Điều 42 khoản 1"); empty when the whole text is cited
    article: str = ""

    def __str__(self) -> str:
        return f"{self.id}:{self.article}" if self.article else self.id


@dataclass(frozen=True)
class ComputedFrom:
    """An amount computed from a changing base: which base, the value used and the date it applies from."""

    base: str
    value: float
    as_of: dt.date


# -- small validators ---------------------------------------------------------------------------


def text(data: dict[str, Any], key: str, file: Path | str, where: str = "") -> str:
    """A required non-empty NFC string."""
    name = f"{where}.{key}" if where else key
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(file, name, "a non-empty string is required")
    check_nfc(value, file, name)
    return value.strip()


def optional_text(data: dict[str, Any], key: str, file: Path | str, where: str) -> str | None:
    """An optional string; when present it must be non-empty NFC."""
    return text(data, key, file, where) if key in data else None


def choice(data: dict[str, Any], key: str, allowed: frozenset[str], file: Path | str, where: str = "") -> str:
    """A string from a fixed vocabulary."""
    value = data.get(key)
    if value not in allowed:
        name = f"{where}.{key}" if where else key
        raise ContentError(file, name, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return str(value)


def number(data: dict[str, Any], key: str, file: Path, *, minimum: float, maximum: float | None = None) -> float:
    """A number within bounds."""
    value = data.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < minimum or (
            maximum is not None and value > maximum):
        bound = f"{minimum}–{maximum}" if maximum is not None else f"≥ {minimum}"
        raise ContentError(file, key, f"must be a number {bound}")
    return float(value)


def check_nfc(text: str, file: Path | str, name: str) -> None:
    """Vietnamese text is stored NFC (precomposed); decomposed text breaks search and sorting."""
    if unicodedata.normalize("NFC", text) != text:
        raise ContentError(file, name, "text is not NFC-normalised Unicode")


# -- provenance ---------------------------------------------------------------------------------


def source_refs(data: dict[str, Any], file: Path | str, where: str = "", key: str = "sources",
                ) -> tuple[SourceRef, ...]:
    """The optional ``sources`` (or ``mentions``) list: ``"<registry id>"`` or ``"<id>:<article>"`` strings."""
    name = f"{where}.{key}" if where else key
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
        raise ContentError(file, name, "a list of strings like \"nd_283_2026:Điều 42\" is required")
    out = []
    for item in items:
        check_nfc(item, file, name)
        ident, _, article = item.partition(":")
        if not _SOURCE_ID.match(ident.strip()):
            raise ContentError(file, name, f"{ident!r} is not a registry id (lowercase letters, digits, _)")
        out.append(SourceRef(ident.strip(), article.strip()))
    return tuple(out)


def computed_from(data: dict[str, Any], file: Path | str, where: str = "") -> tuple[ComputedFrom, ...]:
    """The optional ``computed_from`` table (or list of tables): base, value, as_of (a date)."""
    name = f"{where}.computed_from" if where else "computed_from"
    raw = data.get("computed_from", [])
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise ContentError(file, name, "must be a table {base, value, as_of} or a list of them")
    return tuple(_computed(item, file, name) for item in items)


def _computed(item: Any, file: Path | str, name: str) -> ComputedFrom:
    """One ``{base = "luong_co_so", value = 2530000, as_of = 2026-07-01}`` table."""
    if not isinstance(item, dict) or set(item) != {"base", "value", "as_of"}:
        raise ContentError(file, name, "needs exactly base, value and as_of")
    base, value, as_of = item["base"], item["value"], item["as_of"]
    if not isinstance(base, str) or not _SOURCE_ID.match(base):
        raise ContentError(file, f"{name}.base", "must be a registry base id such as \"luong_co_so\"")
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ContentError(file, f"{name}.value", "must be a number")
    return ComputedFrom(base, float(value), parse_date(as_of, file, f"{name}.as_of"))


def parse_date(value: Any, file: Path | str, name: str) -> dt.date:
    """A TOML/YAML date or a ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(file, name, "must be a date written YYYY-MM-DD") from None
