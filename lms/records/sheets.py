"""Reading uploaded sheets (xlsx or CSV) safely: size, encoding, formulas and CSV injection.

Both the attendance sheet of a class and the historical import read files through :func:`read_sheet`
(on the shared capped reader :mod:`lms.core.spreadsheets`),
which returns the header row and the data rows as plain values. Problems of the whole file raise a
:class:`~lms.core.errors.UserError`; problems of one cell are :class:`CellError` rows the caller lists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lms.core.errors import UserError
from lms.core.i18n import fold, nfc
from lms.core.spreadsheets import csv_rows, first_sheet_rows

#: characters that make a spreadsheet treat a cell as a formula (CSV/formula injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


class Formula(str):
    """A cell that held a formula in the xlsx (its text); never evaluated."""


@dataclass(frozen=True)
class CellError:
    """A problem in one cell: 1-based sheet row, column header, message in Vietnamese and English."""

    row: int
    column: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        """For JSON answers and templates."""
        return {"row": self.row, "column": self.column, "message_vi": self.message_vi, "message_en": self.message_en}


@dataclass
class Sheet:
    """A read sheet: the headers and the data rows as (sheet row number, values)."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def _file_error(vi: str, en: str, code: str, status: int = 400) -> UserError:
    return UserError(vi, en, status=status, code=code)


def read_sheet(data: bytes, filename: str, max_bytes: int) -> Sheet:
    """Read an uploaded ``.xlsx`` or ``.csv`` (UTF-8, with or without BOM) into a :class:`Sheet`."""
    if len(data) > max_bytes:
        raise _file_error(f"Tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).",
                          f"The file is too large (at most {max_bytes // (1024 * 1024)} MB).", "file_too_large", 413)
    if not data.strip():
        raise _file_error("Tệp rỗng.", "The file is empty.", "file_empty", 400)
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        sheet = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        sheet = _read_csv(data)
    else:
        raise _file_error("Chỉ nhận tệp .xlsx hoặc .csv.", "Only .xlsx or .csv files are accepted.", "file_type", 415)
    if not sheet.headers or not any(h for h in sheet.headers):
        raise _file_error("Tệp không có dòng tiêu đề.", "The file has no header row.", "file_no_header", 400)
    if not sheet.rows:
        raise _file_error("Tệp không có dòng dữ liệu nào.", "The file has no data rows.", "file_empty", 400)
    return sheet


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            "Tệp CSV không phải mã UTF-8. Hãy lưu lại bằng “CSV UTF-8” trong Excel.",
            "The CSV file is not UTF-8. Save it as “CSV UTF-8” in Excel.", "csv_encoding", 400,
        ) from exc
    if "\x00" in text:
        raise _file_error("Tệp CSV chứa ký tự không hợp lệ.", "The CSV file contains NUL characters.", "csv_nul")
    try:
        return _to_sheet((n, row) for n, row in enumerate(csv_rows(text), start=1))
    except csv.Error as exc:
        raise _file_error("Tệp CSV bị hỏng.", "The CSV file is malformed.", "csv_malformed") from exc


def _read_xlsx(data: bytes) -> Sheet:
    """The first sheet through the shared safe reader; formula cells become :class:`Formula`."""
    rows = ((n, [Formula(str(v)) if f == "f" else v for v, f in cells]) for n, cells in first_sheet_rows(data))
    return _to_sheet(rows)


def _to_sheet(table: Iterable[tuple[int, list[Any]]]) -> Sheet:
    """First non-empty row is the header; empty rows are dropped; row numbers are the sheet's."""
    numbered = ((n, row) for n, row in table if any(_present(v) for v in row))
    first = next(numbered, None)
    if first is None:
        return Sheet([], [])
    headers = [nfc(str(h)).strip() if h is not None else "" for h in first[1]]
    width = len(headers)
    rows = [(n, (list(r) + [None] * width)[:width]) for n, r in numbered]
    return Sheet(headers, rows)


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def column_index(headers: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first header matching any of ``names`` (compared folded: no case, no diacritics)."""
    wanted = {fold(n) for n in names}
    for i, header in enumerate(headers):
        if fold(header) in wanted:
            return i
    return None


def injection_error(value: Any, row: int, column: str) -> CellError | None:
    """A CellError when the cell is a formula or text a spreadsheet would run as one."""
    if isinstance(value, Formula):
        return CellError(row, column, "Ô chứa công thức; hãy dán giá trị thay vì công thức.",
                         "The cell holds a formula; paste values instead.")
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(FORMULA_START) and not _NUMBER.match(text):
            return CellError(row, column, "Ô bắt đầu bằng ký tự công thức (=, +, -, @) — có thể là mã độc.",
                             "The cell starts with a formula character (=, +, -, @): possible injection.")
    return None


def cell_text(value: Any) -> str:
    """A cell as trimmed NFC text ('' for empty; whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (nfc(str(value)) or "").strip()


def parse_date(value: Any) -> date | None:
    """A date from an xlsx date cell or text dd/mm/yyyy, d-m-yyyy, yyyy-mm-dd; None when unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


YES = {"x", "co", "yes", "y", "1", "true", "co mat", "present", "v"}
NO = {"khong", "no", "n", "0", "false", "vang", "vang mat", "absent"}


def parse_flag(value: Any) -> bool | None:
    """'x', 'có', 'yes', '1' → True; 'không', 'vắng', 'no', '0' → False; None when unreadable."""
    if isinstance(value, bool):
        return value
    folded = fold(cell_text(value))
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None
