"""Read question files (xlsx, GIFT, Aiken, TOML) into plain question dicts, with per-row errors.

Every reader returns a :class:`ParseResult`: the questions it could read and, for each bad row, a
:class:`RowError` naming the row (spreadsheet row, question number or line) in Vietnamese and English.
Nothing here touches the database; :func:`lms.assessments.services.import_questions` writes only when
there is no error at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from lms.assessments import qtypes

DIFFICULTIES = ("easy", "medium", "hard")
IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: the largest file an import accepts
MAX_BYTES = 5 * 1024 * 1024
MAX_QUESTIONS = 5000


@dataclass
class RowError:
    """One problem in an import file."""

    row: int | str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (error details of a 4xx)."""
        return {"row": self.row, "message_vi": self.message_vi, "message_en": self.message_en}


@dataclass
class ParseResult:
    """Questions read from a file, and the rows that could not be read."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    #: the row of each question, in the same order
    rows: list[int | str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int | str, data: dict[str, Any]) -> None:
        """Validate ``data`` and keep it, or record its errors."""
        problems = validate(data)
        if problems:
            self.errors.extend(RowError(row, vi, en) for vi, en in problems)
            return
        if any(q["ident"] == data["ident"] for q in self.questions):
            self.errors.append(RowError(row, f"Mã câu hỏi {data['ident']} bị trùng trong tệp.",
                                        f"Question id {data['ident']} appears twice in the file."))
            return
        self.questions.append(normalize(data))
        self.rows.append(row)

    def fail(self, row: int | str, vi: str, en: str) -> None:
        """Record an error for ``row``."""
        self.errors.append(RowError(row, vi, en))


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text).strip()) if text is not None else ""


def blank(ident: str = "") -> dict[str, Any]:
    """An empty question dict with every field."""
    return {"ident": ident, "qtype": "", "text_vi": "", "text_en": "", "choices": [], "key": None,
            "tolerance": 0.0, "explanation_vi": "", "citation": "", "difficulty": "medium", "tags": []}


def validate(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems with one question dict, as (Vietnamese, English) pairs."""
    errors: list[tuple[str, str]] = []
    if not IDENT.match(str(data.get("ident") or "")):
        errors.append(("Mã câu hỏi thiếu hoặc sai dạng (chữ, số, '-', '_', '.'; tối đa 64 ký tự).",
                       "The question id is missing or malformed (letters, digits, '-', '_', '.'; ≤ 64)."))
    if data.get("qtype") not in qtypes.names():
        errors.append((f"Loại câu hỏi không hợp lệ: {data.get('qtype')!r} (dùng {', '.join(qtypes.names())}).",
                       f"Unknown question type {data.get('qtype')!r} (use {', '.join(qtypes.names())})."))
        return errors
    if not _nfc(data.get("text_vi")):
        errors.append(("Thiếu nội dung câu hỏi (tiếng Việt).", "The Vietnamese question text is missing."))
    if data.get("difficulty") not in DIFFICULTIES:
        errors.append(("Độ khó phải là easy, medium hoặc hard.", "Difficulty must be easy, medium or hard."))
    choices = data.get("choices") or []
    if not all(isinstance(c, str) and c.strip() for c in choices):
        errors.append(("Lựa chọn không được để trống.", "Choices must not be empty."))
    elif len({_nfc(c) for c in choices}) != len(choices):
        errors.append(("Các lựa chọn phải khác nhau.", "Choices must differ from each other."))
    qtype = qtypes.get(data["qtype"])
    if qtype.has_choices and len(choices) < 2:
        errors.append(("Cần ít nhất 2 lựa chọn.", "At least 2 choices are needed."))
    elif len(choices) > 12:
        errors.append(("Tối đa 12 lựa chọn.", "At most 12 choices."))
    else:
        errors.extend(qtype.validate(list(choices), data.get("key"), data.get("tolerance") or 0.0))
    return errors


def normalize(data: dict[str, Any]) -> dict[str, Any]:
    """A validated question dict with NFC text and the type's key form."""
    qtype = qtypes.get(data["qtype"])
    return {
        "ident": str(data["ident"]).strip(), "qtype": data["qtype"], "text_vi": _nfc(data["text_vi"]),
        "text_en": _nfc(data.get("text_en") or ""), "choices": [_nfc(c) for c in data.get("choices") or []],
        "key": qtype.normalize_key(data.get("key")), "tolerance": float(data.get("tolerance") or 0.0),
        "explanation_vi": _nfc(data.get("explanation_vi") or ""), "citation": _nfc(data.get("citation") or ""),
        "difficulty": data.get("difficulty") or "medium",
        "tags": [_nfc(t) for t in data.get("tags") or [] if _nfc(t)],
    }


FORMATS = ("xlsx", "gift", "aiken", "toml")


def detect_format(filename: str) -> str | None:
    """The format from a file name: .xlsx, .gift/.txt with braces → GIFT, .txt → Aiken, .toml."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".toml"):
        return "toml"
    if name.endswith(".gift"):
        return "gift"
    if name.endswith((".aiken", ".txt")):
        return "aiken"
    return None


def parse_file(filename: str, data: bytes, fmt: str | None = None, ident_prefix: str = "Q") -> ParseResult:
    """Read ``data`` (the file ``filename``) in ``fmt`` (detected from the name when None)."""
    from lms.assessments.importers import aiken, gift, toml_format, xlsx

    fmt = fmt or detect_format(filename)
    result = ParseResult()
    if fmt not in FORMATS:
        result.fail("-", "Không nhận ra định dạng tệp (dùng .xlsx, .gift, .txt (Aiken) hoặc .toml).",
                    "Unknown file format (use .xlsx, .gift, .txt (Aiken) or .toml).")
        return result
    if len(data) > MAX_BYTES:
        result.fail("-", "Tệp quá lớn (tối đa 5 MB).", "The file is too large (5 MB at most).")
        return result
    if fmt == "xlsx":
        xlsx.parse(data, result)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.fail("-", "Tệp phải là văn bản UTF-8.", "The file must be UTF-8 text.")
            return result
        {"gift": gift.parse, "aiken": aiken.parse, "toml": toml_format.parse}[fmt](text, result, ident_prefix)
    if not result.questions and not result.errors:
        result.fail("-", "Tệp không có câu hỏi nào.", "The file contains no question.")
    if len(result.questions) > MAX_QUESTIONS:
        result.fail("-", f"Tối đa {MAX_QUESTIONS} câu hỏi mỗi lần nhập.", f"At most {MAX_QUESTIONS} questions.")
    return result
