"""The report dashboards in a real browser at phone and desktop sizes: charts drawn, tables present, no
sideways scrolling on a 360 px phone. Screenshots go to docs/screenshots/ with LMS_UPDATE_SCREENSHOTS=1
(for the user guides), else to a temporary folder so a CI run does not change the tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lms.core.db import db
from lms.reports import plans
from lms.reports.models import Certificate
from tests.e2e.conftest import login
from tests.lms.reports.conftest import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go."""
    folder = DOCS if os.environ.get("LMS_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def planned(world):  # noqa: F811 - the imported fixture
    plans.save_plan(world["hn"], world["year"], {"osh": {"classes": 2, "learners": 4, "trained_pct": 50},
                                                    "union_law": {"classes": 1, "learners": 3, "trained_pct": 30}})
    db.session.commit()
    return world


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def _chart_drawn(page, canvas_id: str) -> None:
    page.wait_for_function(f"window.Chart && Chart.getChart('{canvas_id}') !== undefined")
    points = page.evaluate(f"Chart.getChart('{canvas_id}').data.datasets[0].data")
    assert points, canvas_id


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_compliance_dashboard(live_server, page, phone_page, planned, shots, size):
    pg = page if size == "desktop" else phone_page
    login(pg, live_server, "ql.hanoi")
    pg.goto(f"{live_server.url}/reports/units/HN")
    assert pg.locator("#overall-pct").inner_text() == "33.3%"
    _chart_drawn(pg, "chart-children")
    _chart_drawn(pg, "chart-trend")
    assert pg.locator("#trend-table tbody tr").count() == 12
    assert pg.locator("#children-table").inner_text().count("Công đoàn các KCN-CX Hà Nội") == 1
    _no_sideways_scroll(pg)
    pg.screenshot(path=str(shots / f"bao-cao-chuan-{size}.png"), full_page=size == "desktop")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_plan_dashboard(live_server, page, phone_page, planned, shots, size):
    pg = page if size == "desktop" else phone_page
    login(pg, live_server, "ql.hanoi")
    pg.goto(f"{live_server.url}/reports/units/HN/plan?year={planned['year']}")
    _chart_drawn(pg, "chart-plan")
    row = pg.locator('#plan-table tr[data-topic="osh"]').inner_text()
    assert "66.7" in row
    _no_sideways_scroll(pg)
    pg.screenshot(path=str(shots / f"ke-hoach-{size}.png"), full_page=size == "desktop")


def test_learner_certificate_and_public_verification(live_server, phone_page, world, shots):  # noqa: F811
    login(phone_page, live_server, "hv.nhung")
    phone_page.goto(f"{live_server.url}/reports/my/certificates")
    assert "An toàn, vệ sinh lao động và vai trò của công đoàn" in phone_page.inner_text("main")
    _no_sideways_scroll(phone_page)
    phone_page.screenshot(path=str(shots / "chung-nhan-hoc-vien-phone.png"))
    code = db.session.scalar(db.select(Certificate.code))
    phone_page.goto(f"{live_server.url}/verify")
    phone_page.fill("#code", code.lower())
    phone_page.click("#verify-form button[type=submit]")
    assert phone_page.locator("#verify-result").get_attribute("data-state") == "valid"
    _no_sideways_scroll(phone_page)
    phone_page.screenshot(path=str(shots / "xac-thuc-phone.png"))
