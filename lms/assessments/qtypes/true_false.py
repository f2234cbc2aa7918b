"""True/false."""

from __future__ import annotations

from typing import Any

from lms.assessments.qtypes.base import QuestionType, ResponseError


class TrueFalse(QuestionType):
    """A statement that is right or wrong; the answer is ``true`` or ``false``."""

    name = "true_false"
    label = ("Đúng/Sai", "True/false")
    has_choices = False
    min_choices = 0

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        errors = []
        if choices:
            errors.append(("Câu Đúng/Sai không có lựa chọn.", "A true/false question has no choices."))
        if not isinstance(key, bool):
            errors.append(("Đáp án phải là Đúng hoặc Sai.", "The key must be true or false."))
        return errors

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        if raw in (None, ""):
            return None
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        raise ResponseError("Câu trả lời phải là Đúng hoặc Sai.", "The answer must be true or false.")

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        return 1.0 if response is not None and response is key else 0.0

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        return None if response is None else ("true" if response else "false")

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        return "Đúng" if key else "Sai"

    def response_text(self, choices: list[str], response: Any) -> str:
        return "—" if response is None else ("Đúng" if response else "Sai")


TYPE = TrueFalse()
