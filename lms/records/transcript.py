"""A cadre's transcript (hồ sơ đào tạo): every record with its amendments, totals, the xlsx export."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from lms.catalog.models import TOPIC_LABELS, Module, Topic
from lms.core.db import db
from lms.core.errors import localized
from lms.org.models import Cadre
from lms.records.models import SOURCE_LABELS, Kind, Source, TrainingRecord, source_text
from lms.records.services import effective_records


@dataclass
class Entry:
    """One original record with what happened to it since."""

    original: TrainingRecord
    module: Module | None
    corrections: list[TrainingRecord] = field(default_factory=list)
    revocation: TrainingRecord | None = None

    @property
    def current(self) -> TrainingRecord:
        """The row whose values count (latest correction, else the original)."""
        return self.corrections[-1] if self.corrections else self.original

    @property
    def revoked(self) -> bool:
        """True when the record no longer counts."""
        return self.revocation is not None

    @property
    def amendments(self) -> list[TrainingRecord]:
        """Corrections and the revocation, oldest first."""
        rows = list(self.corrections) + ([self.revocation] if self.revocation else [])
        return sorted(rows, key=lambda r: r.id)


def entries(cadre: Cadre) -> list[Entry]:
    """All the cadre's records (two queries), newest completion first; amendments attached."""
    rows = list(db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id).order_by(TrainingRecord.id)
    ))
    module_ids = {r.module_id for r in rows if r.module_id}
    modules = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(module_ids)))} if module_ids else {}
    by_id: dict[int, Entry] = {}
    for row in rows:
        if row.kind == Kind.record.value:
            by_id[row.id] = Entry(row, modules.get(row.module_id))
    for row in rows:
        entry = by_id.get(row.amends_id) if row.amends_id else None
        if entry is None:
            continue
        if row.kind == Kind.correction.value:
            entry.corrections.append(row)
        elif row.kind == Kind.revocation.value and entry.revocation is None:
            entry.revocation = row
    return sorted(by_id.values(), key=lambda e: (e.current.completed_on, e.original.id), reverse=True)


def totals(cadre: Cadre) -> tuple[list[int], dict[int, dict[str, Decimal]], dict[str, Decimal]]:
    """Effective hours per year and topic: (years newest first, {year: {topic: hours}}, all-time by topic)."""
    query = effective_records([cadre.id]).subquery()
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    overall: dict[str, Decimal] = defaultdict(Decimal)
    for topic, hours, completed_on, source in db.session.execute(
        select(query.c.topic, query.c.hours, query.c.completed_on, query.c.source)
    ):
        if source == Source.waiver.value:
            continue
        by_year[completed_on.year][topic] += Decimal(hours)
        overall[topic] += Decimal(hours)
    return sorted(by_year, reverse=True), by_year, overall


def topics() -> list[str]:
    """Topic keys in display order."""
    return [t.value for t in Topic]


def evidence_text(record: TrainingRecord) -> str:
    """A short description of what proves the record."""
    evidence = record.evidence or {}
    if "class_id" in evidence:
        return localized(f"Lớp: {evidence.get('title', evidence['class_id'])}", f"Class: {evidence.get('title', '')}")
    if "file" in evidence:
        return localized(f"Tệp {evidence['file']}, dòng {evidence.get('row', '?')}",
                         f"File {evidence['file']}, row {evidence.get('row', '?')}")
    if "attempt_id" in evidence:
        return localized(f"Lượt học #{evidence['attempt_id']}", f"Attempt #{evidence['attempt_id']}")
    if "quiz_attempt_id" in evidence:
        return localized(f"Bài kiểm tra #{evidence['quiz_attempt_id']}", f"Quiz attempt #{evidence['quiz_attempt_id']}")
    return ""


HEADERS = [("Ngày hoàn thành", "Completed on"), ("Học phần", "Module"), ("Chủ đề", "Topic"), ("Số giờ", "Hours"),
           ("Điểm", "Score"), ("Nguồn", "Source"), ("Trạng thái", "Status"), ("Minh chứng", "Evidence"),
           ("Ghi chú", "Notes")]


def _status(entry: Entry) -> str:
    if entry.revoked:
        return localized("Đã thu hồi", "Revoked")
    if entry.corrections:
        return localized("Đã điều chỉnh", "Corrected")
    return localized("Hiệu lực", "Valid")


def _notes(entry: Entry) -> str:
    parts = []
    for row in entry.amendments:
        what = localized("Thu hồi", "Revoked") if row.kind == Kind.revocation.value else localized("Sửa", "Corrected")
        parts.append(f"{what} {row.created_at:%d/%m/%Y}: {row.reason}")
    return "; ".join(parts)


def export_xlsx(cadre: Cadre) -> bytes:
    """The transcript as an xlsx workbook: records, then hours per year and topic. Text is never a formula."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    struck = book.add_format({"font_strikeout": True, "font_color": "#777777"})
    sheet = book.add_worksheet(localized("Hồ sơ đào tạo", "Transcript"))
    sheet.write_string(0, 0, f"{cadre.full_name} — {cadre.code} — {cadre.org_unit.name}", bold)
    for col, pair in enumerate(HEADERS):
        sheet.write_string(2, col, localized(*pair), bold)
    for i, entry in enumerate(entries(cadre), start=3):
        cur = entry.current
        fmt = struck if entry.revoked else None
        sheet.write_datetime(i, 0, _as_datetime(cur.completed_on), day)
        sheet.write_string(i, 1, entry.module.title_vi if entry.module else "", fmt)
        sheet.write_string(i, 2, localized(*TOPIC_LABELS.get(Topic(cur.topic), (cur.topic, cur.topic))), fmt)
        sheet.write_number(i, 3, float(cur.hours), fmt)
        if cur.score is not None:
            sheet.write_number(i, 4, float(cur.score), fmt)
        sheet.write_string(i, 5, source_text(entry.original, localized(*SOURCE_LABELS[Source(cur.source)])), fmt)
        sheet.write_string(i, 6, _status(entry))
        sheet.write_string(i, 7, evidence_text(entry.original))
        sheet.write_string(i, 8, _notes(entry))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 28)
    sheet.set_column(5, 8, 22)
    _totals_sheet(book, cadre, bold)
    book.close()
    return out.getvalue()


def _totals_sheet(book, cadre: Cadre, bold) -> None:
    sheet = book.add_worksheet(localized("Tổng số giờ", "Hours"))
    keys = topics()
    sheet.write_string(0, 0, localized("Năm", "Year"), bold)
    for col, key in enumerate(keys, start=1):
        sheet.write_string(0, col, localized(*TOPIC_LABELS[Topic(key)]), bold)
    sheet.write_string(0, len(keys) + 1, localized("Tổng", "Total"), bold)
    years, by_year, _ = totals(cadre)
    for row, year in enumerate(years, start=1):
        sheet.write_number(row, 0, year)
        for col, key in enumerate(keys, start=1):
            sheet.write_number(row, col, float(by_year[year].get(key, 0)))
        sheet.write_number(row, len(keys) + 1, float(sum(by_year[year].values())))
    sheet.set_column(1, len(keys) + 1, 20)


def _as_datetime(value):
    from datetime import datetime

    return datetime(value.year, value.month, value.day)
