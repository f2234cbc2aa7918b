"""Numeric answer with a tolerance."""

from __future__ import annotations

import math
from typing import Any

from lms.assessments.qtypes.base import QuestionType, ResponseError


def _number(raw: Any) -> float:
    """A number typed the Vietnamese way ("2,5") or the English way ("2.5")."""
    if isinstance(raw, bool):
        raise ValueError("bool")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


class Numeric(QuestionType):
    """Right when |answer − key| ≤ tolerance."""

    name = "numeric"
    label = ("Trả lời bằng số", "Numeric")
    has_choices = False
    min_choices = 0

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        errors = []
        if choices:
            errors.append(("Câu trả lời bằng số không có lựa chọn.", "A numeric question has no choices."))
        if not isinstance(key, int | float) or isinstance(key, bool) or not math.isfinite(key):
            errors.append(("Đáp án phải là một số.", "The key must be a number."))
        if not isinstance(tolerance, int | float) or tolerance < 0:
            errors.append(("Sai số cho phép phải là số ≥ 0.", "The tolerance must be a number ≥ 0."))
        return errors

    def normalize_key(self, key: Any) -> Any:
        return float(key)

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            return _number(raw)
        except (TypeError, ValueError):
            raise ResponseError("Câu trả lời phải là một số.", "The answer must be a number.") from None

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        if response is None:
            return 0.0
        return 1.0 if abs(float(response) - float(key)) <= float(tolerance) + 1e-9 else 0.0

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        if response is None:
            return ""
        return format(float(response), ".15g")

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        return format(float(key), ".15g") + (f" ± {tolerance:g}" if tolerance else "")

    def response_text(self, choices: list[str], response: Any) -> str:
        return "—" if response is None else format(float(response), ".15g")


TYPE = Numeric()
