"""What the learner sees: their requirements (from the standards engine), modules in progress, the
catalogue, and one module's page — built from the engine's per-cadre statuses and the player's
attempts, never recomputed here. Reads only; no writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.catalog.models import TOPIC_LABELS, Module
from lms.core.db import db
from lms.org.models import Cadre
from lms.player import rules
from lms.player.attempts import ModuleProgress, attempts_of, available_modules, my_modules
from lms.player.grading import VN
from lms.player.models import Attempt
from lms.records.models import SOURCE_LABELS
from lms.reports.models import Certificate
from lms.standards.services import requirements_for_learner

#: states in which a requirement still asks something of the learner
OPEN_STATES = frozenset({"overdue", "expired", "due_soon", "not_yet_due"})
#: states shown as late (red)
LATE_STATES = frozenset({"overdue", "expired"})


def topic_label(code: str | None) -> tuple[str, str]:
    """The (Vietnamese, English) name of a topic code (``osh`` → "An toàn, vệ sinh lao động")."""
    return next((pair for topic, pair in TOPIC_LABELS.items() if topic.value == code), (code or "", code or ""))


def source_label(code: str) -> tuple[str, str]:
    """The (Vietnamese, English) name of a record's source."""
    return next((pair for src, pair in SOURCE_LABELS.items() if src.value == code), (code, code))


@dataclass
class Requirement:
    """One requirement that applies to the learner: the engine's status row, in plain words."""

    row: dict[str, Any]
    #: hours alternatives with the topic's name: [{"hours", "months", "topic": (vi, en)}]
    hours: list[dict[str, Any]] = field(default_factory=list)
    #: the records that counted (the "why"): [{"module", "topic", "source", "completed_on", "hours"}]
    why: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.row["state"]

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def late(self) -> bool:
        return self.state in LATE_STATES

    @property
    def renewal(self) -> bool:
        """A met requirement whose validity ends soon or has ended (renewal due)."""
        return self.row["satisfied_on"] is not None and self.state in {"due_soon", "expired"}

    @property
    def modules(self) -> list[Module]:
        return self.row["modules"]


def requirements(cadre: Cadre) -> list[Requirement]:
    """The requirements that apply to ``cadre``, most urgent first (``standards.services``), each with the
    records that counted in plain words."""
    rows = requirements_for_learner(cadre)
    ids = {r.module_id for row in rows for r in row["records"] if r.module_id}
    titles = {m.id: m for m in db.session.scalars(select(Module).where(Module.id.in_(ids)))} if ids else {}
    out = []
    for row in rows:
        hours = [{"hours": alt["hours"], "months": alt["period_months"], "topic": topic_label(alt.get("topic"))}
                 for alt in row["hours"]]
        out.append(Requirement(row, hours, [_why(r, titles) for r in row["records"]]))
    return out


def _why(record: Any, modules: dict[int, Module]) -> dict[str, Any]:
    """A record that counted toward a requirement: what (module or topic), how (source), when, hours."""
    module = modules.get(record.module_id) if record.module_id else None
    return {"module": module, "topic": topic_label(record.topic), "source": source_label(record.source),
            "completed_on": record.completed_on, "hours": record.hours}


@dataclass
class Home:
    """The "my learning" page: requirements, modules in progress, finished modules, the catalogue."""

    requirements: list[Requirement]
    in_progress: list[ModuleProgress]
    finished: list[ModuleProgress]
    catalogue: list[Module]
    #: module id → the open requirements it satisfies (marks "required" in the lists)
    required: dict[int, list[Requirement]]

    def late(self, module: Module) -> bool:
        return any(r.late for r in self.required.get(module.id, ()))


def home(cadre: Cadre) -> Home:
    """Everything "my learning" shows for ``cadre``."""
    reqs = requirements(cadre)
    rows = my_modules(cadre.id)
    required: dict[int, list[Requirement]] = {}
    for req in reqs:
        if req.open:
            for module in req.modules:
                required.setdefault(module.id, []).append(req)
    started = {r.module.id for r in rows}
    catalogue = sorted(available_modules(started), key=lambda m: (m.id not in required, m.code))
    return Home(reqs, [r for r in rows if r.status != "completed"], [r for r in rows if r.status == "completed"],
                catalogue, required)


# --- the module page ---------------------------------------------------------------------------------


@dataclass
class AttemptLine:
    """One attempt in plain words: number, status, score, dates, time spent."""

    number: int
    status: str
    score: Decimal | None
    started: date | None
    finished: date | None
    minutes: int
    attempt_id: int


@dataclass
class ModulePage:
    """The learner's page of one module."""

    module: Module
    topic: tuple[str, str]
    requirements: list[Requirement]
    progress: ModuleProgress | None
    attempts: list[AttemptLine]
    certificate: Certificate | None
    #: "start", "resume" or "result" (a finished module opens on its result)
    action: str
    can_retake: bool
    attempts_left: int | None

    @property
    def latest(self) -> Attempt | None:
        return self.progress.latest if self.progress else None


def local_day(at: datetime | None) -> date | None:
    """The Vietnamese calendar day of a stored time (the ledger's days are Vietnamese days too)."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(VN).date()


def _line(attempt: Attempt) -> AttemptLine:
    return AttemptLine(attempt.number, attempt.status, attempt.score, local_day(attempt.started_at),
                       local_day(attempt.completed_at), int((attempt.total_seconds or 0) // 60), attempt.id)


def module_page(cadre: Cadre, module: Module) -> ModulePage:
    """What the module page shows to ``cadre``."""
    attempts = attempts_of(cadre.id, module.id)
    progress = None
    if attempts:
        progress = ModuleProgress(module, attempts, rules.grade([a.score for a in attempts], module.grading),
                                  any(a.rule_met for a in attempts))
    mine = [r for r in requirements(cadre) if any(m.id == module.id for m in r.modules)]
    latest = attempts[-1] if attempts else None
    action = "start" if latest is None else ("result" if rules.finished(latest) else "resume")
    left = max(module.attempts_allowed - len(attempts), 0) if module.attempts_allowed else None
    retake = action == "result" and left != 0
    return ModulePage(module, topic_label(module.topic), mine, progress, [_line(a) for a in attempts],
                      module_certificate(cadre.id, module.id), action, retake, left)


def module_certificate(cadre_id: int, module_id: int) -> Certificate | None:
    """The learner's valid certificate of a module (the latest), if any."""
    return db.session.scalar(select(Certificate).where(
        Certificate.cadre_id == cadre_id, Certificate.module_id == module_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.completed_on.desc(), Certificate.id.desc()).limit(1))


def deadline_of(req: Requirement) -> date | None:
    """The date that matters to the learner: the due date, or the end of validity once met."""
    return req.row["deadline"]
