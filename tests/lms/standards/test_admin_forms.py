"""Standards edited with forms: create, add a requirement, version one, change the target, export YAML —
each save shows whom it reaches, a standard or requirement matching nobody is refused (422, nothing
written), and the headline follows the edit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.standards import engine, headline, loader
from lms.standards.models import Requirement, Standard
from tests.conftest import csrf_token_from
from tests.lms.standards.helpers import gen_module, standard


@pytest.fixture
def world(tree):
    gen_module("M1", "osh")
    standard([{"code": "R1"}], code="STD", target=80)
    engine.recompute()
    db.session.commit()
    return tree


def _token(client, url: str, prefix: str = "") -> dict:
    page = client.get(url).get_data(as_text=True)
    token = re.search(rf'id="{prefix}csrf_token"[^>]*value="([^"]+)"', page)
    return {f"{prefix}csrf_token": token.group(1) if token else csrf_token_from(page)}


def _requirement(prefix: str = "", **over) -> dict:
    data = {"name_vi": "Bồi dưỡng chủ tịch", "any_modules": "M1", "validity_months": "0",
            "renewal_days": "60", "effective_from": engine.today_vn().isoformat(), **over}
    return {f"{prefix}{k}": v for k, v in data.items()}


def test_levels_are_offered_from_the_tree(client, auth, world):
    auth.login("admin")
    page = client.get("/standards/admin/new").get_data(as_text=True)
    for level in ("Tổng Liên đoàn", "LĐLĐ tỉnh", "CĐ cấp trên cơ sở", "CĐCS"):
        assert f'value="{level}"' in page
    assert 'value="chair"' in page and 'value="full_time"' in page and 'name="req-is_key"' in page


def test_create_standard_shows_its_reach(client, auth, world):
    auth.login("admin")
    data = {**_token(client, "/standards/admin/new", "std-"), "std-code": "CT", "std-name_vi": "Chuẩn chủ tịch",
            "std-target_pct": "100", "std-effective_from": "2025-01-01",
            **_requirement("req-", code="CT-1", positions=["chair"], levels=["CĐCS"])}
    data["req-csrf_token"] = data["std-csrf_token"]
    response = client.post("/standards/admin/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/standards/admin/standards/CT")
    assert "Chuẩn CT áp dụng cho 1 cán bộ." in client.get("/standards/admin/standards/CT").get_data(as_text=True)
    req = db.session.scalar(select(Requirement).where(Requirement.code == "CT-1"))
    assert req.applies_to == {"levels": ["CĐCS"], "positions": ["chair"]} and req.version == 1
    assert [f.applicable for f in headline.headline(world["tld"]) if f.code == "CT"] == [1]


def test_standard_matching_nobody_is_refused(client, auth, world):
    auth.login("admin")
    data = {**_token(client, "/standards/admin/new", "std-"), "std-code": "KHONG", "std-name_vi": "Không ai",
            "std-target_pct": "100", "std-effective_from": "2025-01-01",
            **_requirement("req-", code="KHONG-1", employment=["full_time"])}  # every test cadre is part-time
    data["req-csrf_token"] = data["std-csrf_token"]
    response = client.post("/standards/admin/new", data=data)
    assert response.status_code == 422
    assert "Chuẩn KHONG không áp dụng cho cán bộ nào" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Standard).where(Standard.code == "KHONG")) is None  # nothing written
    assert db.session.scalar(select(Requirement).where(Requirement.code == "KHONG-1")) is None


def test_duplicate_codes_are_refused(client, auth, world):
    auth.login("admin")
    data = {**_token(client, "/standards/admin/new", "std-"), "std-code": "STD", "std-name_vi": "Trùng",
            "std-target_pct": "100", "std-effective_from": "2025-01-01", **_requirement("req-", code="X-1")}
    data["req-csrf_token"] = data["std-csrf_token"]
    assert "Mã chuẩn STD đã có." in client.post("/standards/admin/new", data=data).get_data(as_text=True)
    url = "/standards/admin/standards/STD/requirements/new"
    response = client.post(url, data={**_token(client, url), **_requirement(code="R1")})
    assert response.status_code == 422 and "Mã yêu cầu R1 đã có." in response.get_data(as_text=True)


def test_add_requirement_and_the_headline_follows(client, auth, world):
    auth.login("admin")
    before = {f.code: f.applicable for f in headline.headline(world["tld"])}
    url = "/standards/admin/standards/STD/requirements/new"
    nobody = client.post(url, data={**_token(client, url), **_requirement(code="R9", gender=["female"],
                                                                         positions=["vice_chair"])})
    assert nobody.status_code == 422 and "Yêu cầu R9 không áp dụng cho cán bộ nào" in nobody.get_data(as_text=True)
    response = client.post(url, data={**_token(client, url), **_requirement(code="R2", positions=["chair"])})
    assert response.status_code == 302
    assert "Chuẩn STD áp dụng cho 2 cán bộ." in client.get("/standards/admin/standards/STD").get_data(as_text=True)
    assert before["STD"] == 2
    std = db.session.scalar(select(Standard).where(Standard.code == "STD"))
    assert sorted(r.code for r in std.requirements) == ["R1", "R2"]


def test_edit_target_changes_the_figure_and_keeps_versions(client, auth, world):
    auth.login("admin")
    url = "/standards/admin/standards/STD"
    data = {**_token(client, url), "name_vi": "Chuẩn thử đã sửa", "target_pct": "50", "effective_from": "2025-01-01"}
    assert client.post(url, data=data).status_code == 302
    figure = next(f for f in headline.headline(world["tld"]) if f.code == "STD")
    assert figure.target_pct == 50.0 and figure.name_vi == "Chuẩn thử đã sửa"
    data["effective_to"] = "2024-01-01"
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Ngày hết áp dụng phải sau ngày áp dụng." in response.get_data(as_text=True)


def test_yaml_export_round_trips(client, auth, world):
    auth.login("admin")
    response = client.get("/standards/admin/standards/STD.yaml")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    [again] = loader.parse(response.data, ".yaml")
    assert again["code"] == "STD" and [r["code"] for r in again["requirements"]] == ["R1"]
    assert again["requirements"][0]["satisfied_by"] == [{"kind": "any_modules", "modules": ["M1"]}]
    assert client.get("/standards/admin/standards/NONE.yaml").status_code == 404


def test_forms_are_for_admins_only(client, auth, world):
    auth.login("ql.hanoi")
    assert client.get("/standards/admin/new").status_code == 403
    assert client.get("/standards/admin/standards/STD").status_code == 403


def test_versioning_a_requirement_changes_the_headline(client, auth, world):
    auth.login("admin")
    assert [f.applicable for f in headline.headline(world["tld"]) if f.code == "STD"] == [2]
    url = "/standards/admin/requirements/R1"
    assert client.post(url, data={**_token(client, url), **_requirement(positions=["chair"])}).status_code == 302
    versions = db.session.scalars(select(Requirement).where(Requirement.code == "R1")
                                  .order_by(Requirement.version)).all()
    assert [v.version for v in versions] == [1, 2] and versions[0].effective_to == engine.today_vn()
    assert [f.applicable for f in headline.headline(world["tld"]) if f.code == "STD"] == [1]  # only the chair
