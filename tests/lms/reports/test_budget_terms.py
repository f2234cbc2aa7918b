"""Budgets (kinh phí planned and spent), summaries per quarter / half-year / year, the multi-year
comparison and the upward report (page, xlsx, PDF with the right province)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.core.errors import UserError
from lms.core.numbers import parse_vnd, vnd
from lms.reports import periods, plans
from lms.reports.models import PlanSpending, TrainingPlan
from lms.reports.services import today
from tests.conftest import csrf_token_from
from tests.lms.reports.helpers import pdf_text


def test_amounts_are_written_and_read_the_vietnamese_way():
    assert (vnd(1_200_000_000), vnd(0), vnd(999), vnd(None)) == ("1.200.000.000 đ", "0 đ", "999 đ", "")
    assert vnd(12_500, unit=False) == "12.500"
    assert parse_vnd("1.200.000") == parse_vnd("1 200 000") == parse_vnd("1200000 đ") == 1_200_000
    assert parse_vnd("5.000.000 VNĐ") == 5_000_000
    for bad in ("1,5", "-3", "", "nhiều", "1" * 17):
        with pytest.raises(ValueError):
            parse_vnd(bad)


@pytest.mark.parametrize("kind, start, end, label", [
    ("q1", date(2026, 1, 1), date(2026, 3, 31), "Quý I/2026"),
    ("q2", date(2026, 4, 1), date(2026, 6, 30), "Quý II/2026"),
    ("q4", date(2026, 10, 1), date(2026, 12, 31), "Quý IV/2026"),
    ("h1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("h2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("y", date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
])
def test_periods(kind, start, end, label):
    p = periods.period(2026, kind)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_unknown_period_is_refused():
    with pytest.raises(UserError) as info:
        periods.period(2026, "q5")
    assert info.value.status == 400


def _budgets(world):
    year = world["year"]
    hn = plans.save_plan(world["hn"], year, {}, budget_planned=1_200_000_000)
    kcn = plans.save_plan(world["hn_up"], year, {}, budget_planned=350_000_000)
    plans.add_spending(hn, date(year, 2, 10), 100_000_000, "Lớp ATVSLĐ")
    plans.add_spending(kcn, date(year, 5, 20), 50_000_000, "Lớp Luật Công đoàn")
    plans.save_plan(world["cb"], year, {}, budget_planned=90_000_000)  # another province: not Hà Nội's
    db.session.commit()
    return hn, kcn


def test_budget_sums_the_subtree_and_the_period(world):
    _budgets(world)
    year = world["year"]
    whole = plans.budget(world["hn"], date(year, 1, 1), date(year, 12, 31))
    assert (whole.planned, whole.spent, whole.spent_pct) == (1_550_000_000, 150_000_000, 9.7)
    q1 = periods.period(year, "q1")
    assert plans.budget(world["hn"], q1.start, q1.end).spent == 100_000_000
    kcn = plans.budget(world["hn_up"], date(year, 1, 1), date(year, 12, 31))
    assert (kcn.planned, kcn.spent) == (350_000_000, 50_000_000)
    assert plans.plan_report(world["hn"], year).budget.spent == 150_000_000


@pytest.mark.parametrize("day_offset, amount, code", [(-1, 1000, "plan_spending_day"), (0, 0, "plan_spending_amount")])
def test_bad_spending_is_refused(world, day_offset, amount, code):
    hn, _ = _budgets(world)
    with pytest.raises(UserError) as info:
        plans.add_spending(hn, date(world["year"] + day_offset, 6, 1), amount)
    assert info.value.code == code and info.value.status == 422


def test_term_and_year_summaries_count_classes_attendances_and_the_standard(world):
    _budgets(world)
    year = world["year"]
    rows = {s.label: s for s in periods.term_summaries(world["hn"], year)}
    whole = rows[f"Năm {year}"]
    # one closed class, Nhung's module + Đức's class attendance (not last year's, not Cao Bằng's, not revoked)
    assert (whole.classes, whole.attendances, whole.trained, whole.active) == (1, 2, 2, 3)
    assert (whole.met, whole.applicable) == (1, 3)  # only Nhung meets the standard (headline, today)
    assert (whole.money.planned, whole.money.spent) == (1_550_000_000, 150_000_000)
    in_year = max(date(year, 1, 2), today() - timedelta(days=30))  # the fixture's records
    quarter = rows[periods.period(year, f"q{(in_year.month - 1) // 3 + 1}").label]
    assert (quarter.classes, quarter.attendances, quarter.trained) == (1, 2, 2)
    assert sum(s.attendances for label, s in rows.items() if label.startswith("Quý")) == 2


def test_year_comparison_uses_each_years_figures(world):
    year = world["year"]
    rows = periods.year_comparison(world["hn"], year)
    assert [s.label for s in rows] == [f"Năm {y}" for y in range(year - 4, year + 1)]
    last = rows[-2]
    assert (last.attendances, last.trained) == (1, 1)  # Đức's in-person record of last June
    # on last 31 December nobody in Hà Nội had the module yet: 0 of the 3 active cadres met the standard
    assert (last.met, last.applicable) == (0, 3)
    assert rows[-1].attendances == 2


def test_plan_form_takes_the_budget_and_spending(client, auth, world):
    auth.login("ql.hanoi")
    year = world["year"]
    url = f"/reports/units/HN/plan?year={year}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    bad = client.post(url, data={"csrf_token": token, "budget_planned": "1,5"})
    assert bad.status_code == 422 and "Số tiền không hợp lệ" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TrainingPlan.id))) == 0  # nothing written
    assert client.post(url, data={"csrf_token": token, "budget_planned": "1.200.000.000"}).status_code == 302
    assert db.session.scalar(select(TrainingPlan.budget_planned)) == 1_200_000_000
    add = f"/reports/units/HN/plan/spendings?year={year}"
    assert client.post(add, data={"csrf_token": token, "spent_on": f"{year}-03-05", "amount": "12.500.000",
                                  "note": "Lớp tập huấn"}).status_code == 302
    assert client.post(add, data={"csrf_token": token, "spent_on": f"{year - 1}-03-05",
                                  "amount": "1"}).status_code == 422
    page = client.get(url).get_data(as_text=True)
    assert "1.200.000.000 đ" in page and "12.500.000 đ" in page and 'data-budget-spent="12500000"' in page
    spending = db.session.scalar(select(PlanSpending))
    delete = f"/reports/units/HN/plan/spendings/{spending.id}/delete?year={year}"
    assert client.post(delete, data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(PlanSpending.id))) == 0


def test_term_report_page_xlsx_and_pdf(client, auth, world, tmp_path):
    _budgets(world)
    auth.login("ql.hanoi")
    year = world["year"]
    page = client.get(f"/reports/units/HN/term?year={year}&period=y")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "1.550.000.000" in body and "150.000.000" in body
    assert f"So sánh các năm {year - 4}–{year}" in body and "Công đoàn các KCN-CX Hà Nội" in body
    assert client.get(f"/reports/units/HN/term?year={year}&period=q9").status_code == 400
    assert client.get(f"/reports/units/CB/term?year={year}").status_code == 404  # outside the scope
    xlsx = client.get(f"/reports/units/HN/term.xlsx?year={year}&period=y")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert len(book.worksheets) == 3
    header, first = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    assert header[0] == "Kỳ" and "Kinh phí đã chi (đ)" in header
    assert first[0] == f"Năm {year}" and first[1:4] == (1, 2, 2) and first[-1] == 150_000_000
    pdf = pdf_text(client.get(f"/reports/units/HN-KCN/term.pdf?year={year}&period=h1").data, tmp_path)
    assert "Hà Nội" in pdf and "Cao Bằng" not in pdf and "6 tháng đầu năm" in pdf
    assert "350.000.000" in pdf
