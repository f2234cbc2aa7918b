"""Preview-then-confirm for spreadsheet importers, shared by every importer.

1. The upload is checked (nothing written) and kept under a random token for the user who sent it
   (:func:`stash`, files under ``<instance>/import_previews``, dropped after :data:`TTL_SECONDS`).
2. The page shows the per-row problems and offers :func:`error_workbook`: a copy of the uploaded sheet
   (values as read by the safe reader, never formulas) with a "Lỗi" column naming each row's problems.
3. On confirmation the importer reads the kept file again (:func:`load`), checks it again against the
   database as it is now, and writes only the valid rows; the kept file is removed (:func:`discard`).

Hostile workbooks never get here: the importers read through :mod:`lms.core.spreadsheets`, which
refuses them before any row is checked.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import xlsxwriter
from flask import current_app

from lms.core.errors import UserError
from lms.core.exports import safe_row

#: a kept upload older than this is refused and removed
TTL_SECONDS = 2 * 3600
#: header of the added column
ERROR_HEADER = "Lỗi"
_TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Issue(Protocol):
    """A problem in one row of the sheet (a ``column`` attribute, when present, is named too)."""

    row: int
    message_vi: str


@dataclass(frozen=True)
class Preview:
    """The outcome of checking an upload, for the preview page."""

    token: str
    file_name: str
    rows_total: int
    rows_valid: int
    issues: Sequence[Any]

    @property
    def rows_invalid(self) -> int:
        return self.rows_total - self.rows_valid


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "import_previews"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _expired() -> UserError:
    return UserError("Bản xem trước đã hết hạn hoặc không còn; hãy tải tệp lên lại.",
                     "The preview has expired or is gone; upload the file again.", 410, "import_preview_gone")


def _paths(token: str) -> tuple[Path, Path]:
    if not (16 <= len(token) <= 64) or set(token) - _TOKEN_CHARS:
        raise _expired()
    folder = _folder()
    return folder / f"{token}.bin", folder / f"{token}.json"


def stash(kind: str, data: bytes, filename: str, user_id: int | None) -> str:
    """Keep an upload for ``user_id``'s confirmation; return its token. Old uploads are swept."""
    _sweep()
    token = secrets.token_urlsafe(24)
    blob, meta = _paths(token)
    blob.write_bytes(data)
    meta.write_text(json.dumps({"kind": kind, "file_name": filename, "user_id": user_id, "at": time.time()}))
    return token


def load(kind: str, token: str, user_id: int | None) -> tuple[bytes, str]:
    """The kept upload (bytes, file name); 410 when unknown, expired, another user's or another importer's."""
    blob, meta = _paths(token)
    try:
        info = json.loads(meta.read_text())
        data = blob.read_bytes()
    except (OSError, ValueError) as exc:
        raise _expired() from exc
    if info.get("kind") != kind or info.get("user_id") != user_id or time.time() - info["at"] > TTL_SECONDS:
        raise _expired()
    return data, info["file_name"]


def discard(token: str) -> None:
    """Remove a kept upload (after it was imported)."""
    for path in _paths(token):
        path.unlink(missing_ok=True)


def _sweep() -> None:
    limit = time.time() - TTL_SECONDS
    for path in _folder().glob("*.json"):
        try:
            stale = path.stat().st_mtime < limit
        except OSError:
            continue
        if stale:
            path.unlink(missing_ok=True)
            path.with_suffix(".bin").unlink(missing_ok=True)


def messages_by_row(issues: Iterable[Issue]) -> dict[int, str]:
    """Row number → its problems in one line ("Cột: lỗi; Cột: lỗi")."""
    out: dict[int, list[str]] = defaultdict(list)
    for issue in issues:
        column = getattr(issue, "column", "")
        out[issue.row].append(f"{column}: {issue.message_vi}" if column else issue.message_vi)
    return {row: "; ".join(texts) for row, texts in out.items()}


def error_workbook(headers: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]], issues: Iterable[Issue],
                   sheet_name: str = "Dữ liệu") -> bytes:
    """A copy of the sheet with a "Lỗi" column: each row's problems, highlighted.

    ``rows`` are (sheet row number, values) as the importer read them; values are written as values
    (text that looks like a formula is neutralised by :func:`lms.core.exports.safe_row`).
    """
    return error_workbook_sheets([(sheet_name, headers, rows, issues)])


def error_workbook_sheets(sheets: Iterable[tuple[str, Sequence[str], Iterable[tuple[int, Sequence[Any]]],
                                                 Iterable[Issue]]]) -> bytes:
    """:func:`error_workbook` for a file of several sheets: (name, headers, rows, that sheet's issues) each."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    formats = (book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
               book.add_format({"bg_color": "#F8D7DA"}), book.add_format({"num_format": "dd/mm/yyyy"}))
    for sheet_name, headers, rows, issues in sheets:
        _error_sheet(book.add_worksheet(sheet_name[:31]), formats, headers, rows, issues)
    book.close()
    return out.getvalue()


def _error_sheet(sheet: Any, formats: tuple[Any, Any, Any], headers: Sequence[str],
                 rows: Iterable[tuple[int, Sequence[Any]]], issues: Iterable[Issue]) -> None:
    bold, flagged, date_format = formats
    by_row = messages_by_row(issues)
    sheet.write_row(0, 0, [*safe_row(headers), ERROR_HEADER], bold)
    written = 0
    for written, (number, values) in enumerate(rows, start=1):
        for col, value in enumerate(safe_row(values)):
            _write(sheet, written, col, value, date_format)
        message = by_row.get(number)
        if message:
            sheet.write_string(written, len(headers), message, flagged)
    sheet.set_column(0, max(len(headers) - 1, 0), 18)
    sheet.set_column(len(headers), len(headers), 60)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(written, 1), len(headers))


def _write(sheet: Any, row: int, col: int, value: Any, date_format: Any) -> None:
    from datetime import date, datetime

    if value is None or value == "":
        return
    if isinstance(value, datetime | date):
        day = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        sheet.write_datetime(row, col, day, date_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))
