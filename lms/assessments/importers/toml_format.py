"""The course-source bank format: ``[[question]]`` tables (see lms.content.source and docs/content.md)."""

from __future__ import annotations

import tomllib
from typing import Any

from lms.assessments.importers import ParseResult, blank

KNOWN = {"id", "type", "text_vi", "text_en", "choices", "key", "tolerance", "explanation_vi", "citation",
         "difficulty", "tags"}
#: course-source provenance fields (lms.content): accepted and not stored in the bank
IGNORED = {"sources", "mentions", "computed_from"}


def parse(text: str, result: ParseResult, ident_prefix: str = "Q") -> None:
    """Read every ``[[question]]``; a row is the question's number (1, 2, …) in the file."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.fail("-", f"Tệp TOML không hợp lệ: {exc}", f"Invalid TOML: {exc}")
        return
    items = doc.get("question", [])
    if not isinstance(items, list):
        result.fail("-", "Cần mảng bảng [[question]].", "An array of tables [[question]] is expected.")
        return
    for number, item in enumerate(items, start=1):
        _one(number, item, result)


def _one(number: int, item: Any, result: ParseResult) -> None:
    if not isinstance(item, dict):
        result.fail(number, "Câu hỏi phải là một bảng.", "A question must be a table.")
        return
    unknown = sorted(set(item) - KNOWN - IGNORED)
    if unknown:
        result.fail(number, f"Trường không hợp lệ: {', '.join(unknown)}.", f"Unknown field(s): {', '.join(unknown)}.")
        return
    data = blank(str(item.get("id", "")))
    data.update({
        "qtype": item.get("type"), "text_vi": item.get("text_vi", ""), "text_en": item.get("text_en", ""),
        "choices": item.get("choices", []), "key": item.get("key"), "tolerance": item.get("tolerance", 0.0),
        "explanation_vi": item.get("explanation_vi", ""), "citation": item.get("citation", ""),
        "difficulty": item.get("difficulty", "medium"), "tags": item.get("tags", []),
    })
    if not isinstance(data["choices"], list) or not isinstance(data["tags"], list):
        result.fail(number, "choices và tags phải là danh sách.", "choices and tags must be lists.")
        return
    if not all(isinstance(v, str) for v in (data["text_vi"], data["text_en"], data["explanation_vi"],
                                             data["citation"])):
        result.fail(number, "Các trường văn bản phải là chuỗi.", "Text fields must be strings.")
        return
    result.add(number, data)


def dump(questions: list[dict[str, Any]]) -> str:
    """Write questions back in this format (export)."""
    lines: list[str] = []
    for q in questions:
        lines.append("[[question]]")
        lines.append(f"id = {_s(q['ident'])}")
        lines.append(f"type = {_s(q['qtype'])}")
        lines.append(f"text_vi = {_s(q['text_vi'])}")
        if q.get("text_en"):
            lines.append(f"text_en = {_s(q['text_en'])}")
        if q["choices"]:
            lines.append("choices = [" + ", ".join(_s(c) for c in q["choices"]) + "]")
        key = q["key"]
        if q["qtype"] == "true_false":
            lines.append(f"key = {'true' if key else 'false'}")
        elif q["qtype"] == "multiple":
            lines.append("key = [" + ", ".join(str(k) for k in key) + "]")
        elif q["qtype"] in ("single", "numeric"):
            lines.append(f"key = {format(key, '.15g')}" if isinstance(key, float) else f"key = {key}")
        if q["qtype"] == "numeric" and q.get("tolerance"):
            lines.append(f"tolerance = {q['tolerance']:g}")
        lines.append(f"explanation_vi = {_s(q['explanation_vi'])}")
        lines.append(f"citation = {_s(q['citation'])}")
        lines.append(f"difficulty = {_s(q['difficulty'])}")
        lines.append("tags = [" + ", ".join(_s(t) for t in q["tags"]) + "]")
        lines.append("")
    return "\n".join(lines)


def _s(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'
