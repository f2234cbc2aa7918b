"""Multiple choice: several right choices. Grading is all-or-nothing (see docs/assessments.md)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.assessments.qtypes.base import QuestionType, ResponseError, foreign_choice


class MultipleChoice(QuestionType):
    """Credit 1 when exactly the right set of choices is ticked, else 0 (all-or-nothing)."""

    name = "multiple"
    label = ("Nhiều lựa chọn đúng", "Multiple choice")

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        n = len(choices)
        ok = isinstance(key, list | tuple) and len(key) > 0 and all(
            isinstance(k, int) and not isinstance(k, bool) and 0 <= k < n for k in key
        ) and len(set(key)) == len(key)
        if not ok:
            return [(f"Đáp án phải là danh sách số thứ tự lựa chọn khác nhau (1–{n}).",
                     f"The key must be a list of distinct choice numbers 1–{n}.")]
        return []

    def normalize_key(self, key: Any) -> Any:
        return sorted(key)

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        if raw in (None, "", []):
            return None
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            raise ResponseError("Câu trả lời phải là danh sách lựa chọn.", "The answer must be a list of choices.")
        if any(r not in ids for r in raw):
            raise foreign_choice()
        return sorted({ids[r] for r in raw})

    def raw_from_form(self, form: MultiDict, field: str, shown_ids: list[str]) -> Any:
        return form.getlist(field) or None

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        return 1.0 if response is not None and sorted(response) == sorted(key) else 0.0

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        return [] if response is None else [index_to_id[i] for i in response if i in index_to_id]

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        return "; ".join(choices[k] for k in key)

    def response_text(self, choices: list[str], response: Any) -> str:
        return "—" if not response else "; ".join(choices[i] for i in response)


TYPE = MultipleChoice()
