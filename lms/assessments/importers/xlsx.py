"""The xlsx template: one row per question (row 1 = Vietnamese headers; the older English keys are still
read). Choice numbers in the answer column count from 1."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lms.assessments.importers import MAX_QUESTIONS, ParseResult, blank
from lms.core.exports import text_cells
from lms.core.i18n import fold
from lms.core.spreadsheets import SpreadsheetRefused, first_sheet_rows

MAX_CHOICES = 8
#: the columns' keys, in template order
KEYS = ["id", "type", "text_vi", "text_en", *[f"choice_{i}" for i in range(1, MAX_CHOICES + 1)], "key",
        "tolerance", "explanation_vi", "citation", "difficulty", "tags"]
#: the template's (Vietnamese) header of each column; files with the older English keys still import
VI_HEADERS = {
    "id": "Mã câu hỏi", "type": "Loại câu hỏi", "text_vi": "Nội dung (tiếng Việt)", "text_en": "Nội dung (tiếng Anh)",
    **{f"choice_{i}": f"Lựa chọn {i}" for i in range(1, MAX_CHOICES + 1)}, "key": "Đáp án",
    "tolerance": "Sai số", "explanation_vi": "Giải thích", "citation": "Căn cứ pháp lý", "difficulty": "Độ khó",
    "tags": "Nhãn",
}
HEADERS = [VI_HEADERS[k] for k in KEYS]
#: folded header (Vietnamese or the English key) -> key
_HEADER_KEYS = {**{k: k for k in KEYS}, **{fold(v): k for k, v in VI_HEADERS.items()}}
#: Vietnamese column help, written on the template's second sheet
HELP = [
    ("Mã câu hỏi", "Mã câu hỏi ổn định, ví dụ UL-001 (nhập lại cùng mã sẽ tạo phiên bản mới nếu nội dung đổi)."),
    ("Loại câu hỏi", "single (một lựa chọn) | multiple (nhiều lựa chọn) | true_false (đúng/sai) | numeric (số) "
                     "| ordering (sắp xếp)"),
    ("Nội dung (tiếng Việt / tiếng Anh)", "Nội dung câu hỏi (tiếng Anh không bắt buộc)."),
    ("Lựa chọn 1 … Lựa chọn 8", "Các lựa chọn; câu sắp xếp: liệt kê theo ĐÚNG thứ tự (hệ thống tự xáo trộn)."),
    ("Đáp án", "một lựa chọn: số thứ tự lựa chọn đúng (1 = Lựa chọn 1); nhiều lựa chọn: ví dụ 1;3; "
               "đúng/sai: Đúng/Sai; số: một số; sắp xếp: để trống."),
    ("Sai số", "Sai số cho phép của câu trả lời bằng số (mặc định 0)."),
    ("Giải thích", "Giải thích hiện sau khi nộp bài (theo chính sách xem lại)."),
    ("Căn cứ pháp lý", "Ví dụ: Luật Công đoàn 2024, Điều 29."),
    ("Độ khó", "easy (dễ) | medium (trung bình) | hard (khó)"),
    ("Nhãn", "Nhãn, cách nhau bởi dấu chấm phẩy."),
]
TRUE_WORDS = {"true", "đúng", "dung", "t", "1", "yes", "x"}
FALSE_WORDS = {"false", "sai", "f", "0", "no"}


def parse(data: bytes, result: ParseResult) -> None:
    """Read the first sheet; row numbers are the spreadsheet's (headers on row 1)."""
    try:
        _rows(iter(first_sheet_rows(data)), result)
    except SpreadsheetRefused as exc:
        if exc.code != "xlsx_broken":
            raise
        result.fail("-", "Không đọc được tệp Excel (.xlsx): tệp bị hỏng hoặc sai định dạng.",
                    "Cannot read the Excel file: it is broken or not an xlsx.")


def _rows(rows: Iterator[tuple[int, list[tuple[Any, Any]]]], result: ParseResult) -> None:
    first = next(rows, None)
    header = [_HEADER_KEYS.get(fold(str(v or "")), fold(str(v or ""))) for v, _f in (first[1] if first else [])]
    missing = [h for h in ("id", "type", "text_vi", "key") if h not in header]
    if missing:
        names = ", ".join(VI_HEADERS[h] for h in missing)
        result.fail(1, f"Thiếu cột: {names} (hãy dùng tệp mẫu).", f"Missing column(s): {names} (use the template).")
        return
    for count, (number, cells) in enumerate(rows, start=1):
        if count > MAX_QUESTIONS:
            result.fail(number, "Quá nhiều dòng.", "Too many rows.")
            break
        values = dict(zip(header, (v for v, _f in cells), strict=False))
        if all(v in (None, "") for v in values.values()):
            continue
        _row(number, values, result)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _row(number: int, cells: dict[str, Any], result: ParseResult) -> None:
    data = blank(_text(cells.get("id")))
    qtype = _text(cells.get("type")).lower()
    choices = [_text(cells.get(f"choice_{i}")) for i in range(1, MAX_CHOICES + 1)]
    while choices and not choices[-1]:
        choices.pop()
    data.update({
        "qtype": qtype, "text_vi": _text(cells.get("text_vi")), "text_en": _text(cells.get("text_en")),
        "choices": choices, "explanation_vi": _text(cells.get("explanation_vi")),
        "citation": _text(cells.get("citation")), "difficulty": _text(cells.get("difficulty")).lower() or "medium",
        "tags": [t.strip() for t in _text(cells.get("tags")).replace(",", ";").split(";") if t.strip()],
    })
    try:
        data["key"] = _key(qtype, cells.get("key"))
        data["tolerance"] = float(cells.get("tolerance") or 0)
    except ValueError:
        result.fail(number, f"Đáp án (key) hoặc sai số không đọc được: {cells.get('key')!r}.",
                    f"Cannot read the key or tolerance: {cells.get('key')!r}.")
        return
    result.add(number, data)


def _key(qtype: str, raw: Any) -> Any:
    """The key cell in the stored form (choice numbers 1… become indexes 0…)."""
    if raw is None or raw == "":
        return None
    if qtype == "single":
        return _choice_number(raw)
    if qtype == "multiple":
        parts = [p for p in str(raw).replace(",", ";").split(";") if p.strip()]
        return [_choice_number(p) for p in parts]
    if qtype == "true_false":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(word)
    if qtype == "numeric":
        return float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)
    return str(raw)


def _choice_number(raw: Any) -> int:
    text = str(raw).strip().upper()
    if len(text) == 1 and "A" <= text <= "H":
        return ord(text) - ord("A")
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value) - 1


def _key_cell(q: dict[str, Any]) -> Any:
    key = q["key"]
    if q["qtype"] == "single":
        return key + 1
    if q["qtype"] == "multiple":
        return ";".join(str(k + 1) for k in key)
    if q["qtype"] == "true_false":
        return "Đúng" if key else "Sai"
    if q["qtype"] == "numeric":
        return key
    return ""


def dump(questions: list[dict[str, Any]]) -> bytes:
    """An xlsx file with the headers, one row per question and the help sheet (empty list = template)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Câu hỏi"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for q in questions:
        choices = list(q["choices"]) + [""] * (MAX_CHOICES - len(q["choices"]))
        ws.append([q["ident"], q["qtype"], q["text_vi"], q["text_en"], *choices, _key_cell(q),
                   q.get("tolerance") or None, q["explanation_vi"], q["citation"], q["difficulty"],
                   "; ".join(q["tags"])])
        text_cells(ws, ws.max_row)  # "=…" stays text, never a formula (and round-trips unchanged)
    if not questions:
        ws.append(["VD-001", "single", "Luật Công đoàn 2024 có hiệu lực từ ngày nào?", "", "01/01/2025",
                   "01/7/2025", "27/11/2024", "", "", "", "", "", 2, None,
                   "Luật có hiệu lực từ 01/7/2025.", "Luật Công đoàn 2024, Điều 37", "easy", "hiệu lực"])
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("Hướng dẫn")
    help_ws.append(["Cột", "Cách điền"])
    for row in HELP:
        help_ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
