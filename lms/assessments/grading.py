"""Server-side grading of attempt items and attempts (keys never leave the server before submission)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from lms.assessments import qtypes
from lms.assessments.models import AttemptItem, QuestionVersion


def grade_response(version: QuestionVersion, response: object) -> float:
    """Credit 0–1 of ``response`` for ``version`` (its type's plugin decides)."""
    qtype = qtypes.get(version.qtype)
    return qtype.grade(list(version.choices or []), version.key, float(version.tolerance or 0), response)


def grade_item(item: AttemptItem) -> float:
    """Grade one attempt item on its saved response and store the credit."""
    item.credit = grade_response(item.version, item.response)
    return item.credit


def percent(points: float, max_points: int) -> Decimal:
    """Score in percent with 2 decimals (half up); 0 when there are no questions."""
    if max_points <= 0:
        return Decimal("0.00")
    value = Decimal(str(points)) * Decimal(100) / Decimal(max_points)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
