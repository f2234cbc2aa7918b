"""The cadre import's preview in Chromium: upload a workbook with a bad row → the preview shows valid and bad
rows → the file with a "Lỗi" column downloads → confirming imports the valid rows only."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.core.roles import Role
from lms.org.models import Cadre
from tests.e2e.conftest import login
from tests.factories import gen_unit, gen_user
from tests.lms.test_org_import_preview import workbook


def test_preview_download_errors_then_import_the_valid_rows(live_server, page, tmp_path, app):
    tld = gen_unit("TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn")
    hn = gen_unit("HN", "LĐLĐ thành phố Hà Nội", "LĐLĐ tỉnh", tld)
    gen_unit("HN-CDCS-1", "Công đoàn Công ty May Thăng Long", "CĐCS", hn)
    gen_user("admin", (Role.admin,))
    db.session.commit()
    upload = tmp_path / "donvi-canbo.xlsx"
    upload.write_bytes(workbook())

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/org/import")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[enctype] button[type=submit]")
    preview = page.locator("#import-preview")
    assert (preview.get_attribute("data-valid"), preview.get_attribute("data-invalid")) == ("3", "7")
    assert "Dòng đơn vị “N-BAD” (dòng 3)" in page.inner_text("#import-row-errors")
    with page.expect_download() as info:
        page.click("#import-errors-download")
    assert info.value.suggested_filename == "don-vi-can-bo-loi.xlsx"
    page.click("#import-confirm")
    assert "Đã nhập các dòng hợp lệ." in page.inner_text("#import-report")
    assert "tạo mới 2" in page.inner_text("#import-accounts")
    db.session.expire_all()
    imported = set(db.session.scalars(select(Cadre.code).where(Cadre.code.like("P00%"))))
    assert imported == {"P001", "P006"}
