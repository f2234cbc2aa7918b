"""Columns of the import files and the parsing of each cell: headers, vocabularies, dates, flags.

Headers and values are matched without case or diacritics (``fold``): "Chủ tịch", "chu tich",
"CHAIR" and "chair" are the same position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms.core.i18n import fold, nfc
from lms.org.models import EMPLOYMENT_LABELS, GENDER_LABELS, POSITION_LABELS, Employment, Gender, Position


@dataclass(frozen=True, slots=True)
class Column:
    """A column of an import sheet: its field, Vietnamese header, accepted aliases, whether required."""

    field: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False
    #: the column must be present but a cell may be empty (a root unit has no parent)
    may_be_empty: bool = False


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã đơn vị", ("unit code", "code", "ma"), True),
    Column("name", "Tên đơn vị", ("unit name", "name", "ten"), True),
    Column("level", "Cấp", ("level", "cap don vi")),
    Column("parent", "Mã đơn vị cấp trên", ("parent code", "parent unit code", "parent", "ma cap tren"), True, True),
    Column("active", "Đang hoạt động", ("active",)),
)
CADRE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã cán bộ", ("cadre code", "code"), True),
    Column("full_name", "Họ và tên", ("ho ten", "full name", "name"), True),
    Column("gender", "Giới tính", ("gender", "sex"), True),
    Column("birth_date", "Ngày sinh", ("birth date", "date of birth", "dob")),
    Column("email", "Email", ("e-mail", "thu dien tu")),
    Column("phone", "Điện thoại", ("so dien thoai", "phone", "telephone")),
    Column("unit", "Mã đơn vị", ("unit code", "unit"), True),
    Column("position", "Chức vụ", ("position",), True),
    Column("employment", "Loại cán bộ", ("employment", "loai")),
    Column("is_key", "Cán bộ chủ chốt", ("chu chot", "key officer", "is key")),
    Column("appointed_on", "Ngày bổ nhiệm", ("appointed on", "appointment date", "ngay bat dau")),
    Column("active", "Đang hoạt động", ("active",)),
)
#: sheet kind -> (Vietnamese sheet name, English, columns)
SHEETS = {"units": ("Đơn vị", "Units", UNIT_COLUMNS), "cadres": ("Cán bộ", "Cadres", CADRE_COLUMNS)}

#: folded headers that identify a sheet's kind
_KIND_MARKERS = {"cadres": {"ma can bo", "cadre code", "ho va ten", "full name"},
                 "units": {"ten don vi", "unit name"}}


def header_map(columns: tuple[Column, ...]) -> dict[str, str]:
    """Folded header or alias -> field."""
    mapping: dict[str, str] = {}
    for column in columns:
        mapping[fold(column.header)] = column.field
        for alias in column.aliases:
            mapping[fold(alias)] = column.field
    return mapping


def detect_kind(headers: list[str]) -> str | None:
    """'cadres' or 'units' from a header row (folded), None when neither is recognised."""
    folded = {fold(h) for h in headers}
    for kind, markers in _KIND_MARKERS.items():
        if folded & markers:
            return kind
    return None


def _vocabulary(labels: dict, extra: dict[str, str]) -> dict[str, str]:
    table = {fold(key.value): key.value for key in labels}
    for key, (vi, en) in labels.items():
        table[fold(vi)] = key.value
        table[fold(en)] = key.value
    table.update({fold(k): v for k, v in extra.items()})
    return table


POSITIONS = _vocabulary(POSITION_LABELS, {
    "Phó Chủ tịch công đoàn": Position.vice_chair, "Chủ tịch công đoàn": Position.chair,
    "Ủy viên BCH": Position.executive_member, "UV BCH": Position.executive_member,
    "UVBCH": Position.executive_member, "Ủy viên": Position.executive_member,
    "Ủy viên UBKT": Position.inspection_member, "UV UBKT": Position.inspection_member,
    "Tổ trưởng": Position.group_leader, "Tổ phó": Position.deputy_group_leader,
    "ATVSV": Position.osh_officer, "An toàn vệ sinh viên": Position.osh_officer,
    "Chuyên trách": Position.full_time_officer, "Vice chair": Position.vice_chair,
})
EMPLOYMENTS = _vocabulary(EMPLOYMENT_LABELS, {
    "Full time": Employment.full_time, "Part time": Employment.part_time,
    "Kiêm nhiệm": Employment.part_time, "Bán chuyên trách": Employment.part_time,
})
GENDERS = _vocabulary(GENDER_LABELS, {"M": Gender.male, "F": Gender.female, "Nu gioi": Gender.female})
FLAGS = {"co": True, "yes": True, "true": True, "1": True, "x": True, "c": True, "y": True,
         "khong": False, "no": False, "false": False, "0": False, "k": False, "n": False}

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
#: characters that start a formula in Excel/LibreOffice (CSV injection); a phone like +84… is allowed
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,30}$")
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")


class CellError(ValueError):
    """A bad cell: the Vietnamese and English reasons."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def text(value: object) -> str:
    """A cell as NFC text ('' when empty); whole floats lose their '.0' (codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value)) or ""


def check_not_formula(value: object, field: str) -> None:
    """Refuse text that a spreadsheet would run as a formula (CSV injection); phone numbers may start with +."""
    if not isinstance(value, str) or not value or value[0] not in DANGEROUS_PREFIXES:
        return
    if field == "phone" and _PHONE_RE.match(value.strip()):
        return
    shown = {"\t": "TAB", "\r": "CR"}.get(value[0], value[0])
    raise CellError(
        f"Ô bắt đầu bằng ký tự “{shown}” có thể bị Excel chạy như công thức (CSV injection) — không được phép.",
        f"The cell starts with “{shown}”, which a spreadsheet may run as a formula (CSV injection); refused.",
    )


def parse_code(raw: str) -> str:
    """A business code: letters without diacritics, digits, '.', '_' or '-', at most 64 characters."""
    if not CODE_RE.match(raw):
        raise CellError(
            f"Mã “{raw[:70]}” không hợp lệ: chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới (tối đa 64 ký tự).",
            f"Invalid code “{raw[:70]}”: letters without diacritics, digits, '.', '-', '_' only (at most 64).",
        )
    return raw


def parse_choice(raw: str, table: dict[str, str], what_vi: str, what_en: str, labels: dict) -> str:
    """A value of a vocabulary, matched without case or diacritics, by label or code."""
    found = table.get(raw)  # the exact spelling seen before (cached below), else the folded form
    if found is None:
        found = table.get(fold(raw))
        if found is not None and len(table) < 10_000:
            table[raw] = found
    if found is None:
        allowed = "; ".join(vi for vi, _en in labels.values())
        raise CellError(f"{what_vi} không hợp lệ: “{raw[:70]}”. Giá trị được chấp nhận: {allowed}.",
                        f"Invalid {what_en}: “{raw[:70]}”. Accepted: {allowed}.")
    return found


def parse_flag(raw: str) -> bool:
    """có/không, yes/no, x, 1/0."""
    found = FLAGS.get(fold(raw))
    if found is None:
        raise CellError(f"Giá trị “{raw[:70]}” không hợp lệ: dùng “có” hoặc “không”.",
                        f"Invalid value “{raw[:70]}”: use “có” (yes) or “không” (no).")
    return found


def parse_date(value: object, *, not_after: date | None = None, what_vi: str = "Ngày",
               what_en: str = "Date") -> date:
    """dd/mm/yyyy, yyyy-mm-dd or a real Excel date; impossible dates (31/02) and dates out of range refused."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        raw = text(value)
        day = _parse_date_text(raw)
    if day.year < 1900:
        raise CellError(f"{what_vi} quá xa trong quá khứ: {day:%d/%m/%Y}.", f"{what_en} too far in the past: {day}.")
    if not_after is not None and day > not_after:
        raise CellError(f"{what_vi} ở tương lai: {day:%d/%m/%Y}.", f"{what_en} is in the future: {day}.")
    return day


def _parse_date_text(raw: str) -> date:
    match = _DMY.match(raw)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (match := _YMD.match(raw)):
        parts = match.groups()
    if parts is None:
        raise CellError(f"Ngày không đúng định dạng: “{raw[:40]}” (dùng dd/mm/yyyy hoặc yyyy-mm-dd).",
                        f"Unrecognised date “{raw[:40]}” (use dd/mm/yyyy or yyyy-mm-dd).")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise CellError(f"Ngày không tồn tại: “{raw}”.", f"No such date: “{raw}”.") from None


def latest_appointment(today: date) -> date:
    """Appointments may be entered up to a year ahead (a decision already signed)."""
    return today + timedelta(days=366)


def parse_email(raw: str) -> str:
    """A plausible e-mail address (not checked for deliverability), stored lower-case."""
    if len(raw) > 255 or not EMAIL_RE.match(raw):
        raise CellError(f"Email không hợp lệ: “{raw[:70]}”.", f"Invalid e-mail: “{raw[:70]}”.")
    return raw.lower()


def check_length(raw: str, limit: int) -> str:
    """Refuse text longer than the column allows."""
    if len(raw) > limit:
        raise CellError(f"Dài quá {limit} ký tự.", f"Longer than {limit} characters.")
    return raw
