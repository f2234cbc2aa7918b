"""Writing cells that a spreadsheet opens safely: formula injection escaped, CSV with a BOM for Excel.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
Excel and LibreOffice when the file is opened (OWASP "CSV injection"); :func:`safe_cell` prefixes such
text with ``'`` so it shows as typed. Numbers, dates and booleans pass unchanged. Every CSV and xlsx
export writes its cells through it (xlsx writers also keep ``strings_to_formulas`` off).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

#: first characters that make a spreadsheet treat text as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with text that a spreadsheet would run as a formula prefixed by ``'`` (plain numbers kept)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


def text_cells(sheet: Any, row: int) -> None:
    """Mark every text cell of openpyxl row ``row`` as a string: openpyxl would store ``=…`` as a formula."""
    for cell in sheet[row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def safe_row(values: Iterable[Any]) -> list[Any]:
    """:func:`safe_cell` of each value."""
    return [safe_cell(v) for v in values]


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV with a BOM (Excel reads Vietnamese correctly), every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(headers))
    for row in rows:
        writer.writerow(safe_row("" if v is None else v for v in row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- exports too big for a request: written by a background job (lms/core/jobs.py) --------------------


def runs_as_job(rows: int) -> bool:
    """Whether an export of about ``rows`` rows goes to a job (``LMS_EXPORT_JOB_ROWS``) instead of the response."""
    from flask import current_app

    return rows > int(current_app.config.get("LMS_EXPORT_JOB_ROWS", 5000))


def job_response(job: Any):
    """Send the user to the job's progress page (202 with the status URL for JSON clients)."""
    from flask import redirect, url_for

    from lms.core.errors import wants_json

    if wants_json():
        return {"job": job.id, "status_url": url_for("jobs.status", job_id=job.id)}, 202
    return redirect(url_for("jobs.show", job_id=job.id), 303)
