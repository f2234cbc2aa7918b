"""Standards edited through the admin forms: create a standard, change its attributes, add or version a
requirement — each refused when the result would apply to no cadre, and followed by a full recompute: a
background job after the commit (:func:`lms.standards.jobs.request_recompute`; in-process right after the
request without a job server), the pages saying the figures are being recomputed until it is done.

The forms produce the same raw dicts as the TOML/YAML files, so the loader's validation is the one rule
book (:mod:`lms.standards.loader`); files stay the import/export format (:func:`export_yaml`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import UserError
from lms.standards import engine, services
from lms.standards.jobs import request_recompute
from lms.standards.loader import validate_requirement, validate_standard
from lms.standards.models import Requirement, Standard
from lms.standards.reach import Reach, reach, warning


def _refuse_unmatched(std: Standard, code: str | None = None) -> Reach:
    """The standard's reach; :class:`UserError` (422) when it, or requirement ``code``, applies to nobody."""
    db.session.flush()
    db.session.expire(std, ["requirements"])
    found = reach(std)
    if found.nobody:
        vi, en = warning(std, found)
        raise UserError(vi + " Hãy sửa điều kiện áp dụng.", en + " Fix whom it applies to.", 422,
                        "standard_unmatched")
    if code is not None and found.per_requirement.get(code, 0) == 0:
        raise UserError(f"Yêu cầu {code} không áp dụng cho cán bộ nào. Hãy sửa điều kiện áp dụng.",
                        f"Requirement {code} applies to no cadre. Fix whom it applies to.", 422,
                        "standard_unmatched")
    return found


def _code_taken(model: type[Standard] | type[Requirement], code: str) -> bool:
    return db.session.scalar(select(model.id).where(model.code == code).limit(1)) is not None


def create_standard(data: dict[str, Any], item: dict[str, Any], user_id: int | None) -> tuple[Standard, Reach]:
    """A new standard with its first requirement; refused when the code exists or it matches nobody."""
    if _code_taken(Standard, data["code"]):
        raise UserError(f"Mã chuẩn {data['code']} đã có.", f"Standard code {data['code']} exists.", 409,
                        "standard_conflict")
    if _code_taken(Requirement, item["code"]):
        raise UserError(f"Mã yêu cầu {item['code']} đã có.", f"Requirement code {item['code']} exists.", 409,
                        "standard_conflict")
    valid = validate_standard({**data, "requirements": [item]})
    std, _ = services.upsert_standard({**valid, "is_example": False}, engine.today_vn(), user_id)
    found = _refuse_unmatched(std, item["code"])
    request_recompute()
    return std, found


def update_standard(std: Standard, data: dict[str, Any]) -> Reach:
    """Change the standard's own attributes (name, target, dates); its requirements keep their versions."""
    reqs = [{"code": "_", "name_vi": "_", "satisfied_by": [{"any_modules": ["_"]}]}]
    valid = validate_standard({**data, "code": std.code, "requirements": reqs})
    if valid["effective_to"] is not None and valid["effective_to"] <= valid["effective_from"]:
        raise UserError("Ngày hết áp dụng phải sau ngày áp dụng.", "The end date must follow the start date.", 422,
                        "standard_invalid")
    for key in ("name_vi", "name_en", "description", "target_pct", "effective_from", "effective_to"):
        setattr(std, key, valid[key])
    found = _refuse_unmatched(std)
    request_recompute()
    return found


def add_requirement(std: Standard, raw: dict[str, Any], user_id: int | None) -> Reach:
    """A new requirement (version 1) of ``std``; refused when its code exists or it applies to nobody."""
    if _code_taken(Requirement, raw["code"]):
        raise UserError(f"Mã yêu cầu {raw['code']} đã có.", f"Requirement code {raw['code']} exists.", 409,
                        "standard_conflict")
    item = validate_requirement(raw, std.code)
    start = max(item["effective_from"] or std.effective_from, engine.today_vn())
    services.save_requirement(std, item, start, engine.today_vn(), user_id)
    found = _refuse_unmatched(std, item["code"])
    request_recompute()
    return found


def version_requirement(current: Requirement, raw: dict[str, Any], effective_from: date,
                        user_id: int | None) -> tuple[bool, Reach]:
    """Save an edited requirement as a new version from ``effective_from`` (never in the past)."""
    today = engine.today_vn()
    if effective_from < today:
        raise UserError("Ngày áp dụng không được ở quá khứ (không sửa lịch sử).",
                        "The effective date cannot be in the past (history is never rewritten).", 422,
                        "standard_invalid")
    item = validate_requirement(raw)
    changed = bool(services.save_requirement(current.standard, item, effective_from, today, user_id))
    found = _refuse_unmatched(current.standard, current.code)
    if changed:
        request_recompute()
    return changed, found


# --------------------------------------------------------------------------- export


def _requirement_dict(req: Requirement) -> dict[str, Any]:
    alternatives = [{alt["kind"]: alt["modules"]} if alt["kind"] != "hours" else
                    {k: alt[k] for k in ("hours", "topic", "period_months")} for alt in req.satisfied_by]
    out: dict[str, Any] = {"code": req.code, "name_vi": req.name_vi, "name_en": req.name_en,
                           "applies_to": req.applies_to or {}, "satisfied_by": alternatives,
                           "validity_months": req.validity_months, "renewal_days": req.renewal_days,
                           "effective_from": req.effective_from}
    for key in ("due_days", "due_date"):
        if getattr(req, key) is not None:
            out[key] = getattr(req, key)
    if req.min_score is not None:
        out["min_score"] = float(req.min_score)
    return out


def export_yaml(std: Standard) -> str:
    """The standard with its current requirement versions, as YAML the loader reads back unchanged."""
    data: dict[str, Any] = {"code": std.code, "name_vi": std.name_vi, "name_en": std.name_en,
                            "description": std.description, "target_pct": float(std.target_pct),
                            "effective_from": std.effective_from, "is_example": std.is_example,
                            "requirements": [_requirement_dict(r) for r in std.requirements
                                             if r.effective_to is None]}
    if std.effective_to is not None:
        data["effective_to"] = std.effective_to
    return yaml.safe_dump({"standard": data}, allow_unicode=True, sort_keys=False)
