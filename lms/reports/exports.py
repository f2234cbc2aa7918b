"""Streaming exports: xlsx (constant memory, to a temp file) and CSV in UTF-8 with BOM.

A table to export is a :class:`Table`: a title, columns (Vietnamese header, width, kind) and an
iterable of row tuples. Rows are consumed once, so a generator over a server-side cursor keeps
memory flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

from lms.core.exports import safe_cell, safe_row


@dataclass(frozen=True)
class Column:
    """One exported column: its header (Vietnamese), width in characters and kind."""

    header: str
    width: float = 14
    #: ``text``, ``int``, ``pct`` (a number 0–100 shown with one decimal), ``date``, ``num`` or ``money``
    #: (whole đồng: grouped in xlsx, ``1.234.567`` in PDFs)
    kind: str = "text"


@dataclass
class Table:
    """A titled table to export."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    #: lines printed above the header in PDFs (unit, date); not in xlsx/csv so the header stays row 1
    subtitle: list[str] = field(default_factory=list)


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet1"
    return clean[:31]


def write_xlsx(table: Table | Sequence[Table], path: str | os.PathLike[str]) -> int:
    """Write ``table`` (or several, one sheet each) to an xlsx file in constant memory; return the data rows.

    The header row is frozen, an autofilter covers the data and the columns have widths.
    """
    tables = [table] if isinstance(table, Table) else list(table)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": tempfile.gettempdir(),
                                               "strings_to_formulas": False})
    try:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                      "valign": "top"})
        formats = {
            "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
            "pct": workbook.add_format({"num_format": "0.0"}),
            "num": workbook.add_format({"num_format": "0.##"}),
            "money": workbook.add_format({"num_format": "#,##0"}),  # grouped as the reader's Excel locale does
        }
        names: set[str] = set()
        return sum(_write_sheet(workbook.add_worksheet(_unique(_sheet_name(t.title), names)), t, header, formats)
                   for t in tables)
    finally:
        workbook.close()


def _unique(name: str, taken: set[str]) -> str:
    out, n = name, 1
    while out.lower() in taken:
        n += 1
        out = f"{name[:27]} ({n})"
    taken.add(out.lower())
    return out


def _write_sheet(sheet, table: Table, header, formats: dict) -> int:
    for index, column in enumerate(table.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.header, header)
    sheet.freeze_panes(1, 0)
    writers = [_writer(sheet, column.kind, formats) for column in table.columns]
    count = 0
    for count, row in enumerate(table.rows, start=1):
        for index, (write, value) in enumerate(zip(writers, row, strict=False)):
            if value is not None and value != "":
                write(count, index, value)
    sheet.autofilter(0, 0, max(count, 1), len(table.columns) - 1)
    return count


def _writer(sheet, kind: str, formats: dict):
    """The fastest correct writer for a column: str and numbers go straight to xlsxwriter."""
    write_string, write_number = sheet.write_string, sheet.write_number
    number_format = formats.get(kind)

    def write(row: int, col: int, value: Any) -> None:
        kind_of = type(value)
        if kind_of is str:
            write_string(row, col, value)
        elif kind_of is int or kind_of is float:
            write_number(row, col, value, number_format)
        else:
            _write_cell(sheet, row, col, kind, value, formats)

    return write


def _write_cell(sheet, row: int, col: int, kind: str, value: Any, formats: dict) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats["date"])
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Có" if value else "Không")
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), formats.get(kind))
    else:
        sheet.write_string(row, col, str(value))


def xlsx_tempfile(table: Table | Sequence[Table]) -> str:
    """Write ``table`` (or tables, one sheet each) into a new temporary xlsx file; return its path (the caller removes it)."""
    handle, path = tempfile.mkstemp(prefix="lms-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(table, path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    # a cell starting with = + - @ would be run as a formula by Excel: neutralise it
    return safe_cell(str(value))


def iter_csv(table: Table) -> Iterator[str]:
    """The table as CSV text chunks: a UTF-8 BOM first (Excel reads diacritics), then one chunk per ~500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(safe_row(c.header for c in table.columns))
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(table: Table, path: str | os.PathLike[str]) -> None:
    """Write ``table`` as CSV (UTF-8 with BOM) to ``path``."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in iter_csv(table):
            handle.write(chunk)


def csv_tempfile(table: Table) -> str:
    """Write ``table`` as CSV into a new temporary file and return its path (the caller removes it)."""
    handle, path = tempfile.mkstemp(prefix="lms-export-", suffix=".csv")
    os.close(handle)
    try:
        write_csv(table, path)
    except BaseException:
        os.unlink(path)
        raise
    return path
