"""The periodic digest to unit managers: the headline of their subtree (cadres meeting the standard,
overdue, due soon), the child units furthest below target, and a link straight to the dashboard.

Run by ``lms report digest`` (the job queue schedules it, e.g. weekly). Each message is logged in
``reminder_logs`` (kind ``summary``) in the same savepoint as the sending, so a second run on the same
day sends nothing, and a failed send leaves no log row.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from lms.accounts.models import User
from lms.core import mail
from lms.org.models import OrgUnit
from lms.reports.reminders import Outcome, _claim_and_send, managers

KIND = "summary"
#: child units listed as furthest below target
BELOW = 5


def _pct(figure) -> str:
    return "—" if figure.pct is None else f"{figure.pct:.1f}".replace(".", ",") + " %"


def dashboard_link(unit: OrgUnit) -> str:
    """Absolute link to the unit's headline page (``LMS_BASE_URL``: mails are built outside a request)."""
    return f"{current_app.config['LMS_BASE_URL'].rstrip('/')}/reports/units/{unit.code}/headline"


def body(user: User, unit: OrgUnit, as_of: date) -> tuple[str, int]:
    """The Vietnamese text of one manager's digest and the number of cadres needing action."""
    from lms.standards.headline import furthest_below, headline

    overall = headline(unit)[0]
    below = furthest_below(unit, BELOW)
    lines = [f"  - {child.name}: {f.met}/{f.applicable} cán bộ đạt ({_pct(f)}), {f.overdue} quá hạn"
             for child, f in below]
    text = (
        f"Kính gửi đồng chí {user.full_name or user.login},\n\n"
        f"Tình hình thực hiện chuẩn đào tạo của {unit.name} và các đơn vị trực thuộc, "
        f"tính đến ngày {as_of:%d/%m/%Y}:\n"
        f"  - Cán bộ đạt chuẩn: {overall.met}/{overall.applicable} ({_pct(overall)}; chỉ tiêu "
        f"{overall.target_pct:g} %)\n"
        f"  - Cán bộ có yêu cầu quá hạn: {overall.overdue}\n"
        f"  - Cán bộ có yêu cầu sắp đến hạn: {overall.due_soon}\n\n"
        + ("Các đơn vị còn xa chỉ tiêu nhất:\n" + "\n".join(lines) + "\n\n" if lines else "")
        + f"Xem chi tiết, nhắc cán bộ và xuất báo cáo: {dashboard_link(unit)}\n\n"
        "Trân trọng,\nHệ thống đào tạo cán bộ công đoàn\n\n"
        "(Thư tự động, vui lòng không trả lời.)\n"
    )
    return text, overall.overdue + overall.due_soon


def send_summaries(as_of: date, after_each=None) -> Outcome:
    """One digest per manager (scope unit and email) whose subtree has cadres a standard applies to."""
    from lms.standards.headline import headline

    outcome = Outcome()
    for user in managers():
        unit = user.scope_org_unit
        if not headline(unit)[0].applicable:
            continue
        text, items = body(user, unit, as_of)
        message = mail.build_message(user.email, f"Tình hình thực hiện chuẩn đào tạo — {unit.name}", text,
                                     to_name=user.full_name)
        _claim_and_send(f"user:{user.id}", KIND, as_of, user.email, items, lambda m=message: mail.send(m), outcome)
        if after_each:
            after_each()
    return outcome
