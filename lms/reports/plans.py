"""Training plans: targets per topic, the budget (kinh phí planned and spent), and actuals over a period.

A plan belongs to one unit and one calendar year; its targets are compared with what the unit's whole
subtree did. Money is in đồng (whole numbers). Each level of the union holds its own share of the
union funds, so a plan's budget is that unit's own money and a subtree's budget is the sum of the plans
of the units in it (:func:`budget`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, distinct, func, select

from lms.accounts.scope import in_subtree
from lms.catalog.models import TOPIC_LABELS, Topic
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.numbers import MAX_VND
from lms.org.models import Cadre, OrgUnit
from lms.records.models import Source
from lms.reports.exports import Column, Table
from lms.reports.models import PlanSpending, PlanTarget, TrainingPlan
from lms.reports.services import children_of, pct


def get_plan(unit: OrgUnit, year: int) -> TrainingPlan | None:
    """The unit's plan for ``year``, if any."""
    return db.session.scalar(select(TrainingPlan).where(TrainingPlan.org_unit_id == unit.id,
                                                        TrainingPlan.year == year))


def save_plan(unit: OrgUnit, year: int, targets: dict[str, dict[str, Any]], *, title: str = "", note: str = "",
              user_id: int | None = None, budget_planned: int | None = None) -> TrainingPlan:
    """Create or replace the unit's plan for ``year``; ``targets`` maps topic -> classes, learners, trained_pct.

    Every value is checked first, so a bad one changes nothing. ``budget_planned`` (đồng) is kept when None.
    """
    if not 2000 <= year <= 2100:
        raise UserError("Năm kế hoạch không hợp lệ.", "Invalid plan year.", 422, "plan_year")
    clean = {topic: _clean_target(topic, values) for topic, values in targets.items()}
    if budget_planned is not None and not 0 <= budget_planned <= MAX_VND:
        raise UserError("Kinh phí kế hoạch không hợp lệ.", "Invalid planned budget.", 422, "plan_budget")
    plan = get_plan(unit, year)
    if plan is None:
        plan = TrainingPlan(org_unit_id=unit.id, year=year, created_by_id=user_id, budget_planned=0)
        db.session.add(plan)
    plan.title = (title or f"Kế hoạch đào tạo năm {year}")[:255]
    plan.note = note or ""
    if budget_planned is not None:
        plan.budget_planned = budget_planned
    plan.targets = [t for t in plan.targets if t.topic in clean and _fill(t, clean[t.topic])]
    have = {t.topic for t in plan.targets}
    for topic, values in clean.items():
        if topic not in have and any(values.values()):
            plan.targets.append(PlanTarget(topic=topic, **values))
    db.session.flush()
    return plan


def _fill(target: PlanTarget, values: dict[str, Any]) -> bool:
    for key, value in values.items():
        setattr(target, key, value)
    return any(values.values())


def _clean_target(topic: str, values: dict[str, Any]) -> dict[str, Any]:
    if topic not in {t.value for t in Topic}:
        raise UserError(f"Chủ đề không hợp lệ: {topic}", f"Unknown topic: {topic}", 422, "plan_topic")
    label = TOPIC_LABELS[Topic(topic)][0]
    try:
        classes = int(values.get("classes") or 0)
        learners = int(values.get("learners") or 0)
        trained = Decimal(str(values.get("trained_pct") or 0)).quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError) as exc:
        raise UserError(f"Chỉ tiêu của chủ đề “{label}” phải là số.", f"Targets of {topic} must be numbers.",
                        422, "plan_number") from exc
    if classes < 0 or learners < 0 or not Decimal(0) <= trained <= Decimal(100):
        raise UserError(f"Chỉ tiêu của chủ đề “{label}”: số lớp, lượt học viên không âm; tỷ lệ từ 0 đến 100.",
                        f"Targets of {topic}: counts must be ≥ 0 and the rate 0–100.", 422, "plan_range")
    return {"classes": classes, "learners": learners, "trained_pct": trained}


# ---------------------------------------------------------------- budget


def add_spending(plan: TrainingPlan, spent_on: date, amount: int, note: str = "",
                 user_id: int | None = None) -> PlanSpending:
    """Record an amount spent under ``plan`` (a day of the plan's year, a positive amount in đồng)."""
    if spent_on.year != plan.year:
        raise UserError(f"Ngày chi phải thuộc năm {plan.year} của kế hoạch.",
                        f"The day must fall in the plan's year {plan.year}.", 422, "plan_spending_day")
    if not 0 < amount <= MAX_VND:
        raise UserError("Số tiền chi phải lớn hơn 0.", "The amount must be greater than 0.", 422,
                        "plan_spending_amount")
    row = PlanSpending(plan=plan, spent_on=spent_on, amount=amount, note=(note or "").strip()[:255],
                       created_by_id=user_id)
    db.session.add(row)
    db.session.flush()
    return row


def delete_spending(plan: TrainingPlan, spending_id: int) -> None:
    """Remove one amount of ``plan`` (404 when it is not one of the plan's)."""
    row = db.session.get(PlanSpending, spending_id)
    if row is None or row.plan_id != plan.id:
        raise UserError("Không tìm thấy khoản chi.", "No such spending.", 404, "plan_spending_missing")
    db.session.delete(row)
    db.session.flush()


@dataclass
class Budget:
    """Kinh phí of a subtree: planned for the year(s) and spent in the period."""

    planned: int = 0
    spent: int = 0

    @property
    def spent_pct(self) -> float | None:
        return pct(self.spent, self.planned) if self.planned else None


def budget(unit: OrgUnit, start: date, end: date) -> Budget:
    """Planned (the plans of the years the period touches) and spent (in the period), over the subtree."""
    subtree = select(OrgUnit.id).where(in_subtree(unit)).scalar_subquery()
    planned = db.session.scalar(
        select(func.coalesce(func.sum(TrainingPlan.budget_planned), 0))
        .where(TrainingPlan.org_unit_id.in_(subtree), TrainingPlan.year.between(start.year, end.year)))
    spent = db.session.scalar(
        select(func.coalesce(func.sum(PlanSpending.amount), 0)).join(TrainingPlan)
        .where(TrainingPlan.org_unit_id.in_(subtree), PlanSpending.spent_on.between(start, end)))
    return Budget(int(planned or 0), int(spent or 0))


# ---------------------------------------------------------------- actuals


@dataclass
class Actual:
    """What a subtree did in a period on one topic (or all topics)."""

    classes: int = 0
    learners: int = 0
    trained: int = 0
    active: int = 0

    @property
    def trained_pct(self) -> float:
        """Share of active cadres trained."""
        return pct(self.trained, self.active)


def _effective(unit: OrgUnit, start: date, end: date):
    """Effective ledger rows (revocations and corrections applied, no waivers) of the subtree in the period."""
    from lms.records.services import effective_records

    eff = effective_records().subquery("eff")
    return eff, (
        select(eff.c.topic).select_from(eff)
        .join(Cadre, eff.c.cadre_id == Cadre.id).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
        .where(in_subtree(unit), eff.c.source != Source.waiver.value, eff.c.completed_on.between(start, end))
    )


def actuals(unit: OrgUnit, year: int) -> tuple[dict[str, Actual], Actual]:
    """Per topic and in total for a calendar year (see :func:`period_actuals`)."""
    return period_actuals(unit, date(year, 1, 1), date(year, 12, 31))


def period_actuals(unit: OrgUnit, start: date, end: date) -> tuple[dict[str, Actual], Actual]:
    """Per topic and in total: classes held, attendances (records), cadres trained, active cadres."""
    active = db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
                               .where(in_subtree(unit), Cadre.active)) or 0
    by_topic: dict[str, Actual] = {t.value: Actual(active=active) for t in Topic}
    eff, record_base = _effective(unit, start, end)
    for topic, learners, trained in db.session.execute(
        record_base.add_columns(func.count(eff.c.record_id), func.count(distinct(case((Cadre.active, Cadre.id)))))
        .group_by(eff.c.topic)
    ):
        by_topic.setdefault(topic, Actual(active=active))
        by_topic[topic].learners, by_topic[topic].trained = int(learners), int(trained)
    for topic, classes in _classes_held(unit, start, end):
        by_topic.setdefault(topic, Actual(active=active)).classes = int(classes)
    total = Actual(active=active, classes=sum(a.classes for a in by_topic.values()),
                   learners=sum(a.learners for a in by_topic.values()))
    total.trained = db.session.scalar(
        record_base.with_only_columns(func.count(distinct(Cadre.id))).where(Cadre.active)
    ) or 0
    return by_topic, total


def _classes_held(unit: OrgUnit, start: date, end: date):
    """(topic, count) of closed in-person classes of the subtree that ended in the period."""
    from lms.records.models import TrainingClass

    return db.session.execute(
        select(TrainingClass.topic, func.count(TrainingClass.id))
        .join(OrgUnit, TrainingClass.org_unit_id == OrgUnit.id)
        .where(in_subtree(unit), TrainingClass.status == "closed", TrainingClass.ends_on.between(start, end))
        .group_by(TrainingClass.topic)
    ).all()


# ---------------------------------------------------------------- plan against actual


@dataclass
class PlanLine:
    """One topic of a plan against its actuals."""

    topic: str
    label: str
    target: PlanTarget | None
    actual: Actual

    def ratio(self, what: str) -> float | None:
        """Actual over target in percent for ``classes``/``learners``/``trained_pct``; None without a target."""
        target = float(getattr(self.target, what, 0) or 0) if self.target else 0.0
        value = self.actual.trained_pct if what == "trained_pct" else getattr(self.actual, what)
        return pct(value, target) if target else None


@dataclass
class PlanReport:
    """A unit's plan for a year against the actuals of its subtree, with its children as rows."""

    unit: OrgUnit
    year: int
    plan: TrainingPlan | None
    lines: list[PlanLine]
    total: Actual
    children: list[tuple[OrgUnit, TrainingPlan | None, Actual]] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)

    def planned(self, what: str) -> int:
        """Sum of the plan's targets (classes or learners)."""
        return sum(getattr(t, what) for t in self.plan.targets) if self.plan else 0


def plan_report(unit: OrgUnit, year: int) -> PlanReport:
    """Plan against actual for ``unit`` and ``year``; topics shown when planned or done."""
    plan = get_plan(unit, year)
    by_topic, total = actuals(unit, year)
    lines = []
    for topic in Topic:
        target = plan.target_for(topic.value) if plan else None
        actual = by_topic.get(topic.value, Actual(active=total.active))
        if target is not None or actual.classes or actual.learners:
            lines.append(PlanLine(topic.value, TOPIC_LABELS[topic][0], target, actual))
    children = [(child, get_plan(child, year), actuals(child, year)[1]) for child in children_of(unit)]
    return PlanReport(unit, year, plan, lines, total, children,
                      budget(unit, date(year, 1, 1), date(year, 12, 31)))


def plan_tables(report: PlanReport) -> list[Table]:
    """The plan report as tables: per topic (and the budget), then per child unit."""
    def target(line: PlanLine, what: str):
        return getattr(line.target, what) if line.target else None

    topics = Table(
        title=f"Kế hoạch và kết quả đào tạo năm {report.year}",
        columns=[Column("Chủ đề", 30), Column("Số lớp KH", 9, "int"), Column("Số lớp TH", 9, "int"),
                 Column("Đạt (%)", 8, "pct"), Column("Lượt HV KH", 10, "int"), Column("Lượt HV TH", 10, "int"),
                 Column("Đạt (%)", 8, "pct"), Column("Tỷ lệ CB được ĐT KH (%)", 12, "pct"),
                 Column("Tỷ lệ CB được ĐT TH (%)", 12, "pct")],
        rows=[[ln.label, target(ln, "classes"), ln.actual.classes, ln.ratio("classes"), target(ln, "learners"),
               ln.actual.learners, ln.ratio("learners"),
               float(ln.target.trained_pct) if ln.target else None, ln.actual.trained_pct] for ln in report.lines]
        + [["Tổng cộng", report.planned("classes") if report.plan else None, report.total.classes,
            pct(report.total.classes, report.planned("classes")) if report.planned("classes") else None,
            report.planned("learners") if report.plan else None, report.total.learners,
            pct(report.total.learners, report.planned("learners")) if report.planned("learners") else None,
            None, report.total.trained_pct]],
    )
    money = Table(
        title="Kinh phí đào tạo",
        columns=[Column("Kinh phí kế hoạch (đ)", 18, "money"), Column("Kinh phí đã chi (đ)", 18, "money"),
                 Column("Đã chi so với kế hoạch (%)", 12, "pct")],
        rows=[[report.budget.planned, report.budget.spent, report.budget.spent_pct]],
    )
    children = Table(
        title="Kết quả theo đơn vị trực thuộc",
        columns=[Column("Mã đơn vị", 14), Column("Đơn vị", 40), Column("Số lớp KH", 9, "int"),
                 Column("Số lớp TH", 9, "int"), Column("Lượt HV KH", 10, "int"), Column("Lượt HV TH", 10, "int"),
                 Column("Số CB", 8, "int"), Column("CB được ĐT", 9, "int"), Column("Tỷ lệ (%)", 9, "pct")],
        rows=[[c.code, c.name, sum(t.classes for t in p.targets) if p else None, a.classes,
               sum(t.learners for t in p.targets) if p else None, a.learners, a.active, a.trained, a.trained_pct]
              for c, p, a in report.children],
    )
    return [topics, money, children]
