"""Import of org units and cadres from .xlsx / .csv: read → check → plan → (dry run or) apply.

Here (the CLI, the demo seed) one bad row rejects the whole file: :class:`ImportRejected` lists every
bad row (sheet, row, column, reason in Vietnamese and English) and nothing is written. The web page
previews first and imports the valid rows (:mod:`lms.org.importer.preview`). Upsert is by code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lms.accounts.provision import ensure_accounts_for_codes
from lms.core.clock import today_vn
from lms.org.importer.apply import apply_plan
from lms.org.importer.reader import CadreRow, ImportRejected, ParsedFile, RowError, UnitRow, read_import_file
from lms.org.importer.state import ImportReport, Plan
from lms.org.importer.upsert import plan_import
from lms.org.models import OrgUnit
from lms.org.services import notify_bulk_change

__all__ = ["CadreRow", "ImportRejected", "ImportReport", "ParsedFile", "Plan", "RowError", "UnitRow",
           "apply_plan", "import_file", "import_rows", "plan_import", "read_import_file"]


def import_file(path: str | Path, filename: str | None = None, *, dry_run: bool = False,
                deactivate_missing: bool = False, scope: OrgUnit | None = None,
                max_bytes: int = 20 * 1024 * 1024, today: date | None = None) -> ImportReport:
    """Import ``path`` (named ``filename`` by the uploader); flushes, the caller commits or rolls back."""
    parsed = read_import_file(path, filename or Path(path).name, max_bytes, today or today_vn())
    report = _run(parsed, dry_run=dry_run, deactivate_missing=deactivate_missing, scope=scope)
    if report.applied:  # accounts for the file's cadres: created or linked, never duplicated
        report.accounts = ensure_accounts_for_codes(r.code for r in parsed.cadres).counts()
    return report


def import_rows(units: list[UnitRow], cadres: list[CadreRow], *, cadre_fields: set[str] | None = None,
                dry_run: bool = False) -> ImportReport:
    """Upsert rows built in code (the demo seed) through the same checks as a file."""
    parsed = ParsedFile(units=units, cadres=cadres, unit_fields={"code", "name", "level", "parent", "active"},
                        cadre_fields=cadre_fields if cadre_fields is not None else set(CadreRow.__slots__),
                        sheet_names={"units": "Đơn vị", "cadres": "Cán bộ"})
    return _run(parsed, dry_run=dry_run, deactivate_missing=False, scope=None)


def _run(parsed: ParsedFile, *, dry_run: bool, deactivate_missing: bool, scope: OrgUnit | None) -> ImportReport:
    plan = plan_import(parsed, deactivate_missing=deactivate_missing, scope=scope)
    if dry_run:
        return plan.report
    report = apply_plan(plan)
    changed = report.counts()
    if any(n for key, n in changed.items() if not key.endswith("unchanged")):
        notify_bulk_change()
    return report
