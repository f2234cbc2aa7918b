"""Numbers from URLs, query strings and forms are range-checked before they reach the database.

A database id is a PostgreSQL ``integer`` (at most 2^31 − 1) and SQLite refuses integers past 64 bits,
so an oversized number used to end in a 500. ``<int:…>`` URL parts go through :class:`BoundedInt`
(registered as the app's ``int`` converter: a bigger number is a 404, as any unknown id), and query
arguments are read with ``request.args.get(name, default, type=db_id)`` or ``type=page_number``
(out of range falls back to the default, as a non-number already did).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: largest id of an ``integer`` column (PostgreSQL)
MAX_ID = 2**31 - 1
#: largest page number accepted in a listing
MAX_PAGE = 1_000_000


class BoundedInt(IntegerConverter):
    """``<int:…>`` with a default maximum of :data:`MAX_ID` (a larger number does not match: 404)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded(text: str, low: int, high: int) -> int:
    """``int(text)`` when it lies in [low, high]; ValueError otherwise (so ``args.get(type=…)`` uses the default)."""
    if len(text) > 24:
        raise ValueError("too long")
    value = int(text)
    if not low <= value <= high:
        raise ValueError("out of range")
    return value


def db_id(text: str) -> int:
    """A positive database id (1 … 2^31 − 1) from a query or form value."""
    return bounded(text, 1, MAX_ID)


def page_number(text: str) -> int:
    """A page number (1 … :data:`MAX_PAGE`)."""
    return bounded(text, 1, MAX_PAGE)


def init_app(app: Flask) -> None:
    """Make ``<int:…>`` bounded in every URL rule (call before blueprints are registered)."""
    app.url_map.converters["int"] = BoundedInt
