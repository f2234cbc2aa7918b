"""Helpers for report tests: read an xlsx download, extract PDF text."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl


def xlsx_rows(data: bytes) -> tuple[openpyxl.worksheet.worksheet.Worksheet, list[list]]:
    """The first sheet of an xlsx and its rows as lists of values."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Text of a PDF by pdftotext (UTF-8)."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    out = subprocess.run(["/usr/bin/pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")
