"""Dashboard numbers, drill-down, cadre page, learner panel and the admin editor, through HTTP."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from lms.core.db import db
from lms.standards import engine, services
from lms.standards.models import Requirement
from tests.conftest import csrf_token_from
from tests.factories import gen_cadre
from tests.lms.standards.helpers import gen_module, record, standard


@pytest.fixture
def world(tree):
    m1 = gen_module("M1", "osh")
    reqs = standard([{"code": "R1", "due_days": 30}, {"code": "R2", "applies_to": {"positions": ["chair"]}}],
                    target=80, start="2025-01-01")
    today = engine.today_vn()
    extra = gen_cadre(tree["hn_base"], "HN0002", "Lê Văn Quá Hạn", appointed_on=date(2025, 1, 1))
    record(tree["hn_cadre"], today - timedelta(days=3), m1)
    engine.recompute()
    db.session.commit()
    return {**tree, "reqs": reqs, "extra": extra, "m1": m1}


def test_unit_summary_hand_computed(world):
    # Hà Nội: Nhung (chair, trained) and the extra cadre (not a chair, untrained, overdue)
    rows = {r["code"]: r for r in services.unit_summary(world["hn"])}
    assert (rows["R1"]["applicable"], rows["R1"]["compliant"], rows["R1"]["overdue"], rows["R1"]["pct"]) == (2, 1, 1, 50.0)
    assert rows["R1"]["light"] == "danger"  # 50 % against 80 %
    assert (rows["R2"]["applicable"], rows["R2"]["compliant"], rows["R2"]["pct"], rows["R2"]["light"]) == (1, 1, 100.0, "success")
    national = {r["code"]: r for r in services.unit_summary(world["tld"])}
    assert national["R1"]["applicable"] == 3 and national["R2"]["applicable"] == 1  # only Nhung is a chair
    kids = {row["unit"].code: row for row in services.children_summary(world["tld"])}
    assert set(kids) == {"HN", "CB"}
    assert [(r["code"], r["valid"], r["applicable"]) for r in kids["CB"]["requirements"]] == [("R1", 0, 1), ("R2", 0, 0)]
    assert kids["HN"]["pct"] == pytest.approx(66.7)
    overdue = list(services.due_and_overdue())
    assert {(c, s) for c, _, s, _ in overdue} == {(world["extra"].id, "overdue"), (world["cb_cadre"].id, "overdue")}


def test_filters_narrow_the_counts(world):
    rows = services.unit_summary(world["hn"], filters=services.StatusFilter(position="chair"))
    assert [(r["code"], r["applicable"]) for r in rows] == [("R1", 1), ("R2", 1)]


def test_dashboard_page_and_drill_down(client, auth, world):
    auth.login("ql.hanoi")
    body = client.get("/standards/").get_data(as_text=True)
    assert 'data-pct="50.0"' in body and 'data-unit="HN-KCN"' in body
    overdue = client.get("/standards/cadres?unit=HN&state=overdue").get_data(as_text=True)
    assert "Lê Văn Quá Hạn" in overdue and "Trần Thị Hồng Nhung" not in overdue
    past = client.get("/standards/?unit=HN&as_of=2025-02-01")
    assert past.status_code == 200
    assert client.get("/standards/?as_of=nope").status_code == 400


def test_cadre_page_explains_why(client, auth, world):
    auth.login("hv.nhung")
    body = client.get(f"/standards/cadres/{world['hn_cadre'].id}").get_data(as_text=True)
    assert 'data-state="compliant"' in body and "data-record=" in body


def test_learner_home_panel_lists_requirements(client, auth, world):
    auth.login("hv.nhung")
    body = client.get("/").get_data(as_text=True)
    assert 'id="panel-requirements"' in body and 'data-requirement="R1"' in body
    assert client.get("/standards/me").status_code == 302


def test_learner_cannot_open_dashboard(client, auth, world):
    auth.login("hv.nhung")
    assert client.get("/standards/").status_code == 403


def _upload(client, name: str, content: bytes):
    token = csrf_token_from(client.get("/standards/admin").get_data(as_text=True))
    return client.post("/standards/admin/load", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_admin_loads_a_file_and_rejects_a_broken_one(client, auth, world):
    auth.login("admin")
    good = b'[standard]\ncode="S2"\nname_vi="Chu\xe1\xba\xa9n 2"\neffective_from=2025-01-01\n' \
           b'[[standard.requirements]]\ncode="S2-A"\nname_vi="A"\nsatisfied_by=[{hours=4, topic="osh", period_months=12}]\n'
    assert _upload(client, "s2.toml", good).status_code == 302
    assert services.current_version("S2-A") is not None
    bad = b'[standard]\ncode="S3"\nname_vi="x"\neffective_from=2025-01-01\n' \
          b'[[standard.requirements]]\ncode="S3-A"\nname_vi="A"\napplies_to={positions=["king"]}\nsatisfied_by=[{any_modules=["M1"]}]\n'
    response = _upload(client, "s3.toml", bad)
    assert response.status_code == 422 and "king" in response.get_data(as_text=True)
    assert services.current_version("S3-A") is None  # nothing half-written
    assert _upload(client, "s4.toml", b"[standard\n").status_code == 422


def test_admin_edit_creates_a_version(client, auth, world):
    auth.login("admin")
    page = client.get("/standards/admin/requirements/R1").get_data(as_text=True)
    today = engine.today_vn()
    data = {"csrf_token": csrf_token_from(page), "name_vi": "Yêu cầu R1 mới", "any_modules": "M1",
            "validity_months": "12", "renewal_days": "30", "effective_from": (today + timedelta(days=10)).isoformat(),
            "employment": ["full_time"]}
    refused = client.post("/standards/admin/requirements/R1", data=data)  # every test cadre is part-time
    assert refused.status_code == 422 and "không áp dụng cho cán bộ nào" in refused.get_data(as_text=True)
    assert db.session.query(Requirement).filter_by(code="R1").count() == 1  # nothing written
    data["employment"] = ["part_time"]
    assert client.post("/standards/admin/requirements/R1", data=data).status_code == 302
    versions = db.session.query(Requirement).filter_by(code="R1").order_by(Requirement.version).all()
    assert [(v.version, v.effective_to) for v in versions] == [(1, today + timedelta(days=10)), (2, None)]
    assert versions[1].applies_to == {"employment": ["part_time"]}
    data["effective_from"] = "2020-01-01"
    assert client.post("/standards/admin/requirements/R1", data=data).status_code == 422


def test_cli_load_defaults_and_recompute(runner, world):
    result = runner.invoke(args=["standards", "load", "--defaults"])
    assert result.exit_code == 0, result.output
    assert "VD-CHUYEN-TRACH" in result.output
    assert services.current_version("ATVSV-ATVSLD").validity_months == 24
    result = runner.invoke(args=["standards", "recompute"])
    assert result.exit_code == 0 and "statuses" in result.output
