"""Load standards from TOML or YAML files (so they can live in version control).

File format (TOML; YAML has the same shape)::

    [standard]
    code = "CB-CHUYEN-TRACH"
    name_vi = "…"
    target_pct = 100
    effective_from = 2025-07-01

    [[standard.requirements]]
    code = "CT-LCD"
    name_vi = "…"
    applies_to = { employment = ["full_time"] }
    satisfied_by = [ { any_modules = ["LCD2024"] }, { hours = 8, topic = "union_law", period_months = 12 } ]
    due_days = 365
    validity_months = 60
    renewal_days = 90

Loading is idempotent: an unchanged requirement is left alone; a changed one gets a new version
effective from the file's ``effective_from`` for it (or the standard's, or today), never rewriting history.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from lms.catalog.models import Topic
from lms.core.errors import UserError
from lms.standards import criteria

REQUIREMENT_KEYS = {"code", "name_vi", "name_en", "applies_to", "satisfied_by", "min_score", "due_days",
                    "due_date", "validity_months", "renewal_days", "effective_from"}
STANDARD_KEYS = {"code", "name_vi", "name_en", "description", "target_pct", "effective_from", "effective_to",
                 "is_example", "requirements"}


def _bad(vi: str, en: str) -> UserError:
    return UserError(vi, en, status=422, code="standard_invalid")


def read_file(path: str | Path) -> list[dict[str, Any]]:
    """Parse a TOML or YAML file into validated standard dicts (a file may hold ``standard`` or ``standards``)."""
    path = Path(path)
    raw = path.read_bytes()
    return parse(raw, path.suffix.lower())


def parse(raw: bytes, suffix: str) -> list[dict[str, Any]]:
    """Parse file content by its suffix (.toml, .yaml, .yml) and validate it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad("Tệp không phải UTF-8.", "The file is not UTF-8.") from exc
    try:
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise _bad("Chỉ nhận tệp .toml, .yaml hoặc .yml.", "Only .toml, .yaml or .yml files are accepted.")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise _bad(f"Tệp không đọc được: {exc}", f"The file cannot be parsed: {exc}") from exc
    if not isinstance(data, dict):
        raise _bad("Tệp phải chứa bảng [standard].", "The file must contain a [standard] table.")
    items = data.get("standards") or ([data["standard"]] if "standard" in data else [])
    if not isinstance(items, list) or not items:
        raise _bad("Tệp phải chứa bảng [standard].", "The file must contain a [standard] table.")
    return [validate_standard(item) for item in items]


def _date(value: Any, field: str, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise _bad(f"Thiếu {field}.", f"{field} is missing.")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _bad(f"{field} không phải ngày (YYYY-MM-DD): {value}", f"{field} is not a date: {value}") from exc


def _int(value: Any, field: str, default: int | None, minimum: int = 0) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(f"{field} phải là số nguyên ≥ {minimum}.", f"{field} must be an integer ≥ {minimum}.")
    return value


def _pct(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise _bad(f"{field} phải là số.", f"{field} must be a number.") from exc
    if isinstance(value, bool) or not (0 <= number <= 100):
        raise _bad(f"{field} phải từ 0 đến 100.", f"{field} must be between 0 and 100.")
    return number


def _text(value: Any, field: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(f"Thiếu hoặc sai {field}.", f"{field} is missing or not text.")
    return value.strip()


def validate_standard(item: Any) -> dict[str, Any]:
    """A normalised standard dict with its requirements; :class:`UserError` naming the first problem."""
    if not isinstance(item, dict):
        raise _bad("Mỗi chuẩn phải là một bảng.", "Each standard must be a table.")
    unknown = set(item) - STANDARD_KEYS
    if unknown:
        raise _bad(f"Khóa không hợp lệ: {', '.join(sorted(unknown))}.", f"Unknown keys: {', '.join(sorted(unknown))}.")
    out = {
        "code": _text(item.get("code"), "code"), "name_vi": _text(item.get("name_vi"), "name_vi"),
        "name_en": _text(item.get("name_en"), "name_en", False),
        "description": _text(item.get("description"), "description", False),
        "target_pct": _pct(item.get("target_pct", 100), "target_pct"),
        "effective_from": _date(item.get("effective_from"), "effective_from", True),
        "effective_to": _date(item.get("effective_to"), "effective_to"),
        "is_example": bool(item.get("is_example", False)),
    }
    reqs = item.get("requirements") or []
    if not isinstance(reqs, list) or not reqs:
        raise _bad(f"Chuẩn {out['code']} không có yêu cầu nào.", f"Standard {out['code']} has no requirements.")
    out["requirements"] = [validate_requirement(r, out["code"]) for r in reqs]
    codes = [r["code"] for r in out["requirements"]]
    if len(set(codes)) != len(codes):
        raise _bad("Mã yêu cầu bị trùng.", "Duplicate requirement codes.")
    return out


def validate_requirement(item: Any, where: str = "") -> dict[str, Any]:
    """A normalised requirement dict (applies_to, satisfied_by, timing)."""
    if not isinstance(item, dict):
        raise _bad("Mỗi yêu cầu phải là một bảng.", "Each requirement must be a table.")
    code = _text(item.get("code"), "code")
    try:
        unknown = set(item) - REQUIREMENT_KEYS
        if unknown:
            raise _bad(f"Khóa không hợp lệ: {', '.join(sorted(unknown))}.",
                       f"Unknown keys: {', '.join(sorted(unknown))}.")
        out = {
            "code": code, "name_vi": _text(item.get("name_vi"), "name_vi"),
            "name_en": _text(item.get("name_en"), "name_en", False),
            "applies_to": criteria.validate(item.get("applies_to") or {}),
            "satisfied_by": [validate_alternative(a) for a in _list(item.get("satisfied_by"))],
            "min_score": _pct(item.get("min_score"), "min_score"),
            "due_days": _int(item.get("due_days"), "due_days", None),
            "due_date": _date(item.get("due_date"), "due_date"),
            "validity_months": _int(item.get("validity_months"), "validity_months", 0),
            "renewal_days": _int(item.get("renewal_days"), "renewal_days", 60),
            "effective_from": _date(item.get("effective_from"), "effective_from"),
        }
    except UserError as exc:
        exc.message_vi = f"Yêu cầu {code}: {exc.message_vi}"
        exc.message_en = f"Requirement {code}: {exc.message_en}"
        raise
    if out["due_days"] is not None and out["due_date"] is not None:
        raise _bad(f"Yêu cầu {code}: chỉ chọn due_days hoặc due_date.", f"Requirement {code}: due_days or due_date, not both.")
    return out


def _list(value: Any) -> list:
    if not isinstance(value, list) or not value:
        raise _bad("satisfied_by phải là danh sách không rỗng.", "satisfied_by must be a non-empty list.")
    return value


def validate_alternative(alt: Any) -> dict[str, Any]:
    """One way to satisfy a requirement, normalised to {"kind": …}."""
    if not isinstance(alt, dict):
        raise _bad("Mỗi cách đáp ứng phải là một bảng.", "Each alternative must be a table.")
    if "any_modules" in alt or "all_modules" in alt:
        kind = "any_modules" if "any_modules" in alt else "all_modules"
        if set(alt) != {kind}:
            raise _bad("Mỗi cách đáp ứng chỉ có một loại.", "An alternative has exactly one kind.")
        modules = alt[kind]
        if not isinstance(modules, list) or not modules or not all(isinstance(m, str) and m for m in modules):
            raise _bad(f"{kind} phải là danh sách mã học phần.", f"{kind} must be a list of module codes.")
        return {"kind": kind, "modules": sorted(set(modules))}
    if "hours" in alt:
        if set(alt) - {"hours", "topic", "period_months"}:
            raise _bad("Cách đáp ứng theo giờ chỉ có hours, topic, period_months.",
                       "An hours alternative has only hours, topic and period_months.")
        try:
            hours = Decimal(str(alt["hours"]))
        except InvalidOperation as exc:
            raise _bad("hours phải là số.", "hours must be a number.") from exc
        if isinstance(alt["hours"], bool) or hours <= 0:
            raise _bad("hours phải lớn hơn 0.", "hours must be greater than 0.")
        if alt.get("topic") not in {t.value for t in Topic}:
            raise _bad(f"Chủ đề không hợp lệ: {alt.get('topic')}.", f"Invalid topic: {alt.get('topic')}.")
        period = _int(alt.get("period_months"), "period_months", None, minimum=1)
        if period is None:
            raise _bad("Thiếu period_months.", "period_months is missing.")
        return {"kind": "hours", "hours": float(hours), "topic": alt["topic"], "period_months": period}
    raise _bad("Cách đáp ứng phải là any_modules, all_modules hoặc hours.",
               "An alternative is any_modules, all_modules or hours.")
