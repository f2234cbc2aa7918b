"""Plan pages: targets and budget (kinh phí planned, amounts spent), plan against actual, and the report
sent upward per period (quarter, half-year, year) with the comparison of the term's years."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.scope import get_unit_or_404
from lms.catalog.models import TOPIC_LABELS, Topic
from lms.core.errors import UserError, localized
from lms.core.numbers import parse_vnd
from lms.core.roles import Role, roles_required
from lms.reports import periods, plans, services
from lms.reports.views import _crumbs, _year, bp, export_response


def _money(name: str, required: bool = False) -> int | None:
    """An amount in đồng from the form (``1.200.000``, ``1 200 000``, ``1200000 đ``); 422 when malformed."""
    raw = request.form.get(name, "").strip()
    if not raw:
        if required:
            raise UserError("Hãy nhập số tiền.", "Enter an amount.", 422, "plan_money")
        return None
    try:
        return parse_vnd(raw)
    except ValueError as exc:
        raise UserError(f"Số tiền không hợp lệ: {raw[:40]} (ví dụ 1.200.000).",
                        f"Invalid amount: {raw[:40]} (e.g. 1.200.000).", 422, "plan_money") from exc


@bp.route("/units/<code>/plan", methods=["GET", "POST"])
@roles_required(Role.manager)
def plan(code: str):
    """The unit's training plan for a year against the actuals of its subtree; managers edit the targets."""
    unit = get_unit_or_404(current_user, code)
    year = _year()
    if request.method == "POST":
        targets = {
            topic: {key: request.form.get(f"{topic}-{key}", "").strip() for key in ("classes", "learners", "trained_pct")}
            for topic in [t.value for t in Topic]
        }
        plans.save_plan(unit, year, targets, title=request.form.get("title", ""),
                        note=request.form.get("note", ""), user_id=current_user.id,
                        budget_planned=_money("budget_planned") or 0)
        flash(localized("Đã lưu kế hoạch đào tạo.", "The training plan was saved."), "success")
        return redirect(url_for("reports.plan", code=unit.code, year=year))
    report = plans.plan_report(unit, year)
    chart = {"plan": {"labels": [line.label for line in report.lines], "series": [
        {"label": localized("Kế hoạch (lượt HV)", "Planned (attendances)"),
         "values": [line.target.learners if line.target else 0 for line in report.lines]},
        {"label": localized("Thực hiện (lượt HV)", "Actual (attendances)"),
         "values": [line.actual.learners for line in report.lines]},
    ]}}
    return render_template("reports/plan.html", unit=unit, year=year, report=report, crumbs=_crumbs(unit),
                           topics=TOPIC_LABELS, chart=chart)


def _plan_or_422(unit, year: int):
    plan = plans.get_plan(unit, year)
    if plan is None:
        raise UserError("Hãy lưu kế hoạch của năm trước khi ghi kinh phí đã chi.",
                        "Save the year's plan before recording spending.", 422, "plan_missing")
    return plan


@bp.route("/units/<code>/plan/spendings", methods=["POST"])
@roles_required(Role.manager)
def spending_add(code: str):
    """Record an amount spent under the unit's plan of the year."""
    unit = get_unit_or_404(current_user, code)
    year = _year()
    plan = _plan_or_422(unit, year)
    try:
        day = date.fromisoformat(request.form.get("spent_on", "").strip())
    except ValueError as exc:
        raise UserError("Ngày chi không hợp lệ.", "Invalid day.", 422, "plan_spending_day") from exc
    row = plans.add_spending(plan, day, _money("amount", required=True) or 0, request.form.get("note", ""),
                             current_user.id)
    flash(localized(f"Đã ghi khoản chi {row.amount:,} đ.".replace(",", "."),
                    f"Recorded spending of {row.amount:,} VND."), "success")
    return redirect(url_for("reports.plan", code=unit.code, year=year) + "#budget")


@bp.route("/units/<code>/plan/spendings/<int:spending_id>/delete", methods=["POST"])
@roles_required(Role.manager)
def spending_delete(code: str, spending_id: int):
    """Remove one amount of the plan."""
    unit = get_unit_or_404(current_user, code)
    year = _year()
    plans.delete_spending(_plan_or_422(unit, year), spending_id)
    flash(localized("Đã xóa khoản chi.", "Spending removed."), "success")
    return redirect(url_for("reports.plan", code=unit.code, year=year) + "#budget")


@bp.route("/units/<code>/plan.<any(xlsx, csv, pdf):fmt>")
@roles_required(Role.manager)
def plan_export(code: str, fmt: str):
    """Plan against actual as xlsx, csv (per topic) or PDF (topics, budget and children, signature block)."""
    unit = get_unit_or_404(current_user, code)
    year = _year()
    tables = plans.plan_tables(plans.plan_report(unit, year))
    as_of = min(services.today(), date(year, 12, 31))
    return export_response(tables, fmt, f"ke-hoach-{unit.code}-{year}", unit=unit, as_of=as_of,
                           pdf_title=f"Báo cáo kết quả thực hiện kế hoạch đào tạo năm {year}")


def _period() -> periods.Period:
    return periods.period(_year(), request.args.get("period", "y").strip() or "y")


@bp.route("/units/<code>/term")
@roles_required(Role.manager)
def term(code: str):
    """The upward report of a period: the period and its parts, the term's years, the child units."""
    unit = get_unit_or_404(current_user, code)
    chosen = _period()
    tables = periods.upward_tables(unit, chosen)
    return render_template("reports/term.html", unit=unit, period=chosen, tables=tables, crumbs=_crumbs(unit),
                           kinds=[periods.Period(chosen.year, k) for k in periods.KINDS])


@bp.route("/units/<code>/term.<any(xlsx, csv, pdf):fmt>")
@roles_required(Role.manager)
def term_export(code: str, fmt: str):
    """The upward report as xlsx (a sheet per table), CSV (the period table) or a signed PDF."""
    unit = get_unit_or_404(current_user, code)
    chosen = _period()
    as_of = min(services.today(), chosen.end)
    return export_response(periods.upward_tables(unit, chosen), fmt, f"bao-cao-{unit.code}-{chosen.year}-{chosen.kind}",
                           unit=unit, as_of=as_of,
                           pdf_title=f"Báo cáo kết quả công tác đào tạo, bồi dưỡng cán bộ công đoàn {chosen.label.lower()}")

