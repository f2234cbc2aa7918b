"""The one safe reader of uploaded spreadsheets (.xlsx and CSV) used by every importer.

An .xlsx is a zip of XML parts, so a small upload can declare or expand to gigabytes. Before any XML
is parsed the zip directory is checked (entry count, each entry's and the total uncompressed size,
compression ratio, size of the shared-string table); then the sheet is walked row by row with lxml's
``iterparse`` (C parser, entities, DTDs and the network off), the declared ``<dimension>`` is checked
before the first row, and rows, columns and cells are counted as they stream, so a bomb is refused
early with a Vietnamese message and a 413/422 instead of being materialised. openpyxl (``read_only``)
pads every row to the declared width and spends ~12 µs per cell; it is used here only for its
date-format rules. CSV gets the same row and column caps.

Limits come from the ``LMS_IMPORT_*`` settings (see :func:`current_limits`).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app, has_app_context
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from lms.core.errors import UserError

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_V, _F, _IS, _T, _ROW, _DIM = f"{NS}v", f"{NS}f", f"{NS}is", f"{NS}t", f"{NS}row", f"{NS}dimension"
#: (row number, [(value, 'f' for a formula cell else None), …])
Row = tuple[int, list[tuple[Any, str | None]]]
#: entries of at least this size must not expand more than ``max_ratio`` times
_RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one uploaded sheet may hold."""

    max_rows: int = 100_000
    max_columns: int = 50
    max_cells: int = 2_000_000
    max_unpacked: int = 200 * 1024 * 1024
    max_entries: int = 1_000
    max_ratio: int = 100
    max_shared_bytes: int = 32 * 1024 * 1024
    max_shared_strings: int = 1_000_000


def current_limits() -> Limits:
    """The limits from ``LMS_IMPORT_MAX_ROWS``, ``_COLUMNS``, ``_CELLS``, ``_UNPACKED_MB`` (defaults outside an app)."""
    if not has_app_context():
        return Limits()
    config = current_app.config
    return Limits(max_rows=config.get("LMS_IMPORT_MAX_ROWS", Limits.max_rows),
                  max_columns=config.get("LMS_IMPORT_MAX_COLUMNS", Limits.max_columns),
                  max_cells=config.get("LMS_IMPORT_MAX_CELLS", Limits.max_cells),
                  max_unpacked=config.get("LMS_IMPORT_MAX_UNPACKED", Limits.max_unpacked))


class SpreadsheetRefused(UserError):
    """The file is not a readable spreadsheet or exceeds a limit; nothing was read into the database."""


def _refuse(vi: str, en: str, code: str, status: int = 413) -> SpreadsheetRefused:
    return SpreadsheetRefused(vi, en, status=status, code=code)


def broken() -> SpreadsheetRefused:
    """The error for an archive that is not a workbook."""
    return _refuse("Tệp không phải là bảng tính Excel .xlsx hợp lệ (có thể bị hỏng hoặc đổi đuôi).",
                   "The file is not a valid .xlsx workbook (damaged or renamed?).", "xlsx_broken", 400)


def _bomb(detail_vi: str, detail_en: str) -> SpreadsheetRefused:
    return _refuse(f"Tệp Excel bị từ chối: {detail_vi} Hãy lưu lại bảng tính chỉ với dữ liệu cần nhập.",
                   f"The Excel file was refused: {detail_en} Save the sheet again with only the data to import.",
                   "xlsx_too_large")


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip whose directory announces too many entries, too much data or a suspicious ratio."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise _bomb(f"có {len(infos)} phần trong tệp nén (tối đa {limits.max_entries}).",
                    f"the archive has {len(infos)} entries (at most {limits.max_entries}).")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_unpacked or total > limits.max_unpacked:
            raise _bomb(f"nội dung giải nén quá lớn (tối đa {limits.max_unpacked // 1048576} MB).",
                        f"it expands to too much data (at most {limits.max_unpacked // 1048576} MB).")
        if info.file_size >= _RATIO_FLOOR and ratio > limits.max_ratio:
            raise _bomb(f"phần “{info.filename}” nén bất thường ({ratio:.0f} lần; nghi là zip bomb).",
                        f"part “{info.filename}” is compressed {ratio:.0f} times (a zip bomb?).")
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > limits.max_shared_bytes:
            raise _bomb("bảng chuỗi dùng chung quá lớn.", "the shared-string table is too large.")


def _parse(source: IO[bytes], tag: Any) -> Iterator[tuple[str, etree._Element]]:
    return etree.iterparse(source, events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False, remove_comments=True)


def _read_xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(archive.read(name), parser)
    except KeyError:
        raise broken() from None


class Workbook:
    """An open, checked workbook: its sheets as (name, part), each read lazily row by row."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive, self.limits = archive, limits
        self.sheets = self._sheets()
        self.shared = self._shared_strings()
        self.date_styles = self._date_styles()

    def _sheets(self) -> list[tuple[str, str]]:
        book = _read_xml(self.archive, "xl/workbook.xml")
        rels = _read_xml(self.archive, "xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL_NS}Relationship")}
        sheets = []
        for sheet in book.iter(f"{NS}sheet"):
            target = targets.get(sheet.get(f"{REL_NS}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            sheets.append((sheet.get("name", ""), path))
        return sheets

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        strings: list[str] = []
        with self.archive.open("xl/sharedStrings.xml") as source:
            for _event, si in _parse(source, f"{NS}si"):
                strings.append("".join(t.text or "" for t in si.iter(_T) if t.getparent().tag != f"{NS}rPh"))
                si.clear()
                if len(strings) > self.limits.max_shared_strings:
                    raise _bomb("bảng chuỗi dùng chung có quá nhiều chuỗi.", "the shared-string table has too many strings.")
        return strings

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.archive.namelist():
            return set()
        styles = _read_xml(self.archive, "xl/styles.xml")
        formats = dict(BUILTIN_FORMATS)
        for fmt in styles.iter(f"{NS}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        cell_xfs = styles.find(f"{NS}cellXfs")
        if cell_xfs is None:
            return set()
        return {i for i, xf in enumerate(cell_xfs.iter(f"{NS}xf"))
                if is_date_format(formats.get(int(xf.get("numFmtId", "0")), ""))}

    def rows(self, path: str) -> Iterator[Row]:
        """Each row of the sheet at ``path``; the declared dimension and the caps are checked as it streams."""
        counter = _Counter(self.limits)
        self._prescan(path)
        with self._open(path) as source:
            number = 0
            for _event, element in _parse(source, (_DIM, _ROW)):
                if element.tag == _DIM:
                    counter.dimension(element.get("ref", ""))
                    continue
                number = int(element.get("r") or number + 1)
                cells = self._cells(element)
                counter.row(cells)
                yield number, cells
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]

    def _open(self, path: str) -> IO[bytes]:
        try:
            return self.archive.open(path)
        except KeyError:
            raise broken() from None

    def _prescan(self, path: str) -> None:
        """Count rows and values with ``bytes.count`` over the inflated part (C speed) before parsing it."""
        rows = values = 0
        tail = b""
        with self._open(path) as source:
            while chunk := source.read(1 << 20):
                text = tail + chunk
                tail = text[-8:]  # a tag cut by the chunk boundary is counted with the next chunk
                body = text[:-8]
                rows += body.count(b"<row ") + body.count(b"<row>")
                values += body.count(b"<v>") + body.count(b"<is>")
                self._check_counts(rows, values)
        self._check_counts(rows + tail.count(b"<row ") + tail.count(b"<row>"),
                           values + tail.count(b"<v>") + tail.count(b"<is>"))

    def _check_counts(self, rows: int, values: int) -> None:
        if rows > self.limits.max_rows + 1:
            raise _too_many_rows(self.limits.max_rows)
        if values > self.limits.max_cells:
            raise _too_many_cells(self.limits.max_cells)

    def _cells(self, row: etree._Element) -> list[tuple[Any, str | None]]:
        cells: list[tuple[Any, str | None]] = []
        limit = self.limits.max_columns
        for cell in row.iter(f"{NS}c"):
            ref = cell.get("r")
            column = _column_index(ref) if ref else len(cells)
            value = self._value(cell)
            if column >= limit:
                if value[0] is not None and value[0] != "":
                    raise _too_many_columns(limit)
                continue
            while len(cells) < column:
                cells.append((None, None))
            cells.append(value)
        return cells

    def _value(self, cell: etree._Element) -> tuple[Any, str | None]:
        kind = cell.get("t", "n")
        formula = raw = None
        for child in cell:
            tag = child.tag
            if tag == _V:
                raw = child.text
            elif tag == _F:
                formula = "f"
            elif tag == _IS:
                return "".join(t.text or "" for t in child.iter(_T)), formula
        if not raw:
            return None, formula
        if kind == "s":
            index = int(raw)
            if not 0 <= index < len(self.shared):
                raise broken()
            return self.shared[index], formula
        if kind in ("str", "e", "inlineStr"):
            return raw, formula
        if kind == "b":
            return raw == "1", formula
        return self._number(raw, cell.get("s")), formula

    def _number(self, raw: str, style: str | None) -> Any:
        try:
            number = float(raw)
        except ValueError:
            return raw
        if style is not None and style.isdigit() and int(style) in self.date_styles:
            try:
                return from_excel(number)
            except (ValueError, OverflowError):
                return number
        return int(number) if number.is_integer() and abs(number) < 2**53 else number


class _Counter:
    """Counts rows and cells of one sheet and refuses past the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.rows, self.cells = limits, 0, 0

    def dimension(self, ref: str) -> None:
        match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?", ref.upper())
        if not match or not match.group(3):
            return
        rows = int(match.group(4)) - int(match.group(2)) + 1
        columns = _column_index(match.group(3)) - _column_index(match.group(1)) + 1
        if rows > self.limits.max_rows + 1:
            raise _too_many_rows(self.limits.max_rows)
        if columns > self.limits.max_columns:
            raise _too_many_columns(self.limits.max_columns)

    def row(self, cells: list[tuple[Any, str | None]]) -> None:
        self.rows += 1
        self.cells += sum(1 for value, _f in cells if value is not None)
        if self.rows > self.limits.max_rows + 1:
            raise _too_many_rows(self.limits.max_rows)
        if self.cells > self.limits.max_cells:
            raise _too_many_cells(self.limits.max_cells)


def _too_many_rows(limit: int) -> SpreadsheetRefused:
    return _refuse(f"Tệp có quá nhiều dòng (tối đa {limit:,} dòng dữ liệu); hãy chia thành nhiều tệp.".replace(",", "."),
                   f"The file has too many rows (at most {limit:,} data rows); split it into several files.",
                   "sheet_too_many_rows")


def _too_many_cells(limit: int) -> SpreadsheetRefused:
    return _refuse(f"Tệp có quá nhiều ô dữ liệu (tối đa {limit:,} ô); hãy chia thành nhiều tệp.".replace(",", "."),
                   f"The file has too many cells (at most {limit:,}); split it into several files.",
                   "sheet_too_many_cells")


def _too_many_columns(limit: int) -> SpreadsheetRefused:
    return _refuse(f"Tệp có quá nhiều cột (tối đa {limit} cột).", f"The file has too many columns (at most {limit}).",
                   "sheet_too_many_columns")


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ("C5" -> 2)."""
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


def open_workbook(archive: zipfile.ZipFile, limits: Limits | None = None) -> Workbook:
    """Check ``archive`` against ``limits`` and open its workbook; SpreadsheetRefused when it is unsafe or broken."""
    limits = limits or current_limits()
    check_archive(archive, limits)
    try:
        return Workbook(archive, limits)
    except (KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile) as exc:
        if isinstance(exc, SpreadsheetRefused):
            raise
        raise broken() from None


def open_zip(source: str | IO[bytes] | Any) -> zipfile.ZipFile:
    """A ZipFile on a path or a binary file; SpreadsheetRefused when it is not a zip."""
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise broken() from None


def first_sheet_rows(data: bytes, limits: Limits | None = None) -> Iterator[Row]:
    """The rows of the first sheet of the .xlsx in ``data`` (checked and streamed as :meth:`Workbook.rows`)."""
    with open_zip(io.BytesIO(data)) as archive:
        book = open_workbook(archive, limits)
        if not book.sheets:
            raise broken()
        try:
            yield from book.rows(book.sheets[0][1])
        except (ValueError, etree.XMLSyntaxError, zipfile.BadZipFile, EOFError) as exc:
            if isinstance(exc, SpreadsheetRefused):
                raise
            raise broken() from None


def csv_rows(text: str, limits: Limits | None = None) -> Iterator[list[str]]:
    """The rows of CSV ``text`` (delimiter guessed from the first line: ``,``, ``;`` or tab), within the caps."""
    limits = limits or current_limits()
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    cells = 0
    for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if number > limits.max_rows + 1:
            raise _too_many_rows(limits.max_rows)
        if len(values) > limits.max_columns and any(v.strip() for v in values[limits.max_columns:]):
            raise _too_many_columns(limits.max_columns)
        values = values[:limits.max_columns]
        cells += len(values)
        if cells > limits.max_cells:
            raise _too_many_cells(limits.max_cells)
        yield values
