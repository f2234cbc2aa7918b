"""Namespace- and case-agnostic reading of manifest XML, recording bad values as warnings."""

from __future__ import annotations

from lxml import etree

from scorm.issues import Catalog, Issue, make_issue

__all__ = ["Reader", "attr", "elements", "first", "local", "text"]


def local(name: str) -> str:
    """An element or attribute name without namespace or prefix, lower-cased."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def elements(el: etree._Element, name: str) -> list[etree._Element]:
    """The children of ``el`` called ``name`` (see :func:`local`)."""
    return [c for c in el if isinstance(c.tag, str) and local(c.tag) == name]


def first(el: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down ``path`` of child names, or ``None``."""
    for name in path:
        if el is None:
            return None
        found = elements(el, name)
        el = found[0] if found else None
    return el


def text(el: etree._Element | None, *path: str) -> str | None:
    """The stripped text of the element down ``path`` (or of ``el``), ``None`` when empty or absent."""
    found = first(el, *path) if path else el
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


def attr(el: etree._Element | None, name: str) -> str | None:
    """The stripped value of attribute ``name`` (see :func:`local`), or ``None``."""
    if el is None:
        return None
    for key, value in el.attrib.items():
        if local(key) == name:
            return value.strip()
    return None


class Reader:
    """Typed attribute and text reading that records warnings (``invalid_code``) instead of failing."""

    def __init__(self, catalog: Catalog, invalid_code: str = "manifest.invalid_value") -> None:
        self.warnings: list[Issue] = []
        self.catalog = catalog
        self.invalid_code = invalid_code

    def warn(self, code: str, detail: str = "") -> None:
        issue = make_issue(code, detail, None, self.catalog)
        if issue not in self.warnings and len(self.warnings) < 100:
            self.warnings.append(issue)

    def invalid(self, name: str, raw: str) -> None:
        self.warn(self.invalid_code, f"{name}={raw[:40]!r}")

    def boolean(self, el: etree._Element | None, name: str, default: bool) -> bool:
        raw = attr(el, name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        self.invalid(name, raw)
        return default

    def number(self, raw: str | None, what: str, low: float = float("-inf"),
               high: float = float("inf")) -> float | None:
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            self.invalid(what, raw)
            return None
        return value

    def integer(self, raw: str | None, what: str) -> int | None:
        value = self.number(raw, what, 0, 2**31)
        if value is None or value != int(value):
            if value is not None:
                self.invalid(what, str(raw))
            return None
        return int(value)
