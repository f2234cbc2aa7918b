"""Issue 19's whole loop in Chromium: a province manager sees the headline on the home page, drills down to
an overdue cadre, reminds the unit's overdue cadres, downloads the term report; an admin edits the standard
in the form and the figure on the home page changes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.reports.models import ReminderLog
from tests.e2e.conftest import login
from tests.lms.reports.conftest import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e


def _overall(pg) -> str:
    return pg.locator('#headline-table tr[data-standard="ALL"]').inner_text()


def test_manager_loop_and_standard_edit(live_server, page, browser, world):  # noqa: F811
    pg = page
    login(pg, live_server, "ql.hanoi")
    pg.goto(f"{live_server.url}/")
    assert "1 / 3" in _overall(pg)  # Nhung meets it; Đức and Ánh are overdue
    # drill down to the overdue cadres, open one
    pg.goto(f"{live_server.url}/reports/units/HN/not-meeting?which=overdue")
    assert pg.locator("#not-meeting-total").inner_text() == "2"
    pg.locator('#not-meeting tr[data-cadre="HN0002"] a').first.click()
    pg.wait_for_url("**/standards/cadres/**")
    assert "Lê Văn Đức" in pg.inner_text("main")
    # remind the unit's overdue cadres: preview with the count, then send (logged)
    pg.go_back()
    pg.click("#remind-button")
    pg.wait_for_url("**/remind**")
    assert "2" in pg.locator("#remind-count").inner_text()
    pg.click("form button[type=submit]:has-text('Gửi thư nhắc')")
    pg.wait_for_url("**/not-meeting**")
    assert "Đã gửi 1 thư nhắc" in pg.inner_text("main")  # Đức has an e-mail, Ánh has none
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.kind == "cadre")) == 1
    # the term report, downloaded from the home page
    pg.goto(f"{live_server.url}/")
    pg.click("#manager-home a:has-text('Báo cáo theo kỳ')")
    pg.wait_for_url("**/term**")
    with pg.expect_download() as download:
        pg.click("a:has-text('Excel (.xlsx)')")
    assert download.value.suggested_filename == f"bao-cao-HN-{world['year']}-y.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    header, first = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    assert header[0] == "Kỳ" and first[0] == f"Năm {world['year']}" and first[2] == 2  # two attendances

    # an admin narrows the requirement to chairs in the form: the headline follows
    admin_context = browser.new_context(locale="vi-VN")
    admin = admin_context.new_page()
    login(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/")
    assert "1 / 4" in _overall(admin)  # the whole tree: Hà Nội's three and Cao Bằng's one
    admin.goto(f"{live_server.url}/standards/admin/requirements/ATVSLD-01")
    admin.check("input[name=positions][value=chair]")
    admin.click("button:has-text('Lưu phiên bản mới')")
    admin.wait_for_url("**/standards/admin/requirements/ATVSLD-01")
    assert "áp dụng cho 1 cán bộ" in admin.inner_text("main")
    admin.goto(f"{live_server.url}/")
    assert "1 / 1" in _overall(admin)  # only Nhung is a chair, and she meets it
    admin_context.close()
