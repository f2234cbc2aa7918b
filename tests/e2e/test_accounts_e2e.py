"""Getting cadres in, in Chromium: import cadres (xlsx) → invitation mail in the file outbox → link → set
password → login → learner home; the activation-code sheet → /activate → login; "Quên mật khẩu?" by
e-mail; an admin's reset → forced password change on the next login."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lms.core.db import db
from lms.core.roles import Role
from tests.e2e.conftest import login
from tests.factories import gen_unit, gen_user
from tests.lms.accounts.helpers import clear_outbox, link_in, outbox
from tests.lms.org_import_files import good_xlsx


def _set_password(page, password: str) -> None:
    page.fill("input[name=new]", password)
    page.fill("input[name=confirm]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login$"))


def _learner_login(page, server, user: str, password: str) -> None:
    login(page, server, user, password)
    assert page.url.rstrip("/") == server.url


def _logout(page) -> None:
    if page.is_visible("nav .navbar-toggler"):  # the phone's collapsed menu
        page.click("nav .navbar-toggler")
        # wait for Bootstrap's opening transition to end: a tap on the button while the menu is still
        # growing (`.collapsing`, overflow hidden) was sometimes lost — no submit event at all (seen 2 in
        # 12 runs under load; none in 16 with this wait)
        page.wait_for_selector("nav .navbar-collapse.show")
    page.click("nav form[action$='/logout'] button")
    # logging out first sends or clears what the offline layer holds (lms/static/js/offline.js: at most
    # ≈ 5.5 s of bounded waits before the form goes), which a loaded CI machine stretches
    page.wait_for_url(re.compile(r"/login"), timeout=45_000)


def test_import_invite_activate_reset_and_forced_change(live_server, page, browser, tmp_path, app):
    gen_unit("TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn")
    gen_user("admin", (Role.admin,))
    db.session.commit()
    clear_outbox()
    server = live_server

    # the admin imports cadres: accounts are created and the report says how many
    login(page, server, "admin")
    page.goto(f"{server.url}/admin/org/import")
    page.set_input_files("input[name=file]", str(good_xlsx(tmp_path)))
    page.click("form[enctype] button[type=submit]")
    page.click("text=Xác nhận nhập")
    assert "tạo mới 3" in page.inner_text("#import-accounts")

    # invitations by e-mail for the province; C001 has an address, the others get codes
    page.click("#import-accounts a")
    page.fill("#invite-form input[name=unit_code]", "CB")
    page.click("#invite-form button[type=submit]")
    assert "Đang gửi 1 thư mời" in page.inner_text("#invite-result")  # by a job, after the request
    progress = page.context.new_page()
    progress.goto(urljoin(page.url, page.get_attribute("#invite-job", "href")))
    progress.wait_for_selector("[data-job-state-succeeded]:not([hidden])")
    assert "Đã gửi 1 thư mời" in progress.inner_text("#job")
    progress.close()
    with page.expect_popup() as popup:
        page.fill("#codes-form input[name=unit_code]", "CB")
        page.click("#codes-form button[value=html]")
    sheet = popup.value
    sheet.wait_for_load_state()
    code = sheet.inner_text("tr[data-login=c002] [data-code]").strip()
    sheet.close()

    learner = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN")
    phone = learner.new_page()
    phone.set_default_timeout(15000)
    try:
        # C001: invitation link → set password → login → learner home
        phone.goto(server.url + link_in(outbox()[0]))
        assert phone.inner_text("#set-login") == "c001"
        _set_password(phone, "hoa-mat-khau-1")
        _learner_login(phone, server, "c001", "hoa-mat-khau-1")
        _logout(phone)

        # C002: the printed code → /activate → login
        phone.goto(f"{server.url}/login")
        phone.click("text=Kích hoạt tài khoản bằng mã")
        phone.fill("input[name=login]", "c002")
        phone.fill("input[name=code]", code.lower())
        _set_password(phone, "son-mat-khau-2")
        _learner_login(phone, server, "c002", "son-mat-khau-2")
        _logout(phone)

        # C001 forgot the password: "Quên mật khẩu?" → mail → link → new password → login
        clear_outbox()
        phone.click("text=Quên mật khẩu?")
        phone.fill("input[name=email]", "hoa@example.vn")
        phone.click("main form button[type=submit]")
        phone.wait_for_selector("#forgot-sent")
        phone.goto(server.url + link_in(outbox()[0]))
        _set_password(phone, "hoa-mat-khau-moi")
        _learner_login(phone, server, "c001", "hoa-mat-khau-moi")
        _logout(phone)

        # the admin resets C002: a temporary password, to be changed at the next login
        page.goto(f"{server.url}/admin/users?q=c002")
        page.click("#user-list a:text-is('c002')")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#reset-password")
        temporary = page.inner_text("#temporary-password").strip()
        login(phone, server, "c002", temporary)
        assert phone.url.endswith("/account/password") and phone.is_visible("#must-change")
        phone.goto(server.url + "/")
        assert phone.url.endswith("/account/password")
        phone.fill("input[name=old]", temporary)
        phone.fill("input[name=new]", "son-mat-khau-3")
        phone.click("form:has(input[name=old]) button[type=submit]")
        phone.wait_for_url(lambda url: url.rstrip("/") == server.url)
        assert not phone.is_visible("#must-change")
    finally:
        learner.close()


def test_the_recovery_pages_have_no_serious_accessibility_violations(live_server, phone_page, app):
    """WCAG 2.1 AA through axe-core at 360×740: login, forgot password (form and answer), activation,
    the set-password page of a link, the forced password change."""
    from lms.accounts import tokens
    from lms.accounts.invitations import admin_reset
    from tests.e2e.test_quiz_phone import serious_violations

    unit = gen_unit("TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn")
    admin = gen_user("admin", (Role.admin,))
    learner = gen_user("hv.lan", (Role.learner,), scope=unit)
    temporary = admin_reset(gen_user("hv.binh", (Role.learner,), scope=unit), admin)
    secret = tokens.issue(learner, tokens.RESET)
    db.session.commit()
    page, server = phone_page, live_server
    page.emulate_media(reduced_motion="reduce")
    for path in ("/login", "/password/forgot", "/activate", f"/password/set/{secret}"):
        page.goto(server.url + path)
        assert serious_violations(page, server) == [], path
    page.goto(server.url + "/password/forgot")
    page.fill("input[name=email]", "x@example.vn")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#forgot-sent")
    assert serious_violations(page, server) == []
    login(page, server, "hv.binh", temporary)
    assert page.is_visible("#must-change") and serious_violations(page, server) == []
