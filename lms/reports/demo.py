"""Demo seed: Hà Nội's training plan for this year (the "40 classes, 3,920 learners" kind) and certificates."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.demo import demo_step
from lms.org.models import Cadre, OrgUnit

#: unit code -> kinh phí planned for the year, in đồng
BUDGETS = {"HN": 1_200_000_000, "HN-KCN": 350_000_000}
#: (month, % of the budget) spent in the demo year — a mid-month class each quarter
SPENT = [(3, 20), (6, 25), (9, 25), (12, 20)]
#: unit code -> topic -> (classes, learners, % of cadres trained)
PLANS = {
    "HN": {"osh": (40, 3920, 85), "union_law": (25, 2500, 70), "finance": (10, 600, 50)},
    "HN-KCN": {"osh": (12, 1200, 85), "union_law": (8, 800, 70)},
}


@demo_step(90, "Kế hoạch đào tạo và giấy chứng nhận (training plans and certificates)")
def seed_reports(echo) -> None:
    """Plans for this year where the units exist (kept when already there), then the certificates due."""
    from datetime import date

    from lms.reports import certificates, plans, services

    today = services.today()
    year = today.year
    for code, targets in PLANS.items():
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None or plans.get_plan(unit, year) is not None:
            continue
        plans.save_plan(unit, year, {t: {"classes": c, "learners": n, "trained_pct": p}
                                        for t, (c, n, p) in targets.items()},
                           title=f"Kế hoạch đào tạo cán bộ công đoàn năm {year}", budget_planned=BUDGETS.get(code, 0))
        plan = plans.get_plan(unit, year)
        for month, share in SPENT:  # spending so far this year, by quarter
            if plan.budget_planned and date(year, month, 15) <= today:
                plans.add_spending(plan, date(year, month, 15), plan.budget_planned * share // 100,
                                   f"Chi mở lớp tháng {month}")
        echo(f"  kế hoạch {code} {year}")
    ids = list(db.session.scalars(select(Cadre.id).where(Cadre.active)))
    issued = certificates.issue_due(ids, services.today())
    echo(f"  {issued} giấy chứng nhận")
