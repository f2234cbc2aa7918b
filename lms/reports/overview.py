"""The manager's home: the headline of their scope against the seed's two targets, who is late, the units
furthest below target and recent activity — one place instead of the two dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.accounts.scope import in_subtree, scope_root, sees_everything
from lms.catalog.models import Module
from lms.core.db import db
from lms.core.rebuilds import Status
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.reports import plans, services
from lms.reports.trained import counts, rebuild_status


@dataclass
class Trained:
    """Cadres with at least one training record in the period, against the plan's target (percent)."""

    trained: int
    active: int
    target_pct: float | None
    year: int
    #: a full recount is pending (after an org import): the figure is the one before it, as of ``done_at``
    rebuild: Status = Status()

    @property
    def pct(self) -> float:
        return services.pct(self.trained, self.active)

    @property
    def rebuilt_on(self) -> date | None:
        """The day (in Viet Nam) of the last full recount, if any."""
        from datetime import UTC

        from lms.standards.engine import VN

        done = self.rebuild.done_at
        if done is None:
            return None
        return (done if done.tzinfo else done.replace(tzinfo=UTC)).astimezone(VN).date()

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


def trained_in_year(unit: OrgUnit, year: int) -> Trained:
    """The seed's second figure: share of active cadres trained in the year, against the plan (if any).

    Active cadres of the subtree with a record completed in the year by the effective ledger (the latest
    correction's date, revoked rows left out, no waivers) — the plan report's total."""
    trained, active = counts(unit, year)  # maintained per unit and year: one index range, not the ledger
    plan = plans.get_plan(unit, year)
    targets = [float(t.trained_pct) for t in plan.targets] if plan else []
    return Trained(trained, active, max(targets) if targets else None, year, rebuild_status())


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
    from lms.standards.jobs import recompute_status

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
        "recompute": recompute_status(),
    }
