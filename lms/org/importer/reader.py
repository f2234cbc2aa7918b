"""Read an import file (.xlsx or .csv) into validated rows, collecting every bad cell.

File-level problems (too large, wrong type, not UTF-8, empty…) raise :class:`ImportRejected`
at once; cell problems are collected so that the user sees every bad row in one pass.
"""

from __future__ import annotations

import csv
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from lms.core.errors import UserError, localized
from lms.core.i18n import fold
from lms.core.spreadsheets import SpreadsheetRefused, csv_rows, open_workbook, open_zip
from lms.org.importer import columns as C
from lms.org.models import EMPLOYMENT_LABELS, GENDER_LABELS, POSITION_LABELS, Position


@dataclass(slots=True)
class RowError:
    """One bad cell or row: where (sheet, spreadsheet row number, column header) and why."""

    sheet: str
    row: int
    column: str
    message_vi: str
    message_en: str

    def as_detail(self) -> dict[str, Any]:
        """The error as shown on pages, in JSON and in the CLI."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "message": localized(self.message_vi, self.message_en),
                "message_vi": self.message_vi, "message_en": self.message_en}


class ImportRejected(UserError):
    """The file was refused; nothing was written. ``details`` lists every bad row."""

    @classmethod
    def of(cls, message_vi: str, message_en: str, code: str, status: int = 422,
           errors: list[RowError] | None = None) -> ImportRejected:
        """Build the error (details from ``errors``)."""
        return cls(message_vi, message_en, status=status, code=code,
                   details=[e.as_detail() for e in errors or []])


@dataclass(slots=True)
class UnitRow:
    """A valid unit row."""

    row: int
    code: str
    name: str
    level: str | None
    parent: str | None
    active: bool | None


@dataclass(slots=True)
class CadreRow:
    """A valid cadre row; ``None`` in an optional field whose column is absent means "keep"."""

    row: int
    code: str
    full_name: str
    gender: str
    birth_date: date | None
    email: str | None
    phone: str | None
    unit: str
    position: str
    employment: str | None
    is_key: bool | None
    appointed_on: date | None
    active: bool | None


@dataclass
class ParsedFile:
    """What a file holds: rows by kind, the optional columns present, and the bad cells."""

    units: list[UnitRow] = field(default_factory=list)
    cadres: list[CadreRow] = field(default_factory=list)
    unit_fields: set[str] = field(default_factory=set)
    cadre_fields: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    sheet_names: dict[str, str] = field(default_factory=dict)
    #: kind -> code -> row number, of rows left out for a bad cell (rows that depend on them are left out too)
    bad_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: sheet title -> (header row, [(row number, values)]), kept only when asked (the error workbook)
    raw: dict[str, tuple[list[Any], list[tuple[int, list[Any]]]]] | None = None


def read_import_file(path: str | Path, filename: str, max_bytes: int, today: date, *,
                     keep_rows: bool = False) -> ParsedFile:
    """Read ``path`` (uploaded as ``filename``): the kind is taken from the extension, checked by content.

    ``keep_rows`` keeps every sheet's values as read (``ParsedFile.raw``), for the error workbook.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRejected.of(
            f"Tệp quá lớn ({size / 1048576:.1f} MB); giới hạn là {max_bytes / 1048576:.0f} MB.",
            f"The file is too large ({size / 1048576:.1f} MB); the limit is {max_bytes / 1048576:.0f} MB.",
            "import_too_large", 413)
    if size == 0:
        raise ImportRejected.of("Tệp rỗng.", "The file is empty.", "import_empty")
    suffix = Path(filename).suffix.lower()
    parsed = ParsedFile(raw={} if keep_rows else None)
    if suffix == ".xlsx":
        _read_xlsx(path, parsed, today)
    elif suffix in (".csv", ".txt"):
        _read_csv(path, parsed, today)
    else:
        raise ImportRejected.of(
            f"Loại tệp “{suffix or filename}” không được hỗ trợ: dùng .xlsx hoặc .csv (UTF-8).",
            f"Unsupported file type “{suffix or filename}”: use .xlsx or .csv (UTF-8).", "import_file_type", 415)
    if not parsed.units and not parsed.cadres and not parsed.errors:
        raise ImportRejected.of("Tệp không có dòng dữ liệu nào.", "The file has no data rows.", "import_empty")
    return parsed


def _read_xlsx(path: Path, parsed: ParsedFile, today: date) -> None:
    found = False
    try:
        with open_zip(path) as archive:
            book = open_workbook(archive)
            for title, part in book.sheets:
                found |= _read_table(title, book.rows(part), parsed, today)
    except ImportRejected:
        raise
    except SpreadsheetRefused as exc:
        if exc.code == "xlsx_broken":
            raise _not_xlsx() from None
        raise _refused(exc) from None
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile, EOFError, etree.XMLSyntaxError):
        raise _not_xlsx() from None
    if not found and not parsed.errors:
        raise _unrecognised()


def _refused(exc: SpreadsheetRefused) -> ImportRejected:
    """The shared reader's refusal under this importer's codes (every cap is ``import_too_large``)."""
    code = "import_too_large" if exc.status == 413 else exc.code
    return ImportRejected.of(exc.message_vi, exc.message_en, code, exc.status)


def _not_xlsx() -> ImportRejected:
    return ImportRejected.of("Tệp không phải là bảng tính Excel .xlsx hợp lệ (có thể bị hỏng hoặc đổi đuôi).",
                             "The file is not a valid .xlsx workbook (damaged or renamed?).", "import_not_xlsx", 415)


def _unrecognised() -> ImportRejected:
    return ImportRejected.of(
        "Không nhận ra tiêu đề cột: trang đơn vị cần cột “Mã đơn vị”, “Tên đơn vị”; trang cán bộ cần “Mã cán bộ”, “Họ và tên”.",
        "Headers not recognised: a units sheet needs “Mã đơn vị”, “Tên đơn vị”; a cadres sheet “Mã cán bộ”, “Họ và tên”.",
        "import_headers")


def _read_csv(path: Path, parsed: ParsedFile, today: date) -> None:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected.of(
            f"Tệp CSV không phải mã UTF-8 (byte lỗi ở vị trí {exc.start}). Trong Excel hãy lưu dạng “CSV UTF-8”.",
            f"The CSV is not UTF-8 (bad byte at offset {exc.start}). Save it from Excel as “CSV UTF-8”.",
            "import_encoding") from None
    del raw
    if not content.strip():
        raise ImportRejected.of("Tệp rỗng.", "The file is empty.", "import_empty")
    rows = ((i, [(v, "s") for v in values]) for i, values in enumerate(csv_rows(content), start=1))
    try:
        if not _read_table("CSV", rows, parsed, today):
            raise _unrecognised()
    except SpreadsheetRefused as exc:
        raise _refused(exc) from None
    except csv.Error:
        raise ImportRejected.of("Tệp CSV bị lỗi định dạng (dấu ngoặc kép không đóng?).",
                                "The CSV is malformed (an unclosed quote?).", "import_csv") from None


def _read_table(sheet: str, rows: Iterator[tuple[int, list[tuple[Any, Any]]]], parsed: ParsedFile,
                today: date) -> bool:
    """Read one sheet: find the header row (the first non-empty one), then each data row. False if no header."""
    for number, cells in rows:  # noqa: B007 - ``number`` is the header row, used below
        headers = [C.text(v) for v, _t in cells]
        if any(headers):
            break
    else:
        return False
    kind = C.detect_kind(headers)
    if kind is None:  # e.g. an instructions sheet
        return False
    if parsed.raw is not None:
        kept: list[tuple[int, list[Any]]] = []
        parsed.raw[sheet] = ([v for v, _t in cells], kept)
        rows = _keeping(rows, kept)
    sheet_vi, _sheet_en, columns = C.SHEETS[kind]
    if kind in parsed.sheet_names:
        parsed.errors.append(RowError(sheet, number, "", f"Tệp có hai trang {sheet_vi}; chỉ được có một.",
                                      f"The file has two {kind} sheets; only one is allowed."))
        return True
    parsed.sheet_names[kind] = sheet
    index = _column_index(sheet, number, headers, columns, parsed)
    if index is None:
        return True
    (parsed.unit_fields if kind == "units" else parsed.cadre_fields).update(index)
    seen: dict[str, int] = {}
    target = parsed.units if kind == "units" else parsed.cadres
    for number, cells in rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v, _t in cells):
            continue
        row = _read_row(kind, sheet, number, cells, index, parsed, today)
        if row is None:
            continue
        if row.code in seen:
            parsed.errors.append(RowError(sheet, number, columns[0].header,
                                          f"Mã “{row.code}” bị trùng với dòng {seen[row.code]} trong tệp.",
                                          f"Code “{row.code}” duplicates row {seen[row.code]} of the file."))
            continue
        seen[row.code] = number
        target.append(row)
    return True


def _keeping(rows: Iterator[tuple[int, list[tuple[Any, Any]]]],
             kept: list[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[tuple[Any, Any]]]]:
    for number, cells in rows:
        kept.append((number, [v for v, _t in cells]))
        yield number, cells


def _column_index(sheet: str, number: int, headers: list[str], columns: tuple[C.Column, ...],
                  parsed: ParsedFile) -> dict[str, int] | None:
    mapping = C.header_map(columns)
    index: dict[str, int] = {}
    ok = True
    for position, header in enumerate(headers):
        field_name = mapping.get(fold(header))
        if field_name is None:
            continue
        if field_name in index:
            parsed.errors.append(RowError(sheet, number, header, f"Cột “{header}” xuất hiện hai lần.",
                                          f"Column “{header}” appears twice."))
            ok = False
        index[field_name] = position
    for column in columns:
        if column.required and column.field not in index:
            parsed.errors.append(RowError(sheet, number, column.header,
                                          f"Thiếu cột bắt buộc “{column.header}”.",
                                          f"Required column “{column.header}” is missing."))
            ok = False
    return index if ok else None


def _read_row(kind: str, sheet: str, number: int, cells: list[tuple[Any, Any]], index: dict[str, int],
              parsed: ParsedFile, today: date) -> UnitRow | CadreRow | None:
    columns = C.SHEETS[kind][2]
    values: dict[str, Any] = {}
    bad = False
    for column in columns:
        if column.field not in index:
            values[column.field] = None
            continue
        position = index[column.field]
        value, data_type = cells[position] if position < len(cells) else (None, None)
        try:
            values[column.field] = _cell(kind, column, value, data_type, today)
        except C.CellError as exc:
            parsed.errors.append(RowError(sheet, number, column.header, exc.message_vi, exc.message_en))
            bad = True
    if bad:
        if isinstance(values.get("code"), str):
            parsed.bad_codes.setdefault(kind, {}).setdefault(values["code"], number)
        return None
    if kind == "units":
        return UnitRow(number, values["code"], values["name"], values["level"], values["parent"], values["active"])
    return CadreRow(row=number, **values)


#: field -> maximum length of text fields
_LENGTHS = {"name": 255, "full_name": 255, "level": 100, "phone": 32}


def _cell(kind: str, column: C.Column, value: Any, data_type: Any, today: date) -> Any:
    """Convert one cell of ``column``; raises CellError. Empty optional cells give None."""
    if data_type == "f":
        raise C.CellError("Ô chứa công thức Excel — không được phép; hãy dán giá trị (Paste Values).",
                          "The cell holds an Excel formula; refused. Paste the values instead.")
    C.check_not_formula(value, column.field)
    raw = C.text(value)
    if not raw:
        if column.required and not column.may_be_empty:
            raise C.CellError("Không được để trống.", "Required; the cell is empty.")
        return None
    name = column.field
    if name in ("parent", "unit"):
        return sys.intern(C.parse_code(raw))  # repeated on many rows
    if name == "code":
        return C.parse_code(raw)
    if name in _LENGTHS:
        return C.check_length(raw, _LENGTHS[name])
    if name == "gender":
        return C.parse_choice(raw, C.GENDERS, "Giới tính", "gender", GENDER_LABELS)
    if name == "position":
        return C.parse_choice(raw, C.POSITIONS, "Chức vụ", "position", POSITION_LABELS)
    if name == "employment":
        return C.parse_choice(raw, C.EMPLOYMENTS, "Loại cán bộ", "employment", EMPLOYMENT_LABELS)
    if name in ("active", "is_key"):
        return C.parse_flag(raw)
    if name == "email":
        return C.parse_email(raw)
    if name == "birth_date":
        return C.parse_date(value, not_after=today, what_vi="Ngày sinh", what_en="Birth date")
    if name == "appointed_on":
        return C.parse_date(value, not_after=C.latest_appointment(today), what_vi="Ngày bổ nhiệm",
                            what_en="Appointment date")
    return raw


KEY_POSITIONS = frozenset({Position.chair.value, Position.vice_chair.value})
