"""The ledger's value checks: hours, score and completion date of a record (UserError, 422, Vietnamese
first). Used by the ledger services, the importers and the admin forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lms.core.clock import today_vn
from lms.core.errors import UserError


def check_hours(value: Any) -> Decimal:
    """Hours as a Decimal ≥ 0 with two decimals at most; UserError otherwise."""
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        hours = Decimal("NaN")
    if not hours.is_finite() or hours < 0 or hours > Decimal("9999.99"):
        raise UserError("Số giờ phải là số không âm (tối đa 9999,99).",
                        "Hours must be a non-negative number (at most 9999.99).", status=422, code="bad_hours")
    return hours.quantize(Decimal("0.01"))


def check_score(value: Any) -> Decimal | None:
    """A score in 0–100 (None when empty); UserError otherwise."""
    if value is None or str(value).strip() == "":
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        score = Decimal("NaN")
    if not score.is_finite() or score < 0 or score > 100:
        raise UserError("Điểm phải nằm trong khoảng 0–100.", "The score must be between 0 and 100.",
                        status=422, code="bad_score")
    return score.quantize(Decimal("0.01"))


def check_completed_on(value: date, today: date | None = None) -> date:
    """A completion date not in the future and not before 1950; UserError otherwise."""
    today = today or today_vn()
    if value > today:
        raise UserError("Ngày hoàn thành không được ở tương lai.", "The completion date cannot be in the future.",
                        status=422, code="future_date")
    if value.year < 1950:
        raise UserError("Ngày hoàn thành không hợp lệ (trước năm 1950).",
                        "The completion date is implausible (before 1950).", status=422, code="bad_date")
    return value
