"""Demo training history: what each cadre with a requirement has done, so that every province shows a mix
of cadres meeting the standard, due soon (renewal or a first deadline near) and overdue.

Routes are the ones a federation uses: online modules (``online``), quizzes passed (``assessment``),
in-person classes recorded through the class list (``in_person``, closed classes) and older classes from
the province's tracking books (``import``). Dates are relative to the day of seeding; every row has a
dedupe key, and the step runs once (a second ``lms demo`` finds its marker and changes nothing).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.accounts.services import find_user
from lms.catalog.models import Module
from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.records.classes import ClassData, add_attendee, close_class, create_class
from lms.records.models import TrainingRecord
from lms.records.services import append_records_bulk

SEED = 20261204
BASE_LEVEL = "Công đoàn cơ sở"
#: module → months a completion counts for the cadre (OSH for ATVSV: 24, the rest: one union term)
TERM_MONTHS, OSH_MONTHS = 60, 24
PLACES = {"HN": "Cung Văn hóa Lao động Hữu nghị Việt Xô", "CB": "Hội trường LĐLĐ tỉnh Cao Bằng",
          "HCM": "Nhà Văn hóa Lao động Thành phố Hồ Chí Minh"}


@dataclass(frozen=True)
class Done:
    """One planned completion: who, which module, when, and by which route."""

    cadre: Cadre
    province: str
    module: Module
    day: date
    route: str  #: online | assessment | class | import


def _needs(cadre: Cadre, level: str) -> list[tuple[str, int]]:
    """(module code, validity months) the shipped example standards ask of this cadre."""
    out: dict[str, int] = {}
    if cadre.employment == "full_time":
        out.update({"LCD2024": TERM_MONTHS, "TCCD": TERM_MONTHS, "ATVSLD": TERM_MONTHS, "DTDC": TERM_MONTHS})
    if cadre.is_key and level == BASE_LEVEL:
        out.update({"LCD2024": TERM_MONTHS, "ATVSLD": min(out.get("ATVSLD", TERM_MONTHS), TERM_MONTHS)})
    if cadre.position == "osh_officer":
        out["ATVSLD"] = OSH_MONTHS
    return sorted(out.items())


def _months_ago(today: date, months: int) -> date:
    return today - timedelta(days=round(months * 30.44))


def _when(rng: random.Random, cadre: Cadre, months: int, today: date, profile: str) -> date | None:
    """A completion day for the cadre's profile, or None (not done)."""
    start = max(cadre.appointed_on or date(2019, 1, 1), _months_ago(today, months - 4))
    if profile == "renewal":  # in the renewal window: valid for 1–2 more months
        return _months_ago(today, months) + timedelta(days=rng.randint(20, 50))
    if profile == "expired":
        return _months_ago(today, months) - timedelta(days=rng.randint(15, 200))
    if profile == "done" and start < today - timedelta(days=3):
        return start + timedelta(days=rng.randint(0, (today - timedelta(days=3) - start).days))
    return None


def _profile(rng: random.Random) -> str:
    """Per cadre: mostly up to date; some in renewal, some with nothing or a lapsed record."""
    return rng.choices(["done", "renewal", "partial", "none", "expired"], [52, 10, 18, 14, 6])[0]


def plan(today: date) -> list[Done]:
    """Every completion to seed, deterministic for a given day."""
    rng = random.Random(SEED)
    modules = {m.code: m for m in db.session.scalars(select(Module))}
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    province = {u.id: _province(u, units) for u in units.values()}
    out = []
    for cadre in db.session.scalars(select(Cadre).where(Cadre.active).order_by(Cadre.code)):
        needs = [(code, months) for code, months in _needs(cadre, units[cadre.org_unit_id].level) if code in modules]
        if not needs:
            continue
        profile = _profile(rng)
        for i, (code, months) in enumerate(needs):
            mine = profile if profile != "partial" else ("done" if i % 2 == 0 else "none")
            if mine == "renewal" and i > 0:
                mine = "done"
            day = _when(rng, cadre, months, today, mine)
            if day is not None:
                route = rng.choices(["online", "assessment", "class", "import"], [42, 22, 22, 14])[0]
                out.append(Done(cadre, province[cadre.org_unit_id], modules[code], day, route))
    return out


def _province(unit: OrgUnit, units: dict[int, OrgUnit]) -> str:
    parts = [p for p in unit.path.split("/") if p]
    return units[int(parts[1])].code if len(parts) > 1 else units[int(parts[0])].code


def _ledger_row(done: Done, rng: random.Random) -> dict:
    score = None if done.route == "import" else Decimal(rng.randint(72, 100))
    hours = done.module.hours if done.route != "import" else 16
    evidence = ({"file": f"so-theo-doi-{done.province}-{done.day.year}.xlsx", "row": rng.randint(3, 400)}
                if done.route == "import" else {})
    return {"cadre_id": done.cadre.id, "source": done.route, "completed_on": done.day, "topic": done.module.topic,
            "hours": Decimal(str(hours)), "module_id": None if done.route == "import" else done.module.id,
            "score": score, "evidence": evidence,
            "dedupe_key": f"demo-history:{done.cadre.code}:{done.module.code}"}


def _classes(items: list[Done], actor, echo: Callable[[str], None]) -> int:
    """Group the in-person completions per province, module and half-year into closed classes."""
    groups: dict[tuple[str, str, int, int], list[Done]] = defaultdict(list)
    for done in items:
        groups[(done.province, done.module.code, done.day.year, (done.day.month - 1) // 6)].append(done)
    units = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(PLACES)))}
    made = 0
    for (prov, _code, _year, _half), members in sorted(groups.items(), key=lambda g: g[0]):
        module, unit = members[0].module, units.get(prov) or members[0].cadre.org_unit
        ends_on = sorted(d.day for d in members)[len(members) // 2]  # the class day: the group's median
        klass = create_class(ClassData(
            title=f"Lớp bồi dưỡng: {module.title_vi[:150]} ({ends_on.month:02d}/{ends_on.year})",
            starts_on=ends_on - timedelta(days=1), ends_on=ends_on, hours=Decimal("16"), org_unit=unit,
            module=module, place=PLACES.get(prov, ""), lecturer_name="Giảng viên Trường Cán bộ Công đoàn"),
            actor=actor)
        for done in members:
            add_attendee(klass, done.cadre, actor=actor, present=True, score=None)
        close_class(klass, actor=actor)
        made += 1
    echo(f"  lớp tập huấn trực tiếp: {made}")
    return made


def seed_history(echo: Callable[[str], None], today: date) -> None:
    """Seed the history once (the marker row's dedupe key tells a second run)."""
    if db.session.scalar(select(TrainingRecord.id).where(TrainingRecord.dedupe_key.startswith("demo-history:"))):
        echo("  lịch sử đào tạo mẫu: đã có")
        return
    actor = find_user("admin")
    items = plan(today)
    rng = random.Random(SEED + 1)
    ledger = [_ledger_row(d, rng) for d in items if d.route != "class" or actor is None]
    appended = append_records_bulk(ledger)
    if actor is not None:
        _classes([d for d in items if d.route == "class"], actor, echo)
    cadres = len({d.cadre.id for d in items})
    echo(f"  lịch sử đào tạo mẫu: {appended} bản ghi trực tuyến/bài kiểm tra/sổ theo dõi, {cadres} cán bộ")
