"""Template helpers: labels in the current language, dates, the CSRF-protected POST button."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from lms.core.errors import localized
from lms.core.roles import ROLE_LABELS


def label(pair: tuple[str, str] | None) -> str:
    """A (Vietnamese, English) label in the current language."""
    if not pair:
        return ""
    return localized(pair[0], pair[1])


def vn_date(value: date | datetime | None) -> str:
    """Dates as Vietnamese readers write them: dd/mm/yyyy."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["vn_date"] = vn_date
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["localized"] = localized
