"""Helpers of the records tests: modules, records, uploads."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from lms.catalog.models import Module
from lms.core.db import db
from lms.records.services import append_record


def gen_module(code: str = "ATVSLD", topic: str = "osh", hours: str = "8") -> Module:
    """A module with a topic and credit hours."""
    module = Module(code=code, title_vi=f"Học phần {code}", title_en=f"Module {code}", topic=topic,
                    hours=Decimal(hours))
    db.session.add(module)
    db.session.flush()
    return module


def gen_record(cadre, *, hours="4", topic="osh", completed_on=date(2025, 3, 10), module=None, score=None,
               source="online", key=None):
    """An original record."""
    return append_record(cadre.id, source=source, completed_on=completed_on, topic=topic, hours=Decimal(hours),
                         module_id=module.id if module else None, score=score, dedupe_key=key)


def xlsx_bytes(rows: list[list], formulas: dict[tuple[int, int], str] | None = None) -> bytes:
    """An xlsx workbook of ``rows`` (first is the header); ``formulas`` puts formulas in (row, col) cells."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (r, c), formula in (formulas or {}).items():
        sheet.cell(row=r, column=c).value = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file of ``rows``."""
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)
