"""The web import of units and cadres: preview first, then import the valid rows (lms/core/imports.py).

The upload is checked (nothing written) and kept for the uploader under a token; the preview lists
every left-out row with its reasons, including the rows that depend on a bad one; the error workbook
is the file again with a "Lỗi" column on each sheet; confirmation checks the kept file again against
the data as it is now and writes only the valid rows, then links or creates the cadres' accounts.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lms.accounts.provision import ensure_accounts_for_codes
from lms.core import imports
from lms.core.clock import today_vn
from lms.org.importer.apply import apply_plan
from lms.org.importer.reader import ParsedFile, RowError, read_import_file
from lms.org.importer.state import ImportReport, Plan
from lms.org.importer.upsert import plan_valid_rows
from lms.org.models import OrgUnit
from lms.org.services import notify_bulk_change


@dataclass(frozen=True)
class Checked:
    """A checked upload: what importing its valid rows does, and the rows left out."""

    plan: Plan
    errors: list[RowError]
    #: the valid rows (the file's raw sheets too, when kept)
    parsed: ParsedFile

    @property
    def report(self) -> ImportReport:
        return self.plan.report

    @property
    def rows_valid(self) -> int:
        return len(self.parsed.units) + len(self.parsed.cadres)

    @property
    def rows_total(self) -> int:
        return self.rows_valid + len({(e.sheet, e.row) for e in self.errors})


def kind(deactivate_missing: bool) -> str:
    """The kept upload's kind: the option chosen at upload time is part of it (not taken from the form again)."""
    return "org:deactivate" if deactivate_missing else "org"


def check(data: bytes, filename: str, *, deactivate_missing: bool, scope: OrgUnit | None, max_bytes: int,
          keep_rows: bool = False, today: date | None = None) -> Checked:
    """Read and check an upload (ImportRejected when the file itself is refused); nothing is written."""
    suffix = Path(filename).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        parsed = read_import_file(handle.name, filename, max_bytes, today or today_vn(), keep_rows=keep_rows)
    plan, errors, rows = plan_valid_rows(parsed, deactivate_missing=deactivate_missing, scope=scope)
    return Checked(plan, errors, rows)


def preview(data: bytes, filename: str, *, user_id: int | None, deactivate_missing: bool, scope: OrgUnit | None,
            max_bytes: int) -> tuple[Checked, imports.Preview]:
    """Check the upload and keep it for ``user_id``'s confirmation."""
    checked = check(data, filename, deactivate_missing=deactivate_missing, scope=scope, max_bytes=max_bytes)
    token = imports.stash(kind(deactivate_missing), data, filename, user_id)
    return checked, imports.Preview(token, filename, checked.rows_total, checked.rows_valid, checked.errors)


def confirm(token: str, *, user_id: int | None, deactivate_missing: bool, scope: OrgUnit | None,
            max_bytes: int) -> Checked:
    """Import the valid rows of a kept upload (flushes; the request commits); the token is then spent."""
    data, filename = imports.load(kind(deactivate_missing), token, user_id)
    checked = check(data, filename, deactivate_missing=deactivate_missing, scope=scope, max_bytes=max_bytes)
    report = apply_plan(checked.plan)
    report.accounts = ensure_accounts_for_codes(r.code for r in checked.parsed.cadres).counts()
    if any(n for key, n in report.counts().items() if not key.endswith("unchanged")):
        notify_bulk_change()
    imports.discard(token)
    return checked


def error_workbook(token: str, *, user_id: int | None, deactivate_missing: bool, scope: OrgUnit | None,
                   max_bytes: int) -> bytes:
    """The kept upload with a "Lỗi" column on each of its sheets."""
    data, filename = imports.load(kind(deactivate_missing), token, user_id)
    checked = check(data, filename, deactivate_missing=deactivate_missing, scope=scope, max_bytes=max_bytes,
                    keep_rows=True)
    raw = checked.parsed.raw or {}
    return imports.error_workbook_sheets(
        (title, [_header(h) for h in headers], rows, [e for e in checked.errors if e.sheet == title]) for title, (headers, rows) in raw.items())


def _header(value: object) -> str:
    return "" if value is None else str(value)
