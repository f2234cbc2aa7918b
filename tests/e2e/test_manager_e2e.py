"""Issue 19 in a real browser: a province manager logs in, sees the headline (cadres meeting the standard /
cadres it applies to) on the home page, drills down to the overdue cadres and opens one of them."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.lms.reports.conftest import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_manager_home_headline_to_an_overdue_cadre(live_server, page, phone_page, world, size):  # noqa: F811
    pg = page if size == "desktop" else phone_page
    login(pg, live_server, "ql.hanoi")
    pg.goto(f"{live_server.url}/")
    home = pg.locator("#manager-home")
    assert "LĐLĐ thành phố Hà Nội" in home.inner_text()
    overall = pg.locator('#headline-table tr[data-standard="ALL"]')
    assert "1 / 3" in overall.inner_text()  # Nhung meets it; Đức and Ánh do not
    assert pg.locator("#home-overdue").inner_text().endswith("2")
    overall.locator("a.text-danger").click()
    pg.wait_for_url("**/not-meeting**")
    assert pg.locator("#not-meeting-total").inner_text() == "2"
    row = pg.locator('#not-meeting tr[data-cadre="HN0003"]')
    assert "Bồi dưỡng an toàn, vệ sinh lao động" in row.inner_text()
    row.locator("a").first.click()
    pg.wait_for_url("**/standards/cadres/**")
    assert "Phạm Thị Ngọc Ánh" in pg.inner_text("main")
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.evaluate(
        "document.documentElement.clientWidth") + 1
