"""Training plans against actuals: saving, the roll-up over the subtree, the page, exports, bad input."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.errors import UserError
from lms.reports import plans
from lms.reports.models import PlanTarget, TrainingPlan
from tests.conftest import csrf_token_from
from tests.lms.reports.helpers import pdf_text, xlsx_rows


def _plan(world):
    plans.save_plan(world["hn"], world["year"], {
        "osh": {"classes": 2, "learners": 4, "trained_pct": "50"},
        "finance": {"classes": 1, "learners": 10, "trained_pct": 20},
    }, user_id=world["hn_manager"].id)
    plans.save_plan(world["hn_up"], world["year"], {"osh": {"classes": 1, "learners": 3, "trained_pct": 0}})
    db.session.commit()


def test_plan_against_actual_rolls_up_the_subtree(world):
    _plan(world)
    report = plans.plan_report(world["hn"], world["year"])
    lines = {line.topic: line for line in report.lines}
    assert set(lines) == {"osh", "finance"}
    osh = lines["osh"]
    # one closed class in HN-CDCS-1; Nhung's module + Đức's attendance; not last year, not Cao Bằng, not revoked
    assert (osh.actual.classes, osh.actual.learners, osh.actual.trained, osh.actual.active) == (1, 2, 2, 3)
    assert osh.actual.trained_pct == 66.7
    assert osh.ratio("classes") == 50.0 and osh.ratio("learners") == 50.0 and osh.ratio("trained_pct") == 133.4
    assert lines["finance"].actual.learners == 0  # Cao Bằng's finance record is outside the subtree
    assert report.planned("classes") == 3 and report.planned("learners") == 14
    [(child, child_plan, actual)] = report.children
    assert child.code == "HN-KCN" and child_plan.targets[0].learners == 3
    assert (actual.classes, actual.learners, actual.trained, actual.active) == (1, 2, 2, 3)


def test_saving_again_replaces_targets_and_drops_emptied_topics(world):
    _plan(world)
    plans.save_plan(world["hn"], world["year"], {"osh": {"classes": 40, "learners": 3920, "trained_pct": 85},
                                                    "finance": {"classes": "", "learners": "", "trained_pct": ""}})
    plan = plans.get_plan(world["hn"], world["year"])
    assert [(t.topic, t.classes, t.learners, t.trained_pct) for t in plan.targets] == [
        ("osh", 40, 3920, Decimal("85.00"))]


@pytest.mark.parametrize("values, code", [
    ({"classes": -1}, "plan_range"), ({"trained_pct": 101}, "plan_range"), ({"learners": "nhiều"}, "plan_number"),
])
def test_bad_targets_are_refused_and_nothing_is_written(world, values, code):
    with pytest.raises(UserError) as info:
        plans.save_plan(world["hn"], world["year"], {"finance": {"classes": 1}, "osh": values})
    assert info.value.code == code and info.value.status == 422
    assert db.session.scalar(select(func.count(TrainingPlan.id))) == 0


def test_manager_saves_plan_through_the_form(client, auth, world):
    auth.login("ql.hanoi")
    url = f"/reports/units/HN/plan?year={world['year']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "title": "Kế hoạch đào tạo năm nay",
                                      "osh-classes": "40", "osh-learners": "3920", "osh-trained_pct": "85"})
    assert response.status_code == 302
    target = db.session.scalar(select(PlanTarget))
    assert (target.topic, target.classes, target.learners) == ("osh", 40, 3920)
    bad = client.post(url, data={"csrf_token": token, "osh-classes": "-3"})
    assert bad.status_code == 422
    assert "không âm" in bad.get_data(as_text=True)
    assert db.session.scalar(select(PlanTarget.classes)) == 40


def test_plan_page_xlsx_and_csv_show_the_same_figures(client, auth, world):
    _plan(world)
    auth.login("ql.hanoi")
    year = world["year"]
    page = client.get(f"/reports/units/HN/plan?year={year}").get_data(as_text=True)
    assert 'data-topic="osh"' in page and "66.7" in page and "Công đoàn các KCN-CX Hà Nội" in page
    response = client.get(f"/reports/units/HN/plan.xlsx?year={year}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    sheet, rows = xlsx_rows(response.data)
    assert rows[0][:3] == ["Chủ đề", "Số lớp KH", "Số lớp TH"]
    assert sheet.freeze_panes == "A2"
    by_topic = {r[0]: r for r in rows[1:]}
    assert by_topic["An toàn, vệ sinh lao động"] == ["An toàn, vệ sinh lao động", 2, 1, 50, 4, 2, 50, 50, 66.7]
    assert by_topic["Tổng cộng"][1:7] == [3, 1, 33.3, 14, 2, 14.3]
    csv_text = client.get(f"/reports/units/HN/plan.csv?year={year}").data.decode("utf-8")
    assert csv_text.startswith("\ufeffChủ đề,")
    assert "An toàn, vệ sinh lao động\",2,1,50.0,4,2,50.0,50.0,66.7" in csv_text


def test_plan_pdf_has_unit_signature_block_and_place_date(client, auth, world, tmp_path):
    _plan(world)
    auth.login("ql.hanoi")
    response = client.get(f"/reports/units/HN/plan.pdf?year={world['year']}")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for expected in ("LĐLĐ thành phố Hà Nội", "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Công đoàn các KCN-CX Hà Nội",
                     "An toàn, vệ sinh lao động", "Hà Nội, ngày", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
        assert expected in text, expected


def test_other_province_cannot_see_or_export_the_plan(client, auth, world):
    auth.login("ql.caobang")
    assert client.get("/reports/units/HN/plan").status_code == 404
    assert client.get("/reports/units/HN/plan.xlsx").status_code == 404
    assert client.get(f"/reports/units/CB/plan.pdf?year={today_vn().year}").status_code == 200


def test_learner_cannot_open_reports(client, auth, world):
    auth.login("hv.nhung")
    assert client.get("/reports/units/HN-CDCS-1/plan").status_code == 403
