"""Read back the ``legal-sources.json`` a built package carries and check it on a given day.

The file comes from an uploaded package, so anything malformed gives ``None`` (the page then shows
nothing) rather than an error. The check uses the current registry, falling back to the snapshot the
package carries for texts the registry no longer lists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from lms.content.check import METADATA_FORMAT, Cited, Finding, check_items
from lms.content.fields import ComputedFrom, SourceRef
from lms.content.registry import Base, BaseValue, LegalText, Registry

#: a package's metadata file is small; anything bigger is not ours
MAX_METADATA_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class PackageLegal:
    """A package's legal basis: its module-level texts, review date and what to review today."""

    version: str
    reviewed: dt.date | None
    texts: tuple[LegalText, ...]
    findings: tuple[Finding, ...]


def read_metadata(raw: bytes, current: Registry, day: dt.date) -> PackageLegal | None:
    """Parse and check the metadata file; ``None`` when it is not a metadata file we wrote."""
    if len(raw) > MAX_METADATA_BYTES:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != METADATA_FORMAT:
            return None
        registry = _merged(data, current)
        items = [_item(i) for i in data["items"]]
        module = [SourceRef(*_split(s)) for s in data["module_sources"]]
        reviewed = dt.date.fromisoformat(data["reviewed"]) if data.get("reviewed") else None
        texts = tuple(registry.texts[r.id] for r in module if r.id in registry.texts)
        return PackageLegal(str(data.get("version", "")), reviewed, texts,
                            tuple(check_items(items, registry, day)))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def _merged(data: dict[str, Any], current: Registry) -> Registry:
    """The snapshot's entries, overridden by the current registry's."""
    texts = {k: _text(k, v) for k, v in data["texts"].items()}
    bases = {k: _base(k, v) for k, v in data["bases"].items()}
    return Registry({**texts, **current.texts}, {**bases, **current.bases})


def _text(key: str, v: dict[str, Any]) -> LegalText:
    return LegalText(id=key, kind=str(v["kind"]), number=str(v["number"]), title=str(v["title"]),
                     issued=_day(v.get("issued")), in_force=_day(v.get("in_force")),
                     superseded=_day(v.get("superseded")), superseded_by=str(v.get("superseded_by") or ""))


def _base(key: str, v: dict[str, Any]) -> Base:
    values = tuple(BaseValue(float(x["value"]), dt.date.fromisoformat(x["from"]), str(x["source"]))
                   for x in v["values"])
    return Base(key, str(v["title"]), tuple(sorted(values, key=lambda x: x.start)))


def _item(v: dict[str, Any]) -> Cited:
    return Cited(str(v["kind"]), str(v["id"]), tuple(SourceRef(*_split(s)) for s in v["sources"]),
                 tuple(ComputedFrom(str(c["base"]), float(c["value"]), dt.date.fromisoformat(c["as_of"]))
                       for c in v.get("computed_from", [])))


def _split(ref: str) -> tuple[str, str]:
    ident, _, article = str(ref).partition(":")
    return ident, article


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
