"""Moodle's GIFT format (the subset our question types need).

Supported: single choice ``{=right ~wrong}``, multiple choice with weights ``{~%50%a ~%50%b ~%-100%c}``
(choices with a positive weight are the key), true/false ``{T}`` / ``{FALSE}``, numeric ``{#37}`` /
``{#2.5:0.1}`` / ``{#1..3}``, general feedback ``####…`` (our explanation). Metadata rides in comment
lines before a question, as Moodle does: ``// [id:UL-001] [tag:hiệu lực] [difficulty:easy]`` and
``// [citation:Luật Công đoàn 2024, Điều 29]``. ``::title::`` is the id when there is no ``[id:…]``.
GIFT has no ordering questions: export leaves them out (the TOML and xlsx exports keep them).
"""

from __future__ import annotations

import re
from typing import Any

from lms.assessments.importers import IDENT, ParseResult, blank
from lms.assessments.importers.aiken import ident_for

_META = re.compile(r"\[(id|tag|difficulty|citation|text_en):([^\]]*)\]")
_SPECIAL = "~=#{}:"


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out).strip()


def _find(text: str, char: str, start: int = 0) -> int:
    """Index of the first unescaped ``char`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(char, i):
            return i
        i += 1
    return -1


def parse(text: str, result: ParseResult, ident_prefix: str = "Q") -> None:
    """Read questions separated by blank lines; a row is the line where a question starts."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            _block(block, result, ident_prefix)
            block = []


def _block(block: list[tuple[int, str]], result: ParseResult, prefix: str) -> None:
    meta: dict[str, Any] = {"tags": []}
    body_lines = []
    start = block[0][0]
    for _number, line in block:
        if line.lstrip().startswith("//"):
            for key, value in _META.findall(line):
                if key == "tag":
                    meta["tags"].append(value.strip())
                else:
                    meta[key] = value.strip()
        else:
            body_lines.append(line)
    if not body_lines:
        return  # a comment-only block
    if body_lines[0].lstrip().startswith("$CATEGORY"):
        return
    body = "\n".join(body_lines)
    title = None
    if body.lstrip().startswith("::"):
        body = body.lstrip()[2:]
        end = _find(body, "::")
        if end < 0:
            result.fail(start, "Tiêu đề ::…:: chưa đóng.", "The ::title:: is not closed.")
            return
        title, body = _unescape(body[:end]), body[end + 2:]
    if body.lstrip().startswith("[") and "]" in body:  # [html]/[markdown] text format marker
        body = body[body.index("]") + 1:]
    open_at = _find(body, "{")
    close_at = _find(body, "}", open_at + 1) if open_at >= 0 else -1
    if open_at < 0 or close_at < 0:
        result.fail(start, "Thiếu phần đáp án {…}.", "The answer block {…} is missing.")
        return
    question_text = _unescape(body[:open_at] + " " + body[close_at + 1:])
    data = blank(meta.get("id") or (title if title and IDENT.match(title) else ident_for(prefix, question_text)))
    data.update({"text_vi": question_text, "text_en": meta.get("text_en", ""), "tags": meta["tags"],
                 "difficulty": meta.get("difficulty", "medium"), "citation": meta.get("citation", "")})
    problem = _answers(body[open_at + 1:close_at], data)
    if problem:
        result.fail(start, *problem)
        return
    result.add(start, data)


def _answers(block: str, data: dict[str, Any]) -> tuple[str, str] | None:
    """Fill qtype/choices/key/explanation from the answer block; a (vi, en) problem or None."""
    feedback_at = _find(block, "####")
    if feedback_at >= 0:
        data["explanation_vi"] = _unescape(block[feedback_at + 4:])
        block = block[:feedback_at]
    stripped = block.strip()
    head = stripped.split("#", 1)[0].strip().upper()
    if head in ("T", "TRUE", "F", "FALSE"):
        data.update(qtype="true_false", key=head.startswith("T"))
        return None
    if stripped.startswith("#"):
        return _numeric(stripped[1:], data)
    tokens = _tokens(stripped)
    if tokens is None or not tokens:
        return ("Phần đáp án không hợp lệ (cần =đúng ~sai).", "Invalid answer block (expected =right ~wrong).")
    if any("->" in t[1] for t in tokens):
        return ("Câu ghép cặp (->) chưa được hỗ trợ.", "Matching questions (->) are not supported.")
    choices, right, weighted = [], [], False
    for mark, value in tokens:
        weight = None
        m = re.match(r"^%(-?\d+(?:\.\d+)?)%", value)
        if m:
            weight, value, weighted = float(m.group(1)), value[m.end():], True
        fb = _find(value, "#")
        if fb >= 0:
            value = value[:fb]
        choices.append(_unescape(value))
        if (mark == "=" and (weight is None or weight > 0)) or (mark == "~" and weight is not None and weight > 0):
            right.append(len(choices) - 1)
    if all(mark == "=" for mark, _ in tokens):
        return ("Câu trả lời ngắn chưa được hỗ trợ.", "Short-answer questions are not supported.")
    if weighted or len(right) > 1:
        data.update(qtype="multiple", choices=choices, key=right)
    else:
        data.update(qtype="single", choices=choices, key=right[0] if right else None)
    return None


def _tokens(block: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    i, current, mark = 0, [], None
    while i < len(block):
        ch = block[i]
        if ch == "\\" and i + 1 < len(block):
            current.append(block[i:i + 2])
            i += 2
            continue
        if ch in "=~":
            if mark is not None:
                tokens.append((mark, "".join(current).strip()))
            elif "".join(current).strip():
                return None
            mark, current = ch, []
        else:
            current.append(ch)
        i += 1
    if mark is not None:
        tokens.append((mark, "".join(current).strip()))
    return tokens


def _numeric(spec: str, data: dict[str, Any]) -> tuple[str, str] | None:
    spec = spec.strip().lstrip("=")
    fb = _find(spec, "#")
    if fb >= 0:
        spec = spec[:fb]
    try:
        if ".." in spec:
            low, high = (float(p) for p in spec.split("..", 1))
            key, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in spec:
            value, tol = spec.split(":", 1)
            key, tolerance = float(value), float(tol)
        else:
            key, tolerance = float(spec), 0.0
    except ValueError:
        return ("Đáp án số không hợp lệ.", "Invalid numeric answer.")
    data.update(qtype="numeric", key=key, tolerance=tolerance)
    return None


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in _SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def dump(questions: list[dict[str, Any]]) -> str:
    """GIFT text for ``questions`` (ordering questions are left out: GIFT cannot express them)."""
    parts = []
    for q in questions:
        if q["qtype"] == "ordering":
            parts.append(f"// [id:{q['ident']}] ordering question left out (GIFT has no ordering type)\n")
            continue
        meta = f"// [id:{q['ident']}] [difficulty:{q['difficulty']}]" + "".join(f" [tag:{t}]" for t in q["tags"])
        lines = [meta]
        if q["citation"]:
            lines.append(f"// [citation:{q['citation']}]")
        if q.get("text_en"):
            lines.append(f"// [text_en:{q['text_en']}]")
        lines.append(f"::{q['ident']}::{_escape(q['text_vi'])} {{{_answer_block(q)}}}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _answer_block(q: dict[str, Any]) -> str:
    fb = f" ####{_escape(q['explanation_vi'])}" if q["explanation_vi"] else ""
    key = q["key"]
    if q["qtype"] == "true_false":
        return ("TRUE" if key else "FALSE") + fb
    if q["qtype"] == "numeric":
        tol = f":{q['tolerance']:g}" if q.get("tolerance") else ""
        return f"#{format(float(key), '.15g')}{tol}{fb}"
    if q["qtype"] == "single":
        return " ".join(("=" if i == key else "~") + _escape(c) for i, c in enumerate(q["choices"])) + fb
    n_right, n_wrong = len(key), len(q["choices"]) - len(key)
    right_w = _weight(100 / n_right)
    wrong_w = _weight(-100 / n_wrong) if n_wrong else "-100"
    return " ".join(f"~%{right_w if i in key else wrong_w}%{_escape(c)}" for i, c in enumerate(q["choices"])) + fb


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")
