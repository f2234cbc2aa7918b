"""The legal-source registry (``course_packages/legal_sources.toml``): the texts content may cite.

Each ``[source.<id>]`` is a law, decree, decision or circular with its number, title, dates and what it
amends or replaces; ``superseded`` (with ``superseded_by``) is the date from which it no longer applies.
Each ``[base.<id>]`` is a changing amount (base salary, regional minimum wage) with the values it has
taken and the dates they apply from. Pure file reading: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.content.fields import ContentError, parse_date, text

KINDS = frozenset({"law", "decree", "decision", "circular", "charter", "consolidated", "other"})


@dataclass(frozen=True)
class LegalText:
    """One registered legal text."""

    id: str
    kind: str
    number: str
    title: str
    issued: dt.date | None
    in_force: dt.date | None
    amends: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    superseded: dt.date | None = None
    superseded_by: str = ""
    #: where the text (or the articles used) was read
    read_at: str = ""
    note: str = ""

    def superseded_on(self, day: dt.date) -> bool:
        """True when the text no longer applies on ``day``."""
        return self.superseded is not None and self.superseded <= day

    def as_json(self) -> dict[str, Any]:
        """The entry as JSON-ready data (dates ISO), as carried in a package's metadata."""
        return {
            "kind": self.kind, "number": self.number, "title": self.title,
            "issued": _iso(self.issued), "in_force": _iso(self.in_force),
            "superseded": _iso(self.superseded), "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True)
class BaseValue:
    """A value a changing base takes from a date, set by a registered text."""

    value: float
    start: dt.date
    source: str


@dataclass(frozen=True)
class Base:
    """A changing base such as the base salary (lương cơ sở)."""

    id: str
    title: str
    values: tuple[BaseValue, ...]

    def value_on(self, day: dt.date) -> BaseValue | None:
        """The value in force on ``day`` (None before the first known value)."""
        current = None
        for item in self.values:
            if item.start <= day:
                current = item
        return current


@dataclass(frozen=True)
class Registry:
    """All registered texts and bases."""

    texts: dict[str, LegalText]
    bases: dict[str, Base]


def load_registry(path: Path | str) -> Registry:
    """Read and validate the registry file; problems raise :class:`ContentError` naming the entry."""
    path = Path(path)
    if not path.is_file():
        raise ContentError(path, "-", "file is missing")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(path, "-", f"not valid UTF-8 TOML: {exc}") from exc
    texts = {key: _text_entry(key, item, path) for key, item in _tables(data, "source", path).items()}
    bases = {key: _base_entry(key, item, path) for key, item in _tables(data, "base", path).items()}
    registry = Registry(texts, bases)
    _check_links(registry, path)
    return registry


def _tables(data: dict[str, Any], name: str, path: Path) -> dict[str, dict[str, Any]]:
    """``[name.<id>]`` tables."""
    tables = data.get(name, {})
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise ContentError(path, name, f"use [{name}.<id>] tables")
    return tables


def _text_entry(key: str, item: dict[str, Any], path: Path) -> LegalText:
    """One ``[source.<id>]`` table."""
    where = f"source.{key}"
    kind = item.get("kind")
    if kind not in KINDS:
        raise ContentError(path, f"{where}.kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
    return LegalText(
        id=key, kind=kind, number=text(item, "number", path, where), title=text(item, "title", path, where),
        issued=_date(item, "issued", path, where), in_force=_date(item, "in_force", path, where),
        amends=_ids(item, "amends", path, where), replaces=_ids(item, "replaces", path, where),
        superseded=_date(item, "superseded", path, where), superseded_by=str(item.get("superseded_by", "")),
        read_at=str(item.get("read_at", "")), note=str(item.get("note", "")),
    )


def _base_entry(key: str, item: dict[str, Any], path: Path) -> Base:
    """One ``[base.<id>]`` table with its ``[[base.<id>.values]]``."""
    where = f"base.{key}"
    raw = item.get("values")
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, f"{where}.values", "list the values with their start dates")
    values = []
    for i, v in enumerate(raw):
        if not isinstance(v, dict) or not isinstance(v.get("value"), int | float):
            raise ContentError(path, f"{where}.values[{i}]", "needs value, from and source")
        values.append(BaseValue(float(v["value"]), parse_date(v.get("from"), path, f"{where}.values[{i}].from"),
                                text(v, "source", path, f"{where}.values[{i}]")))
    values.sort(key=lambda v: v.start)
    return Base(key, text(item, "title", path, where), tuple(values))


def _date(item: dict[str, Any], key: str, path: Path, where: str) -> dt.date | None:
    """An optional date field (absent: not verified)."""
    return parse_date(item[key], path, f"{where}.{key}") if key in item else None


def _ids(item: dict[str, Any], key: str, path: Path, where: str) -> tuple[str, ...]:
    """An optional list of registry ids."""
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(path, f"{where}.{key}", "must be a list of registry ids")
    return tuple(value)


def _check_links(registry: Registry, path: Path) -> None:
    """Every id named by amends, replaces, superseded_by and base values is registered."""
    for entry in registry.texts.values():
        for ref in (*entry.amends, *entry.replaces, *([entry.superseded_by] if entry.superseded_by else [])):
            if ref not in registry.texts:
                raise ContentError(path, f"source.{entry.id}", f"names {ref!r}, which is not registered")
    for base in registry.bases.values():
        for value in base.values:
            if value.source not in registry.texts:
                raise ContentError(path, f"base.{base.id}", f"names {value.source!r}, which is not registered")


def _iso(day: dt.date | None) -> str:
    """ISO date or empty."""
    return day.isoformat() if day else ""
