"""Scores of graded attempts (the credits come from the question types; keys never leave the server
before submission — see :func:`lms.assessments.services.close`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(points: float, max_points: int) -> Decimal:
    """Score in percent with 2 decimals (half up); 0 when there are no questions."""
    if max_points <= 0:
        return Decimal("0.00")
    value = Decimal(str(points)) * Decimal(100) / Decimal(max_points)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
