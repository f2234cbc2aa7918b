"""Helpers for the standards tests: modules, a requirement from a dict, records, reading statuses."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.catalog.models import Module
from lms.core.db import db
from lms.records.services import append_record
from lms.standards import engine, services
from lms.standards.loader import validate_standard
from lms.standards.models import ComplianceStatus


def gen_module(code: str, topic: str, hours: int = 4) -> Module:
    module = Module(code=code, title_vi=f"Học phần {code}", topic=topic, hours=hours)
    db.session.add(module)
    db.session.flush()
    return module


def standard(requirements: list[dict], code: str = "STD", target: int = 100, start: str = "2025-01-01",
             today: date = date(2025, 1, 1)):
    """Load a standard built from requirement dicts (defaults filled in); returns {code: Requirement}."""
    reqs = []
    for r in requirements:
        item = {"name_vi": f"Yêu cầu {r['code']}", "satisfied_by": [{"any_modules": ["M1"]}], **r}
        reqs.append(item)
    data = validate_standard({"code": code, "name_vi": "Chuẩn thử", "target_pct": target,
                              "effective_from": start, "requirements": reqs})
    std, _ = services.upsert_standard(data, today)
    return {r.code: r for r in std.requirements}


def record(cadre, day: date, module=None, topic: str | None = None, hours: float = 4, score=None, **kw):
    return append_record(cadre.id, source=kw.pop("source", "online" if module else "in_person"), completed_on=day,
                         topic=topic or (module.topic if module else "osh"), hours=hours,
                         module_id=module.id if module else None, score=score, **kw)


def status(cadre, req) -> ComplianceStatus | None:
    db.session.expire_all()
    return db.session.scalar(select(ComplianceStatus).where(ComplianceStatus.cadre_id == cadre.id,
                                                            ComplianceStatus.requirement_id == req.id))


def state_on(cadre, req, day: date) -> str | None:
    """Recompute for ``day`` and read the state."""
    engine.recompute(day)
    row = status(cadre, req)
    return None if row is None else row.state
