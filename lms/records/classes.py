"""In-person classes (lớp tập huấn trực tiếp): create, take attendance, close, amend afterwards.

While a class is open its attendance list is only a list. Closing appends one ledger record per
present attendee (source ``in_person``, dedupe key ``class:<id>:cadre:<id>``) in the caller's
transaction. After closing, adding an attendee appends their record at once and removing one
appends a revocation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from lms.accounts.models import User
from lms.accounts.scope import can_see_unit, in_subtree, unit_condition, visible_cadres
from lms.catalog.models import TOPIC_LABELS, Module
from lms.core.clock import today_vn
from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.core.i18n import nfc
from lms.org.models import Cadre, OrgUnit
from lms.records.models import Attendance, ClassStatus, Source, TrainingClass
from lms.records.services import append_record, check_hours, check_score, revoke_record
from lms.records.sheets import CellError, cell_text, column_index, injection_error, parse_flag, read_sheet


@dataclass
class ClassData:
    """The fields of a class as entered in the form."""

    title: str
    starts_on: date
    ends_on: date
    hours: Decimal | str | float
    org_unit: OrgUnit
    module: Module | None = None
    topic: str | None = None
    place: str = ""
    lecturer_name: str = ""


def _invalid(vi: str, en: str, code: str) -> UserError:
    return UserError(vi, en, status=422, code=code)


def create_class(data: ClassData, *, actor: User) -> TrainingClass:
    """Create an open class organised by a unit in the actor's scope (404-style refusal outside it)."""
    if not can_see_unit(actor, data.org_unit):
        raise UserError("Không tìm thấy đơn vị.", "Unit not found.", status=404, code="unit_not_found")
    title = (nfc(data.title) or "").strip()
    if not title:
        raise _invalid("Cần nhập tên lớp.", "The class title is required.", "class_title")
    if data.ends_on < data.starts_on:
        raise _invalid("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.", "The end date must not precede the start.",
                       "class_dates")
    if data.module is None and data.topic not in {t.value for t in TOPIC_LABELS}:
        raise _invalid("Cần chọn học phần hoặc chủ đề.", "Choose a module or a topic.", "class_topic")
    klass = TrainingClass(
        title=title[:255], module_id=data.module.id if data.module else None,
        topic=data.module.topic if data.module else data.topic, starts_on=data.starts_on, ends_on=data.ends_on,
        hours=check_hours(data.hours), place=(nfc(data.place) or "").strip()[:255],
        lecturer_name=(nfc(data.lecturer_name) or "").strip()[:255], org_unit_id=data.org_unit.id,
        status=ClassStatus.open.value, created_by_id=actor.id,
    )
    db.session.add(klass)
    db.session.flush()
    return klass


def visible_classes(user: User, unit: OrgUnit | None = None) -> Select:
    """``select(TrainingClass)`` organised in the user's scope (and ``unit``'s subtree), newest first."""
    query = select(TrainingClass).join(TrainingClass.org_unit).where(unit_condition(user))
    if unit is not None:
        query = query.where(in_subtree(unit))
    return query.order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc())


def get_class_or_404(user: User, class_id: int) -> TrainingClass:
    """The class if its organising unit is in the user's scope; 404 otherwise."""
    from flask import abort

    klass = db.session.get(TrainingClass, class_id)
    if klass is None or not can_see_unit(user, klass.org_unit):
        abort(404)
    return klass


def active_attendees(klass: TrainingClass) -> list[Attendance]:
    """Attendees not removed, by name."""
    return list(db.session.scalars(
        select(Attendance).join(Attendance.cadre)
        .where(Attendance.class_id == klass.id, Attendance.removed_at.is_(None))
        .order_by(Cadre.name_search, Cadre.id)
    ))


def _dedupe_key(klass: TrainingClass, attendance: Attendance) -> str:
    """``class:<id>:cadre:<id>``; a cadre re-added after their record was revoked gets ``…:2``, ``…:3``."""
    from lms.records.models import TrainingRecord

    base = f"class:{klass.id}:cadre:{attendance.cadre_id}"
    used = db.session.scalar(select(func.count(TrainingRecord.id)).where(
        (TrainingRecord.dedupe_key == base) | TrainingRecord.dedupe_key.startswith(base + ":", autoescape=True)
    ))
    return base if not used else f"{base}:{used + 1}"


def _append_for(klass: TrainingClass, attendance: Attendance, actor: User | None) -> None:
    if not attendance.present:
        return
    record = append_record(
        attendance.cadre_id, source=Source.in_person, completed_on=klass.ends_on, topic=klass.topic,
        hours=klass.hours, module_id=klass.module_id, score=attendance.score,
        evidence={"class_id": klass.id, "title": klass.title, "place": klass.place},
        dedupe_key=_dedupe_key(klass, attendance), created_by_id=getattr(actor, "id", None),
    )
    attendance.record_id = record.id


def add_attendee(klass: TrainingClass, cadre: Cadre, *, actor: User, present: bool = True,
                 score: Any = None) -> Attendance:
    """Put a cadre (in the actor's scope) on the list; after closing, their record is appended at once.

    Adding someone already listed updates presence and score while the class is open.
    """
    if not can_see_unit(actor, cadre.org_unit):
        raise UserError("Không tìm thấy cán bộ.", "Cadre not found.", status=404, code="cadre_not_found")
    score_value = check_score(score)
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.class_id == klass.id, Attendance.cadre_id == cadre.id)
    )
    if attendance is not None and attendance.removed_at is None:
        if klass.is_closed:
            raise UserError(f"{cadre.full_name} đã có trong danh sách lớp.", f"{cadre.full_name} is already listed.",
                            status=409, code="already_listed")
        attendance.present, attendance.score = present, score_value
        return attendance
    if attendance is None:
        attendance = Attendance(class_id=klass.id, cadre_id=cadre.id, added_by_id=actor.id, removed_reason="")
        db.session.add(attendance)
    attendance.present, attendance.score, attendance.removed_at = present, score_value, None
    attendance.added_by_id, attendance.added_at = actor.id, utcnow()
    if klass.is_closed:
        if attendance.record_id is not None:
            attendance.record_id = None  # its earlier record was revoked; a new one is appended
        db.session.flush()
        _append_for(klass, attendance, actor)
    db.session.flush()
    return attendance


def remove_attendee(klass: TrainingClass, attendance: Attendance, *, actor: User, reason: str = "") -> None:
    """Take a cadre off the list; after closing, their record is revoked (a new ledger row)."""
    if attendance.class_id != klass.id or attendance.removed_at is not None:
        raise UserError("Không tìm thấy học viên trong lớp.", "Attendee not found.", status=404, code="attendee")
    if klass.is_closed and attendance.record_id is not None:
        from lms.records.models import TrainingRecord

        revoke_record(db.session.get(TrainingRecord, attendance.record_id), reason=reason, actor=actor)
        attendance.removed_reason = reason.strip()
    else:
        attendance.removed_reason = reason.strip() or "—"
    attendance.removed_at = utcnow()
    db.session.flush()


def close_class(klass: TrainingClass, *, actor: User) -> int:
    """Close the class: append a record for every present attendee (one transaction). Returns how many."""
    if klass.is_closed:
        raise UserError("Lớp đã được kết thúc.", "The class is already closed.", status=409, code="class_closed")
    if klass.ends_on > today_vn():
        raise _invalid("Chưa thể kết thúc lớp trước ngày kết thúc của lớp.",
                       "The class cannot be closed before its end date.", "class_not_ended")
    attendees = active_attendees(klass)
    if not attendees:
        raise _invalid("Lớp chưa có học viên nào.", "The class has no attendees.", "class_empty")
    klass.status, klass.closed_at, klass.closed_by_id = ClassStatus.closed.value, utcnow(), actor.id
    for attendance in attendees:
        _append_for(klass, attendance, actor)
    db.session.flush()
    return sum(1 for a in attendees if a.present)


def search_cadres(user: User, q: str, limit: int = 30) -> list[Cadre]:
    """Cadres in the user's scope whose name (without diacritics) or code matches ``q``."""
    from lms.org.services import CadreFilter, filter_cadres

    if not q.strip():
        return []
    return list(db.session.scalars(filter_cadres(visible_cadres(user), None, CadreFilter(q=q[:100])).limit(limit)))


@dataclass
class SheetResult:
    """What an attendance sheet did: rows added, and per-cell errors (nothing is added when any)."""

    added: int = 0
    errors: list[CellError] = field(default_factory=list)
    rows_total: int = 0


def import_attendance(klass: TrainingClass, data: bytes, filename: str, *, actor: User,
                      max_bytes: int, valid_only: bool = False) -> SheetResult:
    """Add attendees from a sheet ("Mã cán bộ", optional "Điểm", "Có mặt"): all rows or none, or with
    ``valid_only`` (a confirmed preview) the rows without errors."""
    sheet = read_sheet(data, filename, max_bytes)
    code_i = column_index(sheet.headers, ("Mã cán bộ", "cadre code", "ma cb"))
    score_i = column_index(sheet.headers, ("Điểm", "score"))
    present_i = column_index(sheet.headers, ("Có mặt", "present", "tham du"))
    if code_i is None:
        raise UserError("Thiếu cột bắt buộc: Mã cán bộ.", "Required column missing: Mã cán bộ (cadre code).",
                        status=400, code="sheet_columns")
    result = SheetResult()
    codes = {cell_text(v[code_i]) for _, v in sheet.rows} - {""}
    cadres = {c.code: c for c in db.session.scalars(visible_cadres(actor).where(Cadre.code.in_(sorted(codes))))}
    planned: list[tuple[Cadre, bool, Any]] = []
    seen: dict[str, int] = {}
    for row, values in sheet.rows:
        before = len(result.errors)
        planned_row = _sheet_row(row, values, (code_i, score_i, present_i), cadres, seen, result.errors)
        if planned_row is not None and len(result.errors) == before:
            planned.append(planned_row)
    result.rows_total = len(sheet.rows)
    if result.errors and not valid_only:
        return result
    for cadre, present, score in planned:
        add_attendee(klass, cadre, actor=actor, present=present, score=score)
        result.added += 1
    return result


def _sheet_row(row: int, values: list[Any], idx: tuple[int, int | None, int | None], cadres: dict[str, Cadre],
               seen: dict[str, int], errors: list[CellError]) -> tuple[Cadre, bool, Any] | None:
    code_i, score_i, present_i = idx
    names = {code_i: "Mã cán bộ", score_i: "Điểm", present_i: "Có mặt"}
    before = len(errors)
    for i in (code_i, score_i, present_i):
        if i is not None and (problem := injection_error(values[i], row, names[i])):
            errors.append(problem)
    if len(errors) > before:
        return None
    code = cell_text(values[code_i])
    cadre = cadres.get(code)
    if not code:
        errors.append(CellError(row, "Mã cán bộ", "Thiếu mã cán bộ.", "The cadre code is missing."))
    elif cadre is None:
        errors.append(CellError(row, "Mã cán bộ", f"Không tìm thấy cán bộ có mã “{code}” trong phạm vi của bạn.",
                                f"No cadre with code “{code}” in your scope."))
    elif code in seen:
        errors.append(CellError(row, "Mã cán bộ", f"Trùng với dòng {seen[code]}.", f"Duplicate of row {seen[code]}."))
    else:
        seen[code] = row
    present = True
    if present_i is not None and cell_text(values[present_i]):
        flag = parse_flag(values[present_i])
        if flag is None:
            errors.append(CellError(row, "Có mặt", "Giá trị “Có mặt” không hợp lệ (dùng x/có/không).",
                                    "Invalid “present” value (use x/yes/no)."))
        present = bool(flag)
    score = values[score_i] if score_i is not None else None
    try:
        check_score(score)
    except UserError:
        errors.append(CellError(row, "Điểm", "Điểm phải là số trong khoảng 0–100.",
                                "The score must be a number between 0 and 100."))
    if len(errors) > before:
        return None
    return cadre, present, cell_text(score) or None


def class_counts(class_ids: list[int]) -> dict[int, int]:
    """Active attendees per class id."""
    if not class_ids:
        return {}
    return dict(db.session.execute(
        select(Attendance.class_id, func.count(Attendance.id))
        .where(Attendance.class_id.in_(class_ids), Attendance.removed_at.is_(None))
        .group_by(Attendance.class_id)
    ).all())
