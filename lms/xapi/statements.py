"""Building xAPI 1.0.3 statements from ledger facts (the profile: docs/xapi.md). Pure: no database here.

Verbs are the ADL vocabulary's (http://adlnet.gov/expapi/verbs/…); activity ids are IRIs under the LMS's
base URL built from the module's code and the package version's number, so they stay stable across
exports. The actor is an account (homePage = the LMS, name = the cadre's code): no e-mail leaves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
VERB_NAMES = {
    "completed": ("hoàn thành", "completed"),
    "passed": ("đạt", "passed"),
    "failed": ("không đạt", "failed"),
    "attended": ("tham dự", "attended"),
    "voided": ("hủy", "voided"),
}
#: ledger sources that make statements (imports and waivers make none)
SOURCES = frozenset({"online", "lti", "xblock", "assessment", "in_person"})
#: the namespace of our statement ids: uuid5(NAMESPACE, "<base url>|record:<id>|<verb>")
NAMESPACE = uuid.UUID("6f1d3c2e-5b8a-4c6e-9a51-3f0b7d2c8e41")


@dataclass(frozen=True)
class Facts:
    """What a statement says about one ledger record (gathered by :mod:`lms.xapi.outbox`)."""

    base_url: str
    record_id: int
    cadre_code: str
    source: str
    timestamp: datetime
    score: Decimal | None = None
    hours: Decimal = Decimal(0)
    module_code: str | None = None
    module_title: str = ""
    package_number: int | None = None
    success: str = "unknown"  #: the attempt's pass/fail: passed, failed or unknown
    class_id: int | None = None
    class_title: str = ""
    quiz_id: int | None = None
    platform: str | None = None  #: the LTI platform's name


def statement_id(base_url: str, record_id: int, verb: str) -> str:
    """Deterministic: the same record and verb always give the same id (resends are idempotent)."""
    return str(uuid.uuid5(NAMESPACE, f"{base_url}|record:{record_id}|{verb}"))


def activity_iri(base_url: str, *parts: object) -> str:
    return "/".join([base_url.rstrip("/"), "xapi", "activities", *(str(p) for p in parts)])


def verbs_for(facts: Facts) -> list[str]:
    """The verbs one record produces: a module completion is ``completed`` (+ ``passed``/``failed`` when the
    attempt says so), a passed quiz ``passed``, a class attendance ``attended``; others none."""
    if facts.source in ("online", "lti", "xblock") and facts.module_code:
        return ["completed"] + ([facts.success] if facts.success in ("passed", "failed") else [])
    if facts.source == "assessment":
        return ["passed"]
    if facts.source == "in_person":
        return ["attended"]
    return []


def build(facts: Facts, verb: str) -> dict[str, Any]:
    """The statement of ``verb`` for the record."""
    return {
        "id": statement_id(facts.base_url, facts.record_id, verb),
        "actor": actor(facts),
        "verb": {"id": ADL_VERBS + verb, "display": {"vi-VN": VERB_NAMES[verb][0], "en-US": VERB_NAMES[verb][1]}},
        "object": _object(facts),
        "result": _result(facts, verb),
        "context": _context(facts),
        "timestamp": _aware(facts.timestamp).isoformat(),
    }


def voiding(base_url: str, revocation_id: int, target: dict[str, Any]) -> dict[str, Any]:
    """The ``voided`` statement of a revocation: it points at a statement of the revoked record."""
    return {
        "id": statement_id(base_url, revocation_id, "voided:" + target["id"]),
        "actor": target["actor"],
        "verb": {"id": ADL_VERBS + "voided", "display": {"vi-VN": "hủy", "en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target["id"]},
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def actor(facts: Facts) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": facts.base_url, "name": facts.cadre_code}}


def _activity(iri: str, kind: str, title: str) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri,
            "definition": {"type": ADL_ACTIVITIES + kind, "name": {"vi-VN": title or iri}}}


def _object(facts: Facts) -> dict[str, Any]:
    if facts.source == "in_person" and facts.class_id is not None:
        return _activity(activity_iri(facts.base_url, "classes", facts.class_id), "meeting", facts.class_title)
    if facts.source == "assessment" and facts.quiz_id is not None:
        return _activity(activity_iri(facts.base_url, "quizzes", facts.quiz_id), "assessment", facts.module_title)
    return _activity(activity_iri(facts.base_url, "modules", facts.module_code), "module", facts.module_title)


def _result(facts: Facts, verb: str) -> dict[str, Any]:
    result: dict[str, Any] = {"completion": True}
    if verb in ("passed", "failed"):
        result["success"] = verb == "passed"
    if facts.score is not None:
        raw = float(facts.score)
        result["score"] = {"scaled": round(raw / 100, 4), "raw": raw, "min": 0, "max": 100}
    return result


def _context(facts: Facts) -> dict[str, Any]:
    context: dict[str, Any] = {"platform": f"LTI {facts.platform}" if facts.platform else "LMS Công đoàn",
                               "language": "vi-VN",
                               "registration": str(uuid.uuid5(NAMESPACE, f"{facts.base_url}|record:{facts.record_id}")),
                               "extensions": {activity_iri(facts.base_url, "extensions", "hours"): float(facts.hours)}}
    parents = []
    if facts.module_code and (facts.source in ("in_person", "assessment")):
        parents.append(_activity(activity_iri(facts.base_url, "modules", facts.module_code), "module",
                                 facts.module_title))
    if facts.module_code and facts.package_number is not None:
        context["contextActivities"] = {"other": [_activity(
            activity_iri(facts.base_url, "modules", facts.module_code, "versions", facts.package_number),
            "course", f"{facts.module_title} (v{facts.package_number})")]}
    if parents:
        context.setdefault("contextActivities", {})["parent"] = parents
    return context
