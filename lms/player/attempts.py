"""Attempts: choose, start and list a cadre's attempts on a module; the pages' queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from lms.catalog.models import Module, PackageVersion
from lms.core.db import db, insert_once, utcnow
from lms.core.errors import UserError
from lms.org.models import Cadre
from lms.player import rules
from lms.player.launch import manifest_of, sco_items
from lms.player.models import Attempt, ScoState


def attempts_of(cadre_id: int, module_id: int) -> list[Attempt]:
    """The cadre's attempts on a module, in order."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.cadre_id == cadre_id, Attempt.module_id == module_id).order_by(Attempt.number)))


def open_attempt(cadre: Cadre, module: Module, *, want_new: bool = False) -> Attempt:
    """The attempt a launch plays, by the module's attempt policy (creating one when due).

    Raises :class:`UserError` when the module has no published package or no attempt is left.
    """
    attempts = attempts_of(cadre.id, module.id)
    latest = attempts[-1] if attempts else None
    choice = rules.choose_attempt(latest.number if latest else 0, bool(latest and latest.status == "completed"),
                                  module.new_attempt, module.attempts_allowed, want_new=want_new)
    if choice.action == "resume" and latest is not None:
        return latest
    if choice.action == "exhausted":
        raise UserError(f"Bạn đã dùng hết {module.attempts_allowed} lượt học của học phần này.",
                        f"You have used all {module.attempts_allowed} attempts of this module.",
                        status=409, code="attempts_exhausted")
    if module.published_version_id is None or not module.active:
        raise UserError("Học phần chưa có gói bài học được phát hành.", "The module has no published package.",
                        status=404, code="not_published")
    return start_attempt(cadre, module, module.published_version, choice.number)


def start_attempt(cadre: Cadre, module: Module, version: PackageVersion, number: int) -> Attempt:
    """Create attempt ``number`` on ``version`` with one state row per SCO.

    The database decides between parallel launches: the row is inserted with ``ON CONFLICT (cadre,
    module, number) DO NOTHING`` (the unique constraint), so two launches that both chose number ``n``
    get one attempt ``n`` — the second waits for the first and plays it. No launch can create a number
    the policy did not choose, so ``attempts_allowed`` cannot be exceeded (tests/security)."""
    attempt = insert_once(Attempt, ("cadre_id", "module_id", "number"), {
        "cadre_id": cadre.id, "module_id": module.id, "package_version_id": version.id, "number": number,
        "rule_reasons": [], "status": "not_attempted", "success": "unknown", "total_seconds": 0,
        "rule_met": False, "started_at": utcnow(), "updated_at": utcnow()})
    if attempt is None:  # a parallel launch created it: play that one
        return db.session.scalars(select(Attempt).where(
            Attempt.cadre_id == cadre.id, Attempt.module_id == module.id, Attempt.number == number)
            .execution_options(populate_existing=True)).one()
    for item in sco_items(manifest_of(version)):
        db.session.add(ScoState(attempt_id=attempt.id, sco_id=item.identifier, cmi={}))
    db.session.flush()
    return attempt


# --- pages ----------------------------------------------------------------------------------------------


@dataclass
class ModuleProgress:
    """A row of "my modules": the module, its attempts and the grade across them."""

    module: Module
    attempts: list[Attempt]
    grade: Decimal | None
    met: bool

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def status(self) -> str:
        if self.met:
            return "completed"
        return self.latest.status if self.latest else "not_attempted"


def my_modules(cadre_id: int) -> list[ModuleProgress]:
    """The modules the cadre has attempts on, most recent first."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.cadre_id == cadre_id)
                                  .order_by(Attempt.module_id, Attempt.number)).all()
    by_module: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_module.setdefault(attempt.module_id, []).append(attempt)
    rows = [ModuleProgress(items[0].module, items, rules.grade([a.score for a in items], items[0].module.grading),
                           any(a.rule_met for a in items)) for items in by_module.values()]
    return sorted(rows, key=lambda r: max(a.updated_at for a in r.attempts), reverse=True)


def available_modules(exclude: set[int] | None = None) -> list[Module]:
    """Active modules with a published package."""
    query = select(Module).where(Module.active.is_(True), Module.published_version_id.is_not(None)).order_by(
        Module.code)
    return [m for m in db.session.scalars(query) if m.id not in (exclude or set())]


def attempt_counts(module_ids: list[int]) -> dict[int, int]:
    """Number of attempts per module (for lecturer pages)."""
    rows = db.session.execute(select(Attempt.module_id, func.count()).where(Attempt.module_id.in_(module_ids))
                              .group_by(Attempt.module_id))
    return dict(rows.all())


INTERACTION_FIELDS = ("id", "type", "description", "learner_response", "student_response", "correct_responses.0.pattern",
                      "result", "weighting", "latency", "timestamp", "time")
OBJECTIVE_FIELDS = ("id", "status", "success_status", "completion_status", "score.raw", "score.scaled",
                    "progress_measure")


def readable_state(cmi: dict[str, Any], version: str) -> dict[str, Any]:
    """Split a flat state into scalar elements, interactions and objectives (rows of dicts) for tables."""
    scalars: dict[str, Any] = {}
    arrays: dict[str, dict[int, dict[str, Any]]] = {"interactions": {}, "objectives": {}}
    for key, value in sorted(cmi.items()):
        parts = key.split(".")
        array = parts[1] if len(parts) > 3 and parts[0] == "cmi" else ""
        if array in arrays and parts[2].isdigit():
            arrays[array].setdefault(int(parts[2]), {})[".".join(parts[3:])] = value
        elif key.startswith("cmi.core.") or key.count(".") <= 2:
            scalars[key] = value
        else:
            scalars[key] = value
    return {
        "scalars": scalars,
        "interactions": [arrays["interactions"][i] for i in sorted(arrays["interactions"])],
        "objectives": [arrays["objectives"][i] for i in sorted(arrays["objectives"])],
        "interaction_fields": INTERACTION_FIELDS,
        "objective_fields": OBJECTIVE_FIELDS,
    }


def scoped_attempts(user: Any, module_id: int) -> list[Attempt]:
    """Attempts on a module by the cadres the user may see (lms.accounts.scope)."""
    from lms.accounts.scope import visible_cadres

    cadre_ids = visible_cadres(user).with_only_columns(Cadre.id)
    return list(db.session.scalars(select(Attempt).where(Attempt.module_id == module_id,
                                                         Attempt.cadre_id.in_(cadre_ids))
                                   .order_by(Attempt.cadre_id, Attempt.number)))
