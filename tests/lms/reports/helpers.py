"""Helpers for report tests: read an xlsx download, extract PDF text."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pypdf


def xlsx_rows(data: bytes) -> tuple[openpyxl.worksheet.worksheet.Worksheet, list[list]]:
    """The first sheet of an xlsx and its rows as lists of values."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Text of a PDF (pypdf: the embedded fonts' Unicode maps, so Vietnamese comes back as typed)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)
