"""Legal currency of content: what each item cites, checked against the registry on a given day.

The same check runs on a course source (``lms content check``) and on the ``legal-sources.json`` a
built package carries (the lecturer's module page). It reports, for a day:

- ``superseded``: an item cites a text no longer in force that day;
- ``not_in_force``: an item cites a text not yet in force that day;
- ``base_changed``: an amount was computed from a base (base salary …) whose value has changed since;
- ``no_source``: a lesson or question names no source;
- ``unknown_source`` / ``unknown_base``: an id that is not in the registry.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lms.content.fields import ComputedFrom, SourceRef
from lms.content.registry import Base, BaseValue, LegalText, Registry
from lms.content.source import Course, Question

#: the metadata file a built package carries (see :func:`package_metadata`)
METADATA_FILE = "legal-sources.json"
METADATA_FORMAT = 1
KIND_VI = {"module": "học phần", "lesson": "bài học", "question": "câu hỏi"}


@dataclass(frozen=True)
class Cited:
    """Something that cites sources: the module, a lesson or a question."""

    kind: str
    ident: str
    sources: tuple[SourceRef, ...]
    computed_from: tuple[ComputedFrom, ...] = ()
    #: texts named for history or comparison: only checked to be registered
    mentions: tuple[SourceRef, ...] = ()

    @property
    def label_vi(self) -> str:
        """E.g. ``"câu hỏi TC-P04-3"``."""
        return f"{KIND_VI.get(self.kind, self.kind)} {self.ident}"


@dataclass(frozen=True)
class Finding:
    """One thing to review."""

    code: str
    item: Cited
    message_vi: str
    message_en: str

    def line(self, module: str) -> str:
        """The Vietnamese-first line ``lms content check`` prints."""
        return f"CẦN XEM LẠI [{self.code}] {module} {self.item.label_vi}: {self.message_vi} / {self.message_en}"


def cited_items(course: Course) -> list[Cited]:
    """The module, every lesson, every practice question and every bank question, with their sources."""
    items = [Cited("module", course.code, course.sources, (), course.mentions)]
    for lesson in course.lessons:
        items.append(Cited("lesson", lesson.identifier, lesson.sources, lesson.computed_from, lesson.mentions))
        items += [_question(q) for q in lesson.questions]
    items += [_question(q) for q in course.questions]
    return items


def _question(q: Question) -> Cited:
    return Cited("question", q.id, q.sources, q.computed_from, q.mentions)


def check_items(items: list[Cited], registry: Registry, day: dt.date) -> list[Finding]:
    """Every finding for ``items`` on ``day``."""
    findings: list[Finding] = []
    for item in items:
        if not item.sources and item.kind != "module":
            findings.append(Finding("no_source", item, "chưa ghi văn bản, điều khoản làm căn cứ",
                                    "names no legal source"))
        findings += [f for ref in item.sources if (f := _check_ref(item, ref, registry, day))]
        findings += [f for cf in item.computed_from if (f := _check_base(item, cf, registry, day))]
        findings += [Finding("unknown_source", item, f"nhắc tới {ref.id}, không có trong danh mục văn bản",
                             f"mentions {ref.id}, which is not in the registry")
                     for ref in item.mentions if ref.id not in registry.texts]
    return findings


def check_course(course: Course, registry: Registry, day: dt.date) -> list[Finding]:
    """Every finding for a course source on ``day``."""
    return check_items(cited_items(course), registry, day)


def _check_ref(item: Cited, ref: SourceRef, registry: Registry, day: dt.date) -> Finding | None:
    """A cited text must be registered and in force on ``day``."""
    entry = registry.texts.get(ref.id)
    where = f"{ref.id}{' (' + ref.article + ')' if ref.article else ''}"
    if entry is None:
        return Finding("unknown_source", item, f"dẫn {where}, không có trong danh mục văn bản",
                       f"cites {ref.id}, which is not in the registry")
    cited = f"{entry.number}{' (' + ref.article + ')' if ref.article else ''}"
    if entry.superseded_on(day):
        return Finding("superseded", item, f"dẫn {cited}, hết hiệu lực từ {vn_date(entry.superseded)}"
                       f"{_replaced_by(entry, registry)}",
                       f"cites {entry.number}, superseded on {entry.superseded}")
    if entry.in_force and entry.in_force > day:
        return Finding("not_in_force", item, f"dẫn {cited}, chưa có hiệu lực (từ {vn_date(entry.in_force)})",
                       f"cites {entry.number}, not in force until {entry.in_force}")
    return None


def _replaced_by(entry: LegalText, registry: Registry) -> str:
    """``", thay bằng 283/2026/NĐ-CP"`` when known."""
    successor = registry.texts.get(entry.superseded_by)
    return f", thay bằng {successor.number}" if successor else ""


def _check_base(item: Cited, cf: ComputedFrom, registry: Registry, day: dt.date) -> Finding | None:
    """An amount's base must still have the value (and start date) it was computed from."""
    base = registry.bases.get(cf.base)
    if base is None:
        return Finding("unknown_base", item, f"tính theo mức {cf.base}, không có trong danh mục",
                       f"computed from base {cf.base}, which is not in the registry")
    current = base.value_on(day)
    if current is not None and current.value == cf.value and current.start == cf.as_of:
        return None
    now = f"nay là {money(current.value)} đ từ {vn_date(current.start)} ({_number(registry, current)})" \
        if current else "chưa có mức áp dụng"
    return Finding("base_changed", item,
                   f"tính theo {base.title.lower()} {money(cf.value)} đ (từ {vn_date(cf.as_of)}); {now}",
                   f"computed from {base.id} {cf.value:g} as of {cf.as_of}; the base has changed")


def _number(registry: Registry, value: BaseValue) -> str:
    """The number of the text that set a base value."""
    entry = registry.texts.get(value.source)
    return entry.number if entry else value.source


def summary(findings: list[Finding]) -> list[tuple[str, str, int]]:
    """``(code, kind, count)`` rows, e.g. ``("superseded", "question", 2)``, in a stable order."""
    counts = Counter((f.code, f.item.kind) for f in findings)
    return sorted(((code, kind, n) for (code, kind), n in counts.items()))


def vn_date(day: dt.date | None) -> str:
    """``dd/mm/yyyy``."""
    return day.strftime("%d/%m/%Y") if day else ""


def money(value: float) -> str:
    """``2.530.000`` (Vietnamese thousands separator)."""
    return f"{value:,.0f}".replace(",", ".")


# -- package metadata ---------------------------------------------------------------------------


def package_metadata(course: Course, registry: Registry) -> dict[str, Any]:
    """What a built package carries about its legal basis: items with their citations, and a snapshot of
    the registry entries they cite (so the check still runs on a package whose texts left the registry)."""
    items = cited_items(course)
    ids = {ref.id for item in items for ref in item.sources}
    ids |= {registry.texts[i].superseded_by for i in ids if i in registry.texts and registry.texts[i].superseded_by}
    bases = {cf.base for item in items for cf in item.computed_from}
    return {
        "format": METADATA_FORMAT, "module": course.code, "version": course.version, "reviewed": course.reviewed,
        "module_sources": [str(ref) for ref in course.sources],
        "texts": {i: registry.texts[i].as_json() for i in sorted(ids) if i in registry.texts},
        "bases": {b: _base_json(registry.bases[b]) for b in sorted(bases) if b in registry.bases},
        "items": [_item_json(item) for item in items],
    }


def _base_json(base: Base) -> dict[str, Any]:
    return {"title": base.title, "values": [
        {"value": v.value, "from": v.start.isoformat(), "source": v.source} for v in base.values]}


def _item_json(item: Cited) -> dict[str, Any]:
    return {"kind": item.kind, "id": item.ident, "sources": [str(r) for r in item.sources],
            "computed_from": [{"base": c.base, "value": c.value, "as_of": c.as_of.isoformat()}
                              for c in item.computed_from]}
