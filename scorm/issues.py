"""Findings of the package checks: a stable code with its Vietnamese and English messages."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Catalog", "Issue", "make_issue"]

#: code -> (Vietnamese, English); ``{detail}`` is filled in per issue
Catalog = dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Issue:
    """One finding of a check: a stable code, the message in Vietnamese and English, maybe a path."""

    code: str
    message_vi: str
    message_en: str
    path: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The issue as a JSON-able dict."""
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en,
                "path": self.path}


def make_issue(code: str, detail: str, path: str | None, catalog: Catalog) -> Issue:
    """Build an :class:`Issue` from ``catalog``."""
    vi, en = catalog[code]
    return Issue(code, vi.format(detail=detail), en.format(detail=detail), path)
