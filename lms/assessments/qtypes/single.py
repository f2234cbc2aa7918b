"""Single choice: one right choice among several."""

from __future__ import annotations

from typing import Any

from lms.assessments.qtypes.base import QuestionType, ResponseError, foreign_choice


class SingleChoice(QuestionType):
    """One choice is right; credit 1 for it, 0 otherwise."""

    name = "single"
    label = ("Một lựa chọn đúng", "Single choice")

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        n = len(choices)
        if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key < n:
            return [(f"Đáp án phải là số thứ tự của một lựa chọn (1–{n}).", f"The key must be a choice number 1–{n}.")]
        return []

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        if raw in (None, "", []):
            return None
        if not isinstance(raw, str):
            raise ResponseError("Câu trả lời phải là một lựa chọn.", "The answer must be one choice.")
        if raw not in ids:
            raise foreign_choice()
        return ids[raw]

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        return 1.0 if response is not None and response == key else 0.0

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        return None if response is None else index_to_id.get(response)

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        return choices[key]

    def response_text(self, choices: list[str], response: Any) -> str:
        return "—" if response is None else choices[response]


TYPE = SingleChoice()
