"""Hostile .xlsx files ("spreadsheet bombs") for the input-limit tests and bench/bench_xlsx_bomb.py.

Each builder returns the bytes of a small workbook that a naive reader would blow up: a declared
dimension of a million rows by 16,384 columns (openpyxl's read-only mode pads every row to it), a
huge shared-string table, a part that expands a thousand times, and a sheet with more cells than
the caps allow.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def workbook(sheet: Iterable[bytes], shared: Iterable[bytes] | None = None) -> bytes:
    """A workbook whose first sheet's XML is the chunks of ``sheet`` (and a shared-string table)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk)
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in shared:
                    part.write(chunk)
    return out.getvalue()


def _sheet(rows: Iterable[bytes], dimension: str | None = None) -> Iterable[bytes]:
    yield f'<worksheet xmlns="{MAIN}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>M\xc3\xa3 c\xc3\xa1n b\xe1\xbb\x99</t></is></c></row>'


def declared_dimension(rows: int = 5_000) -> bytes:
    """A1:XFD1048576 declared; ``rows`` rows with a cell in column A and one in XFD (16,384 cells each to a
    reader that pads rows to the declared width), the last in the far corner."""
    def body() -> Iterable[bytes]:
        yield HEADER
        for r in range(2, rows + 2):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="XFD{r}"><v>1</v></c></row>'.encode()
        yield b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(_sheet(body(), "A1:XFD1048576"))


def shared_strings(count: int = 8_000_000) -> bytes:
    """A shared-string table of ``count`` one-letter strings (~130 MB unpacked) and a sheet using one."""
    def table() -> Iterable[bytes]:
        yield f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
        chunk = b"<si><t>x</t></si>" * 10_000
        for _ in range(count // 10_000):
            yield chunk
        yield b"</sst>"
    return workbook(_sheet([HEADER, b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), table())


def deep_ratio(megabytes: int = 150) -> bytes:
    """A sheet padded with ``megabytes`` MB of blanks: compresses about a thousand times."""
    blank = b" " * (1024 * 1024)
    return workbook(_sheet([HEADER, *([blank] * megabytes)]))


def many_cells(rows: int = 150_000, columns: int = 20) -> bytes:
    """``rows`` × ``columns`` distinct numbers, no declared dimension: only counting while streaming finds it."""
    def body() -> Iterable[bytes]:
        yield HEADER
        for r in range(2, rows + 2):
            yield (f'<row r="{r}">' + "".join(f"<c><v>{r * 31 + c}</v></c>" for c in range(columns))
                   + "</row>").encode()
    return workbook(_sheet(body()))


BOMBS: dict[str, Callable[[], bytes]] = {
    "declared_dimension": declared_dimension,
    "shared_strings": shared_strings,
    "deep_ratio": deep_ratio,
    "many_cells": many_cells,
}
