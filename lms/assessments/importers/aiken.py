"""Moodle's Aiken format: single-choice questions only.

::

    Question text
    A. first choice
    B. second choice
    ANSWER: B

Aiken has no ids; a question's id is ``<prefix>-`` plus a hash of its text, so importing the same
file twice finds the same questions.
"""

from __future__ import annotations

import hashlib
import re

from lms.assessments.importers import ParseResult, blank

_CHOICE = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def ident_for(prefix: str, text: str) -> str:
    """A stable id from the question text."""
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8].upper()}"


def parse(text: str, result: ParseResult, ident_prefix: str = "Q") -> None:
    """Read blocks separated by blank lines; a row is the line number where a question starts."""
    lines = text.splitlines()
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line.rstrip()))
        elif block:
            _block(block, result, ident_prefix)
            block = []


def _block(block: list[tuple[int, str]], result: ParseResult, prefix: str) -> None:
    start = block[0][0]
    question_lines: list[str] = []
    choices: list[tuple[str, str]] = []
    answer = None
    for _number, line in block:
        m_answer = _ANSWER.match(line.strip())
        m_choice = _CHOICE.match(line.strip())
        if m_answer:
            answer = m_answer.group(1)
        elif m_choice and (choices or question_lines):
            choices.append((m_choice.group(1), m_choice.group(2).strip()))
        elif not choices:
            question_lines.append(line.strip())
        else:
            result.fail(start, f"Dòng không hợp lệ sau các lựa chọn: {line.strip()!r}.",
                        f"Unexpected line after the choices: {line.strip()!r}.")
            return
    text = " ".join(question_lines)
    letters = [c[0] for c in choices]
    if answer is None:
        result.fail(start, "Thiếu dòng 'ANSWER: X'.", "The 'ANSWER: X' line is missing.")
        return
    if letters != [chr(ord("A") + i) for i in range(len(letters))]:
        result.fail(start, "Các lựa chọn phải ghi A., B., C. … theo thứ tự.", "Choices must be lettered A., B., C. … in order.")
        return
    if answer not in letters:
        result.fail(start, f"Đáp án {answer} không có trong các lựa chọn.", f"The answer {answer} is not a choice.")
        return
    data = blank(ident_for(prefix, text))
    data.update({"qtype": "single", "text_vi": text, "choices": [c[1] for c in choices],
                 "key": letters.index(answer)})
    result.add(start, data)
