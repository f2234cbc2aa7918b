"""Historical import of training records from an xlsx/CSV file, with a dry run and per-row errors.

Columns (headers matched without case or diacritics): "Mã cán bộ", "Mã học phần" or "Chủ đề",
"Số giờ", "Ngày hoàn thành", "Điểm", "Nguồn". A direct import writes nothing when any row has an error;
a confirmed preview (:mod:`lms.core.imports`) writes the valid rows and leaves the others out;
duplicate rows (twice in the file, or already in the ledger) are skipped and reported, so importing
the same file again adds nothing. Inserts are set-based (:func:`append_records_bulk`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from lms.accounts.scope import in_subtree
from lms.catalog.models import TOPIC_LABELS, Module
from lms.core import imports
from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import fold
from lms.core.imports import Preview
from lms.org.models import Cadre, OrgUnit
from lms.records.models import ImportBatch, Source, TrainingRecord
from lms.records.services import CHUNK, append_records_bulk, effective_records
from lms.records.sheets import (
    CellError,
    Sheet,
    cell_text,
    column_index,
    injection_error,
    parse_date,
    read_sheet,
)

#: the importer's name for kept previews
KIND = "records"
#: field -> (Vietnamese header, accepted aliases)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cadre": ("Mã cán bộ", ("cadre code", "ma cb")),
    "module": ("Mã học phần", ("module code", "ma mo dun", "ma module")),
    "topic": ("Chủ đề", ("topic",)),
    "hours": ("Số giờ", ("hours", "so tiet")),
    "completed_on": ("Ngày hoàn thành", ("completed on", "completion date", "ngay")),
    "score": ("Điểm", ("score",)),
    "origin": ("Nguồn", ("source", "origin")),
}


@dataclass
class ImportReport:
    """The outcome of checking (and maybe applying) an import file."""

    file_name: str
    sha256: str
    rows_total: int = 0
    errors: list[CellError] = field(default_factory=list)
    #: (row, Vietnamese reason, English reason) of rows skipped as duplicates
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    #: the rows that would be (or were) added, as TrainingRecord column dicts
    to_add: list[dict[str, Any]] = field(default_factory=list)
    applied: bool = False
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when no row has an error."""
        return not self.errors


def _topics() -> dict[str, str]:
    table: dict[str, str] = {}
    for topic, (vi, en) in TOPIC_LABELS.items():
        table[fold(topic.value)] = table[fold(vi)] = table[fold(en)] = topic.value
    return table


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(cell_text(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


class _Checker:
    """Checks the rows of one sheet against the database (cadres, modules, the ledger)."""

    def __init__(self, sheet: Sheet, report: ImportReport, scope_unit: OrgUnit | None, today: date) -> None:
        self.sheet, self.report, self.scope_unit, self.today = sheet, report, scope_unit, today
        self.index = {name: column_index(sheet.headers, (header, *aliases))
                      for name, (header, aliases) in COLUMNS.items()}
        self.topics = _topics()
        self.modules = {fold(m.code): m for m in db.session.scalars(select(Module))}
        self.cadres: dict[str, int] = {}

    def header_errors(self) -> list[str]:
        missing = [COLUMNS[f][0] for f in ("cadre", "completed_on") if self.index[f] is None]
        if self.index["module"] is None and self.index["topic"] is None:
            missing.append("Mã học phần / Chủ đề")
        return missing

    def cell(self, values: list[Any], name: str) -> Any:
        i = self.index[name]
        return None if i is None else values[i]

    def load_cadres(self) -> None:
        codes = sorted({cell_text(self.cell(v, "cadre")) for _, v in self.sheet.rows} - {""})
        for start in range(0, len(codes), CHUNK):
            query = select(Cadre.code, Cadre.id).where(Cadre.code.in_(codes[start:start + CHUNK]))
            if self.scope_unit is not None:
                query = query.join(Cadre.org_unit).where(in_subtree(self.scope_unit))
            self.cadres.update(dict(db.session.execute(query).all()))

    def error(self, row: int, name: str, vi: str, en: str) -> None:
        self.report.errors.append(CellError(row, COLUMNS[name][0], vi, en))

    def check_row(self, row: int, values: list[Any]) -> dict[str, Any] | None:
        """A TrainingRecord column dict for the row, or None after recording its errors."""
        before = len(self.report.errors)
        for name, i in self.index.items():
            if i is not None and (problem := injection_error(values[i], row, COLUMNS[name][0])):
                self.report.errors.append(problem)
        if len(self.report.errors) > before:
            return None
        cadre_id = self._cadre(row, values)
        module, topic = self._module_topic(row, values)
        completed_on = self._date(row, values)
        hours = self._hours(row, values, module)
        score = self._score(row, values)
        origin = cell_text(self.cell(values, "origin"))
        if len(origin) > 255:
            self.error(row, "origin", "Nguồn quá dài (tối đa 255 ký tự).", "Source too long (255 characters at most).")
        if len(self.report.errors) > before:
            return None
        return {"cadre_id": cadre_id, "module_id": module.id if module else None, "topic": topic, "hours": hours,
                "score": score, "completed_on": completed_on, "origin": origin, "row": row}

    def _cadre(self, row: int, values: list[Any]) -> int | None:
        code = cell_text(self.cell(values, "cadre"))
        if not code:
            self.error(row, "cadre", "Thiếu mã cán bộ.", "The cadre code is missing.")
            return None
        if code not in self.cadres:
            self.error(row, "cadre", f"Không tìm thấy cán bộ có mã “{code}”.", f"No cadre with code “{code}”.")
            return None
        return self.cadres[code]

    def _module_topic(self, row: int, values: list[Any]) -> tuple[Module | None, str | None]:
        code = cell_text(self.cell(values, "module"))
        topic_text = cell_text(self.cell(values, "topic"))
        module = None
        if code:
            module = self.modules.get(fold(code))
            if module is None:
                self.error(row, "module", f"Không tìm thấy học phần có mã “{code}”.", f"No module with code “{code}”.")
                return None, None
        topic = self.topics.get(fold(topic_text)) if topic_text else None
        if topic_text and topic is None:
            self.error(row, "topic", f"Chủ đề “{topic_text}” không hợp lệ.", f"Unknown topic “{topic_text}”.")
            return None, None
        if module is not None:
            if topic is not None and topic != module.topic:
                self.error(row, "topic", "Chủ đề không khớp với chủ đề của học phần.",
                           "The topic does not match the module's topic.")
            return module, module.topic
        if topic is None:
            self.error(row, "module", "Cần mã học phần hoặc chủ đề.", "A module code or a topic is required.")
        return None, topic

    def _date(self, row: int, values: list[Any]) -> date | None:
        raw = self.cell(values, "completed_on")
        if cell_text(raw) == "":
            self.error(row, "completed_on", "Thiếu ngày hoàn thành.", "The completion date is missing.")
            return None
        value = parse_date(raw)
        if value is None:
            self.error(row, "completed_on", f"Ngày “{cell_text(raw)}” không hợp lệ (dùng dd/mm/yyyy).",
                       f"Invalid date “{cell_text(raw)}” (use dd/mm/yyyy).")
        elif value > self.today:
            self.error(row, "completed_on", "Ngày hoàn thành ở tương lai.", "The completion date is in the future.")
        elif value.year < 1950:
            self.error(row, "completed_on", "Ngày hoàn thành trước năm 1950.", "The completion date is before 1950.")
        else:
            return value
        return None

    def _hours(self, row: int, values: list[Any], module: Module | None) -> Decimal | None:
        raw = self.cell(values, "hours")
        if cell_text(raw) == "":
            if module is not None:
                return Decimal(module.hours)
            self.error(row, "hours", "Thiếu số giờ (bắt buộc khi không có mã học phần).",
                       "Hours are missing (required without a module code).")
            return None
        hours = _number(raw)
        if hours is None:
            self.error(row, "hours", f"Số giờ “{cell_text(raw)}” không phải là số.", f"Hours “{cell_text(raw)}” is not a number.")
        elif hours < 0:
            self.error(row, "hours", "Số giờ không được âm.", "Hours cannot be negative.")
        elif hours > Decimal("9999.99"):
            self.error(row, "hours", "Số giờ quá lớn (tối đa 9999,99).", "Too many hours (9999.99 at most).")
        else:
            return hours.quantize(Decimal("0.01"))
        return None

    def _score(self, row: int, values: list[Any]) -> Decimal | None:
        raw = self.cell(values, "score")
        if cell_text(raw) == "":
            return None
        score = _number(raw)
        if score is None:
            self.error(row, "score", f"Điểm “{cell_text(raw)}” không phải là số.", f"Score “{cell_text(raw)}” is not a number.")
        elif not 0 <= score <= 100:
            self.error(row, "score", "Điểm phải nằm trong khoảng 0–100.", "The score must be between 0 and 100.")
        else:
            return score.quantize(Decimal("0.01"))
        return None


def dedupe_key(row: dict[str, Any]) -> str:
    """The ledger key of an imported row: one record per cadre, module (or topic) and day."""
    target = f"m{row['module_id']}" if row["module_id"] else f"t-{row['topic']}"
    return f"import:{row['cadre_id']}:{target}:{row['completed_on'].isoformat()}"


def _identity(row: dict[str, Any]) -> tuple:
    return (row["cadre_id"], row["module_id"], None if row["module_id"] else row["topic"], row["completed_on"])


def _in_ledger(rows: list[dict[str, Any]]) -> tuple[set[str], set[tuple]]:
    """Dedupe keys already used, and (cadre, module, topic, date) identities that already count."""
    keys = [dedupe_key(r) for r in rows]
    used: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        used.update(db.session.scalars(
            select(TrainingRecord.dedupe_key).where(TrainingRecord.dedupe_key.in_(keys[start:start + CHUNK]))
        ))
    cadre_ids = sorted({r["cadre_id"] for r in rows})
    identities: set[tuple] = set()
    for start in range(0, len(cadre_ids), CHUNK):
        eff = effective_records(cadre_ids[start:start + CHUNK]).subquery()
        for cadre_id, module_id, topic, completed_on in db.session.execute(
            select(eff.c.cadre_id, eff.c.module_id, eff.c.topic, eff.c.completed_on)
        ):
            identities.add((cadre_id, module_id, None if module_id else topic, completed_on))
    return used, identities


def check_file(data: bytes, filename: str, *, max_bytes: int, scope_unit: OrgUnit | None = None,
               today: date | None = None) -> ImportReport:
    """Check an import file without writing: errors per cell, duplicates to skip, rows to add."""
    report = ImportReport(file_name=filename, sha256=hashlib.sha256(data).hexdigest())
    sheet = read_sheet(data, filename, max_bytes)
    checker = _Checker(sheet, report, scope_unit, today or today_vn())
    missing = checker.header_errors()
    if missing:
        raise UserError("Thiếu cột bắt buộc: " + ", ".join(missing) + ".",
                        "Required columns are missing: " + ", ".join(missing) + ".", status=400, code="import_columns")
    checker.load_cadres()
    report.rows_total = len(sheet.rows)
    candidates = [r for n, values in sheet.rows if (r := checker.check_row(n, values)) is not None]
    seen: dict[tuple, int] = {}
    used, identities = _in_ledger(candidates) if candidates else (set(), set())
    for row in candidates:
        identity = _identity(row)
        if identity in seen:
            report.skipped.append((row["row"], f"Trùng với dòng {seen[identity]} trong tệp.",
                                   f"Duplicate of row {seen[identity]} in the file."))
            continue
        seen[identity] = row["row"]
        if dedupe_key(row) in used or identity in identities:
            report.skipped.append((row["row"], "Đã có trong hồ sơ đào tạo.", "Already in the training records."))
            continue
        report.to_add.append(row)
    return report


def apply_import(report: ImportReport, *, actor: Any = None, valid_only: bool = False) -> ImportBatch:
    """Write a checked report's rows (set-based) and an :class:`ImportBatch`.

    Refused when a row has an error, unless ``valid_only`` (the confirmed preview): then the rows without
    errors are written and the others left out.
    """
    if not report.ok and not valid_only:
        raise UserError(f"Tệp có {len(report.errors)} lỗi; chưa ghi dữ liệu nào.",
                        f"The file has {len(report.errors)} errors; nothing was written.", status=422,
                        code="import_errors", details=[e.as_dict() for e in report.errors[:200]])
    actor_id = getattr(actor, "id", None)
    batch = ImportBatch(file_name=report.file_name[:255], sha256=report.sha256, rows_total=report.rows_total,
                        rows_added=len(report.to_add), rows_skipped=len(report.skipped), created_by_id=actor_id)
    db.session.add(batch)
    db.session.flush()
    rows = [{
        "cadre_id": r["cadre_id"], "module_id": r["module_id"], "topic": r["topic"], "hours": r["hours"],
        "score": r["score"], "completed_on": r["completed_on"], "source": Source.imported.value,
        "dedupe_key": dedupe_key(r), "created_by_id": actor_id,
        "evidence": {"file": report.file_name, "row": r["row"], "batch_id": batch.id,
                     **({"origin": r["origin"]} if r["origin"] else {})},
    } for r in report.to_add]
    append_records_bulk(rows)
    _after_commit_jobs(batch.id, [r["cadre_id"] for r in report.to_add], actor_id)
    report.applied, report.batch_id = True, batch.id
    return batch


def _after_commit_jobs(batch_id: int, cadre_ids: list[int], user_id: int | None) -> None:
    """Certificates of the imported cadres: a job that starts once this import commits (lms/reports/jobs.py)."""
    if importlib.util.find_spec("lms.reports") is not None:
        importlib.import_module("lms.reports.jobs").after_import(batch_id, cadre_ids, user_id)


def import_records(data: bytes, filename: str, *, dry_run: bool, max_bytes: int, actor: Any = None,
                   scope_unit: OrgUnit | None = None, today: date | None = None) -> ImportReport:
    """Check the file, then (unless ``dry_run``) apply it. Raises UserError on file or row errors."""
    report = check_file(data, filename, max_bytes=max_bytes, scope_unit=scope_unit, today=today)
    if not dry_run:
        apply_import(report, actor=actor)
    return report


def template_xlsx() -> bytes:
    """An import workbook: the headers and one example row (dates as real dates)."""
    import io
    from datetime import datetime

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Hồ sơ đào tạo")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for col, (header, _aliases) in enumerate(COLUMNS.values()):
        sheet.write_string(0, col, header, bold)
    sheet.write_row(1, 0, ["CB000001", "", "Pháp luật công đoàn", 8])
    sheet.write_datetime(1, 4, datetime(2023, 4, 12), day)
    sheet.write_row(1, 5, [85, "Sổ theo dõi đào tạo 2023"])
    sheet.set_column(0, 6, 20)
    book.close()
    return out.getvalue()


def preview(data: bytes, filename: str, *, max_bytes: int, user_id: int | None,
            scope_unit: OrgUnit | None = None) -> tuple[ImportReport, Preview]:
    """Check the file and keep it for confirmation (nothing written)."""
    report = check_file(data, filename, max_bytes=max_bytes, scope_unit=scope_unit)
    bad_rows = {e.row for e in report.errors}
    token = imports.stash(KIND, data, filename, user_id)
    return report, Preview(token, filename, report.rows_total, report.rows_total - len(bad_rows), report.errors)


def confirm(token: str, *, max_bytes: int, actor: Any, scope_unit: OrgUnit | None = None) -> ImportReport:
    """Import the valid rows of a previewed file (checked again against today's data)."""
    data, filename = imports.load(KIND, token, getattr(actor, "id", None))
    report = check_file(data, filename, max_bytes=max_bytes, scope_unit=scope_unit)
    apply_import(report, actor=actor, valid_only=True)
    imports.discard(token)
    return report


def error_workbook(token: str, *, max_bytes: int, user_id: int | None, scope_unit: OrgUnit | None = None) -> bytes:
    """The previewed file with a "Lỗi" column."""
    data, filename = imports.load(KIND, token, user_id)
    report = check_file(data, filename, max_bytes=max_bytes, scope_unit=scope_unit)
    sheet = read_sheet(data, filename, max_bytes)
    return imports.error_workbook(sheet.headers, sheet.rows, report.errors, "Hồ sơ đào tạo")
