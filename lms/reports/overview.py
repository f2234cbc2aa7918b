"""The manager's home: the headline of their scope against the seed's two targets, who is late, the units
furthest below target and recent activity — one place instead of the two dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, text

from lms.accounts.scope import in_subtree, scope_root, sees_everything
from lms.catalog.models import Module
from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.reports import plans, services


@dataclass
class Trained:
    """Cadres with at least one training record in the period, against the plan's target (percent)."""

    trained: int
    active: int
    target_pct: float | None
    year: int

    @property
    def pct(self) -> float:
        return services.pct(self.trained, self.active)

    @property
    def light(self) -> str:
        if self.target_pct is None:
            return "secondary"
        return "success" if self.pct >= self.target_pct else ("warning" if self.pct >= self.target_pct - 10 else "danger")


def home_unit(user) -> OrgUnit | None:
    """The unit a manager (or an admin) is judged on: their scope, or the root for whole-tree admins."""
    if sees_everything(user):
        return db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    return scope_root(user)


#: active cadres of a subtree with a record completed in the period, by the effective ledger (the latest
#: correction's date, revoked rows left out, no waivers) — the same count as the plan report's total, in two
#: parts: records never corrected, filtered on their own date first (so the index probes for corrections and
#: revocations run only for the period's rows), and the few corrected ones, by their latest correction — both
#: read through the (cadre_id, completed_on) index from the subtree's cadres (a correction carries the cadre)
_TRAINED = """SELECT COUNT(DISTINCT cadre_id) FROM (
SELECT r.cadre_id FROM training_records r
JOIN cadres c ON c.id = r.cadre_id JOIN org_units u ON u.id = c.org_unit_id
WHERE u.path >= :p AND u.path < :pe AND c.active AND r.kind = 'record' AND r.source <> 'waiver'
  AND r.completed_on BETWEEN :s AND :e
  AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind IN ('correction', 'revocation'))
UNION
SELECT r.cadre_id FROM training_records k
JOIN cadres c ON c.id = k.cadre_id JOIN org_units u ON u.id = c.org_unit_id
JOIN training_records r ON r.id = k.amends_id
WHERE k.kind = 'correction' AND k.completed_on BETWEEN :s AND :e
  AND k.id = (SELECT MAX(k2.id) FROM training_records k2 WHERE k2.amends_id = r.id AND k2.kind = 'correction')
  AND u.path >= :p AND u.path < :pe AND c.active AND r.kind = 'record' AND r.source <> 'waiver'
  AND NOT EXISTS (SELECT 1 FROM training_records v WHERE v.amends_id = r.id AND v.kind = 'revocation')
) trained"""


def trained_in_year(unit: OrgUnit, year: int) -> Trained:
    """The seed's second figure: share of active cadres trained in the year, against the plan (if any)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    active = db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
                               .where(in_subtree(unit), Cadre.active)) or 0
    trained = db.session.execute(text(_TRAINED), {"p": unit.path, "pe": unit.path_end, "s": start, "e": end}).scalar()
    plan = plans.get_plan(unit, year)
    targets = [float(t.trained_pct) for t in plan.targets] if plan else []
    return Trained(trained, active, max(targets) if targets else None, year)


def recent_activity(unit: OrgUnit, limit: int = 8) -> list[dict[str, Any]]:
    """The latest training records of the subtree (newest first): who, what, how, when."""
    rows = db.session.execute(
        select(TrainingRecord, Cadre.full_name, OrgUnit.name, Module.title_vi)
        .join(Cadre, Cadre.id == TrainingRecord.cadre_id).join(OrgUnit, OrgUnit.id == Cadre.org_unit_id)
        .outerjoin(Module, Module.id == TrainingRecord.module_id)
        .where(in_subtree(unit), TrainingRecord.kind == "record", TrainingRecord.source != "waiver")
        .order_by(TrainingRecord.id.desc()).limit(limit)).all()
    return [{"record": r, "cadre": name, "unit": unit_name, "module": title} for r, name, unit_name, title in rows]


def manager_home(user, today: date | None = None) -> dict[str, Any]:
    """Everything the manager home panel shows, for the user's unit."""
    from lms.standards import headline

    unit = home_unit(user)
    if unit is None:
        return {"unit": None}
    today = today or services.today()
    figures = headline.headline(unit)
    return {
        "unit": unit, "overall": figures[0], "standards": figures[1:],
        "full_time": next((f for f in figures[1:] if f.full_time), None),
        "trained": trained_in_year(unit, today.year),
        "below": headline.furthest_below(unit, 5), "recent": recent_activity(unit),
    }
