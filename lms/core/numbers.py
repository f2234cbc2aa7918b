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


#: largest amount of money accepted in a form, in đồng (10^15: well above any union budget)
MAX_VND = 10**15


def vnd(amount: int | float | None, unit: bool = True) -> str:
    """An amount in đồng the Vietnamese way: ``1.234.567 đ`` (dot groups thousands; no decimals); "" for None."""
    if amount is None:
        return ""
    text = f"{round(amount):,}".replace(",", ".")
    return f"{text} đ" if unit else text


def parse_vnd(text: str) -> int:
    """An amount typed in đồng — ``1.234.567``, ``1 234 567``, ``1234567 đ`` — as an int; ValueError if not one.

    Dots and spaces group thousands (the Vietnamese way); a comma would be a decimal mark, which đồng
    amounts do not have, so it is refused rather than guessed.
    """
    cleaned = text.strip().lower().removesuffix("vnđ").removesuffix("đ").strip()
    cleaned = cleaned.replace(".", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned.isdigit() or len(cleaned) > 16:
        raise ValueError(text)
    value = int(cleaned)
    if value > MAX_VND:
        raise ValueError(text)
    return value


def init_app(app: Flask) -> None:
    """Make ``<int:…>`` bounded in every URL rule (call before blueprints are registered); the ``vnd`` filter."""
    app.url_map.converters["int"] = BoundedInt
    app.add_template_filter(vnd, "vnd")
