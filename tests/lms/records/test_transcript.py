"""The transcript: amendments inline, totals per topic per year, xlsx export, scope for each role."""

import io
from datetime import date

import openpyxl
import pytest

from lms.core.db import db
from lms.records.services import correct_record, revoke_record
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.lms.records.helpers import gen_module, gen_record


@pytest.fixture
def history(tree):
    module = gen_module("ATVSLD", "osh", "8")
    cadre = tree["hn_cadre"]
    a = gen_record(cadre, hours="8", module=module, completed_on=date(2024, 4, 2), score=75)
    b = gen_record(cadre, hours="4", topic="union_law", completed_on=date(2024, 9, 1))
    c = gen_record(cadre, hours="3", topic="osh", completed_on=date(2025, 2, 3))
    correct_record(b, hours="6", reason="Bổ sung buổi chiều", actor=tree["hn_manager"])
    revoke_record(c, reason="Trùng lớp", actor=tree["hn_manager"])
    db.session.commit()
    return {"a": a, "b": b, "c": c, "module": module}


def test_transcript_shows_amendments_inline_and_totals(client, auth, tree, history):
    auth.login("hv.nhung")
    response = client.get(f"/records/cadres/{tree['hn_cadre'].id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="record-{history["c"].id}" class="text-muted" data-state="revoked"' in body
    assert 'data-state="corrected"' in body
    assert "Bổ sung buổi chiều" in body and "Trùng lớp" in body
    assert "<del>" in body  # revoked values struck through
    # 2024: osh 8 + union_law 6 (corrected from 4) = 14; 2025: the revoked 3 h do not count
    assert '<tr data-year="2024"><th>2024</th><td data-topic="union_law">6.0</td><td data-topic="osh">8.0</td>' in body
    assert 'data-year="2025"' not in body
    assert "Sửa / thu hồi" not in body  # a learner cannot amend


def test_my_transcript_redirects_a_learner_to_their_own(client, auth, tree):
    auth.login("hv.nhung")
    response = client.get("/records/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/records/cadres/{tree['hn_cadre'].id}")
    auth.logout()
    auth.login("ql.hanoi")
    assert client.get("/records/me").status_code == 404


def test_transcript_xlsx_export(client, auth, tree, history):
    auth.login("ql.hanoi")
    response = client.get(f"/records/cadres/{tree['hn_cadre'].id}/transcript.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert sheet.title == "Hồ sơ đào tạo"
    assert [c.value for c in sheet[3]][:7] == ["Ngày hoàn thành", "Học phần", "Chủ đề", "Số giờ", "Điểm", "Nguồn",
                                               "Trạng thái"]
    statuses = [sheet.cell(row=r, column=7).value for r in range(4, 7)]
    assert statuses == ["Đã thu hồi", "Đã điều chỉnh", "Hiệu lực"]
    totals = book.worksheets[1]
    assert totals.title == "Tổng số giờ"
    assert [c.value for c in totals[2]] == [2024, 6, 8, 0, 0, 0, 14]


@pytest.mark.parametrize("login, status", [
    ("hv.nhung", 200), ("ql.hanoi", 200), ("gv.hanoi", 200), ("admin", 200), ("ql.caobang", 404),
])
def test_transcript_scope_for_each_role(client, auth, tree, login, status):
    auth.login(login)
    assert client.get(f"/records/cadres/{tree['hn_cadre'].id}").status_code == status
    assert client.get(f"/records/cadres/{tree['hn_cadre'].id}/transcript.xlsx").status_code == status


def test_another_learner_gets_404(client, auth, tree):
    gen_user("hv.dung", cadre=tree["cb_cadre"])
    db.session.commit()
    auth.login("hv.dung")
    assert client.get(f"/records/cadres/{tree['hn_cadre'].id}").status_code == 404
    assert client.get(f"/records/cadres/{tree['cb_cadre'].id}").status_code == 200


def test_manager_corrects_revokes_and_waives_from_the_page(client, auth, tree, history):
    auth.login("ql.hanoi")
    page = client.get(f"/records/cadres/{tree['hn_cadre'].id}").get_data(as_text=True)
    assert "Sửa / thu hồi" in page
    token = csrf_token_from(page)
    a = history["a"].id
    assert client.post(f"/records/entries/{a}/correct", data={"csrf_token": token, "score": "95",
                                                               "reason": "Chấm lại"}).status_code == 302
    assert client.post(f"/records/entries/{a}/correct", data={"csrf_token": token, "score": "95"}).status_code == 422
    assert client.post(f"/records/entries/{a}/revoke", data={"csrf_token": token, "reason": "Sai"}).status_code == 302
    assert client.post(f"/records/entries/{a}/revoke", data={"csrf_token": token, "reason": "Sai"}).status_code == 409
    assert client.post(f"/records/cadres/{tree['hn_cadre'].id}/waivers",
                       data={"csrf_token": token, "topic": "finance", "reason": "Kế toán viên"}).status_code == 302
    body = client.get(f"/records/cadres/{tree['hn_cadre'].id}").get_data(as_text=True)
    assert "Chấm lại" in body and "Kế toán viên" in body


def test_amending_is_refused_outside_scope_and_to_learners(client, auth, tree, history):
    auth.login("ql.caobang")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/records/entries/{history['a'].id}/revoke",
                       data={"csrf_token": token, "reason": "x"}).status_code == 404
    auth.logout()
    auth.login("hv.nhung")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post(f"/records/entries/{history['a'].id}/revoke",
                       data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert client.post(f"/records/entries/{history['a'].id}/revoke", data={"reason": "x"}).status_code == 400
