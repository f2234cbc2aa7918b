"""Issue 19: one manager home with the headline (cadres, not pairs), the seed's two targets against the plan,
units below target and recent activity; drill-down to units and to the cadres who do not meet it."""

from __future__ import annotations

from datetime import timedelta

from lms.core.db import db
from lms.reports import overview, plans


def test_manager_home_shows_the_headline_and_both_targets(client, auth, world):
    plans.save_plan(world["hn"], world["year"], {"osh": {"classes": 2, "learners": 10, "trained_pct": 85}})
    db.session.commit()
    auth.login("ql.hanoi")
    page = client.get("/").get_data(as_text=True)
    assert 'id="manager-home"' in page and "Chưa có nội dung" not in page
    # Hà Nội: Nhung meets it, Đức (class, not the module) and Ánh are overdue: 1 of 3 cadres, 2 overdue
    assert 'data-standard="ALL"' in page and 'data-met="1" data-applicable="3"' in page
    assert 'id="home-overdue"' in page and "Quá hạn: 2" in page
    assert "Cán bộ được đào tạo năm" in page and "Chỉ tiêu kế hoạch: 85%" in page
    assert 'id="units-below"' in page and "Công đoàn các KCN-CX Hà Nội" in page
    assert 'id="recent-activity"' in page and "Trần Thị Hồng Nhung" in page
    assert "Nông Văn Dũng" not in page  # Cao Bằng is outside the scope


def test_admin_home_shows_the_whole_tree(client, auth, world):
    auth.login("admin")
    page = client.get("/").get_data(as_text=True)
    assert 'id="manager-home"' in page and 'data-met="1" data-applicable="4"' in page


def test_drill_down_to_units_and_overdue_cadres(client, auth, world):
    auth.login("ql.hanoi")
    units = client.get("/reports/units/HN/headline").get_data(as_text=True)
    assert 'data-unit="HN-KCN"' in units
    page = client.get("/reports/units/HN/not-meeting?which=overdue").get_data(as_text=True)
    assert 'id="not-meeting-total">2<' in page
    assert 'data-cadre="HN0002"' in page and 'data-cadre="HN0003"' in page and 'data-cadre="HN0001"' not in page
    assert "Bồi dưỡng an toàn, vệ sinh lao động" in page
    due = world["duc"].appointed_on + timedelta(days=180)
    assert due.strftime("%d/%m/%Y") in page
    assert client.get("/reports/units/CB/not-meeting").status_code == 404  # outside the scope
    assert client.get("/reports/units/HN/not-meeting?standard=99999").status_code == 404
    assert client.get("/reports/units/HN/not-meeting?page=x").status_code == 400


def test_trained_in_year_equals_the_plan_reports_total(world):
    """The home's lean count (corrections and revocations applied) equals the plan report's total."""
    for unit in (world["tld"], world["hn"], world["hn_up"], world["cb"]):
        _by_topic, total = plans.actuals(unit, world["year"])
        got = overview.trained_in_year(unit, world["year"])
        assert (got.trained, got.active) == (total.trained, total.active), unit.code
