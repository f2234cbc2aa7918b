"""Applicability rules ("whom a requirement applies to"): validate, compile to SQL, evaluate in Python.

A rule is a JSON object; every key present must hold (AND), a list means any of its values (OR):

``employment`` [full_time|part_time] · ``positions`` [Position] · ``is_key`` true/false ·
``org_units`` [unit codes; the unit and its subtree] · ``levels`` [level label of the cadre's own
unit] · ``gender`` [male|female]. An empty rule applies to every active cadre.

:func:`compile_sql` and :func:`matches` must agree; the tests check them against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import UserError
from lms.org.models import Employment, Gender, OrgUnit, Position

KEYS = {"employment", "positions", "is_key", "org_units", "levels", "gender"}
_VOCAB = {"employment": {e.value for e in Employment}, "positions": {p.value for p in Position},
          "gender": {g.value for g in Gender}}


def validate(rule: dict[str, Any]) -> dict[str, Any]:
    """A normalised copy of ``rule``; :class:`UserError` (code ``standard_invalid``) when it is wrong."""
    if not isinstance(rule, dict):
        raise _bad("Điều kiện áp dụng phải là một bảng khóa–giá trị.", "applies_to must be a table.")
    unknown = set(rule) - KEYS
    if unknown:
        raise _bad(f"Khóa không hợp lệ trong điều kiện áp dụng: {', '.join(sorted(unknown))}.",
                   f"Unknown applies_to keys: {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    for key, value in rule.items():
        if key == "is_key":
            if not isinstance(value, bool):
                raise _bad("is_key phải là true hoặc false.", "is_key must be true or false.")
            out[key] = value
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise _bad(f"{key} phải là danh sách chuỗi không rỗng.", f"{key} must be a non-empty list of strings.")
        allowed = _VOCAB.get(key)
        if allowed is not None and set(values) - allowed:
            bad = ", ".join(sorted(set(values) - allowed))
            raise _bad(f"Giá trị không hợp lệ cho {key}: {bad}.", f"Invalid value for {key}: {bad}.")
        out[key] = sorted(set(values))
    return out


def _bad(vi: str, en: str) -> UserError:
    return UserError(vi, en, status=422, code="standard_invalid")


@dataclass(frozen=True)
class CadreFacts:
    """What a rule looks at, for one cadre."""

    employment: str
    position: str
    is_key: bool
    gender: str
    org_path: str
    org_level: str
    active: bool = True


def unit_paths(codes: list[str]) -> list[str]:
    """The paths of the units with ``codes`` (unknown codes match nothing)."""
    if not codes:
        return []
    return list(db.session.scalars(select(OrgUnit.path).where(OrgUnit.code.in_(codes))))


def matches(rule: dict[str, Any], facts: CadreFacts, paths: list[str] | None = None) -> bool:
    """Python predicate: does ``rule`` apply to the cadre described by ``facts``?"""
    if not facts.active:
        return False
    for key, attr in (("employment", "employment"), ("positions", "position"), ("gender", "gender"),
                      ("levels", "org_level")):
        if key in rule and getattr(facts, attr) not in rule[key]:
            return False
    if "is_key" in rule and facts.is_key != rule["is_key"]:
        return False
    if "org_units" in rule:
        paths = unit_paths(rule["org_units"]) if paths is None else paths
        if not any(facts.org_path.startswith(p) for p in paths):
            return False
    return True


def compile_sql(rule: dict[str, Any], prefix: str, cadre: str = "c", unit: str = "u") -> tuple[str, dict]:
    """SQL condition over ``cadres {cadre}`` joined to ``org_units {unit}``, with its bind parameters."""
    parts = [f"{cadre}.active = :{prefix}_active"]
    params: dict[str, Any] = {f"{prefix}_active": True}
    for key, column in (("employment", f"{cadre}.employment"), ("positions", f"{cadre}.position"),
                        ("gender", f"{cadre}.gender"), ("levels", f"{unit}.level")):
        if key in rule:
            names = []
            for i, value in enumerate(rule[key]):
                names.append(f":{prefix}_{key}_{i}")
                params[f"{prefix}_{key}_{i}"] = value
            parts.append(f"{column} IN ({', '.join(names)})")
    if "is_key" in rule:
        parts.append(f"{cadre}.is_key = :{prefix}_is_key")
        params[f"{prefix}_is_key"] = rule["is_key"]
    if "org_units" in rule:
        ranges = []
        for i, path in enumerate(unit_paths(rule["org_units"])):
            params[f"{prefix}_p{i}"], params[f"{prefix}_pe{i}"] = path, path[:-1] + "0"
            ranges.append(f"({unit}.path >= :{prefix}_p{i} AND {unit}.path < :{prefix}_pe{i})")
        parts.append("(" + " OR ".join(ranges) + ")" if ranges else "1 = 0")
    return " AND ".join(parts), params
