"""In-person classes: creation in scope, attendance by picking and by sheet, closing, removal after closing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.errors import UserError
from lms.records.classes import ClassData, add_attendee, close_class, create_class, import_attendance
from lms.records.models import Attendance, TrainingClass, TrainingRecord
from lms.records.services import effective_records
from tests.conftest import csrf_token_from
from tests.factories import gen_cadre
from tests.lms.records.helpers import csv_bytes, gen_module, xlsx_bytes

MAX = 5 * 1024 * 1024


def _class(tree, **kw) -> TrainingClass:
    data = {"title": "Tập huấn ATVSLĐ 2025", "starts_on": date(2025, 5, 6), "ends_on": date(2025, 5, 7),
            "hours": "12", "org_unit": tree["hn_base"], "topic": "osh", "place": "Hà Nội",
            "lecturer_name": "TS. Lê Văn A"}
    data.update(kw)
    return create_class(ClassData(**data), actor=tree["lecturer"])


def _records(class_id):
    return db.session.scalars(select(TrainingRecord).where(
        TrainingRecord.dedupe_key.startswith(f"class:{class_id}:"))).all()


def test_lecturer_creates_a_class_through_the_form(client, auth, tree):
    module = gen_module("ATVSLD", "osh", "8")
    db.session.commit()
    auth.login("gv.hanoi")
    page = client.get("/records/classes/new")
    assert page.status_code == 200
    response = client.post("/records/classes/new", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "title": "Lớp ATVSLĐ quý II",
        "module": "ATVSLD", "topic": "", "starts_on": "2025-05-06", "ends_on": "2025-05-07", "hours": "16",
        "place": "Cung Văn hóa Lao động", "lecturer_name": "ThS. Phạm B", "org_unit": "HN-CDCS-1"})
    assert response.status_code == 302
    klass = db.session.scalar(select(TrainingClass))
    assert (klass.module_id, klass.topic, klass.hours, klass.org_unit_id, klass.status) == (
        module.id, "osh", Decimal("16.00"), tree["hn_base"].id, "open")
    assert "Lớp ATVSLĐ quý II" in client.get("/records/classes").get_data(as_text=True)
    assert "Lớp ATVSLĐ quý II" in client.get("/").get_data(as_text=True)  # home panel "my classes"


def test_class_outside_scope_or_with_bad_dates_is_refused(client, auth, tree):
    auth.login("gv.hanoi")
    page = client.get("/records/classes/new")
    base = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "title": "X", "topic": "osh",
            "module": "", "starts_on": "2025-05-06", "ends_on": "2025-05-07", "hours": "4"}
    assert client.post("/records/classes/new", data={**base, "org_unit": "CB-CDCS-1"}).status_code == 422
    assert client.post("/records/classes/new", data={**base, "org_unit": "HN", "ends_on": "2025-05-01"}
                       ).status_code == 422
    assert client.post("/records/classes/new", data={**base, "org_unit": "HN", "topic": ""}).status_code == 422
    assert db.session.scalar(select(db.func.count(TrainingClass.id))) == 0
    with pytest.raises(UserError) as info:
        _class(tree, org_unit=tree["cb_base"])
    assert info.value.status == 404


def test_pick_attendees_search_without_diacritics_and_close(client, auth, tree):
    klass = _class(tree)
    db.session.commit()
    auth.login("gv.hanoi")
    page = client.get(f"/records/classes/{klass.id}?q=hong+nhung")
    body = page.get_data(as_text=True)
    assert "Trần Thị Hồng Nhung" in body
    assert "Nông Văn Dũng" not in client.get(f"/records/classes/{klass.id}?q=dung").get_data(as_text=True)
    token = csrf_token_from(body)
    assert client.post(f"/records/classes/{klass.id}/attendees",
                       data={"csrf_token": token, "cadre_id": tree["hn_cadre"].id}).status_code == 302
    # a cadre outside the lecturer's scope cannot be picked, even by a forged id
    assert client.post(f"/records/classes/{klass.id}/attendees",
                       data={"csrf_token": token, "cadre_id": tree["cb_cadre"].id}).status_code == 404
    assert _records(klass.id) == []  # nothing appended while the class is open
    assert client.post(f"/records/classes/{klass.id}/close", data={"csrf_token": token}).status_code == 302
    records = _records(klass.id)
    assert len(records) == 1
    record = records[0]
    assert (record.cadre_id, record.source, record.hours, record.completed_on, record.topic, record.dedupe_key) == (
        tree["hn_cadre"].id, "in_person", Decimal("12.00"), date(2025, 5, 7), "osh",
        f"class:{klass.id}:cadre:{tree['hn_cadre'].id}")
    assert record.evidence["class_id"] == klass.id
    assert client.post(f"/records/classes/{klass.id}/close", data={"csrf_token": token}).status_code == 409


def test_closing_appends_records_only_for_present_attendees(tree):
    klass = _class(tree)
    other = gen_cadre(tree["hn_base"], "HN0002", "Lê Văn Vắng")
    add_attendee(klass, tree["hn_cadre"], actor=tree["lecturer"], score="85")
    add_attendee(klass, other, actor=tree["lecturer"], present=False)
    assert close_class(klass, actor=tree["lecturer"]) == 1
    records = _records(klass.id)
    assert [(r.cadre_id, r.score) for r in records] == [(tree["hn_cadre"].id, Decimal("85.00"))]


def test_a_class_cannot_close_before_its_end_or_empty(tree):
    future = _class(tree, starts_on=today_vn(), ends_on=today_vn() + timedelta(days=2))
    add_attendee(future, tree["hn_cadre"], actor=tree["lecturer"])
    with pytest.raises(UserError) as info:
        close_class(future, actor=tree["lecturer"])
    assert info.value.code == "class_not_ended"
    with pytest.raises(UserError) as info:
        close_class(_class(tree), actor=tree["lecturer"])
    assert info.value.code == "class_empty"


def test_removing_an_attendee_after_closing_appends_a_revocation(client, auth, tree):
    klass = _class(tree)
    attendance = add_attendee(klass, tree["hn_cadre"], actor=tree["lecturer"])
    close_class(klass, actor=tree["lecturer"])
    db.session.commit()
    auth.login("gv.hanoi")
    token = csrf_token_from(client.get(f"/records/classes/{klass.id}").get_data(as_text=True))
    url = f"/records/classes/{klass.id}/attendees/{attendance.id}/remove"
    assert client.post(url, data={"csrf_token": token, "reason": ""}).status_code == 422
    assert client.post(url, data={"csrf_token": token, "reason": "Không tham dự thực tế"}).status_code == 302
    rows = db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.id)).all()
    assert [(r.kind, r.reason) for r in rows] == [("record", ""), ("revocation", "Không tham dự thực tế")]
    assert db.session.execute(effective_records([tree["hn_cadre"].id])).all() == []
    # adding them back appends a new record with a fresh key
    again = add_attendee(klass, tree["hn_cadre"], actor=tree["lecturer"])
    assert db.session.get(TrainingRecord, again.record_id).dedupe_key == (
        f"class:{klass.id}:cadre:{tree['hn_cadre'].id}:2")


def test_removing_before_closing_only_updates_the_list(client, auth, tree):
    klass = _class(tree)
    attendance = add_attendee(klass, tree["hn_cadre"], actor=tree["lecturer"])
    db.session.commit()
    auth.login("gv.hanoi")
    token = csrf_token_from(client.get(f"/records/classes/{klass.id}").get_data(as_text=True))
    assert client.post(f"/records/classes/{klass.id}/attendees/{attendance.id}/remove",
                       data={"csrf_token": token}).status_code == 302
    assert db.session.get(Attendance, attendance.id).removed_at is not None
    assert db.session.scalar(select(db.func.count(TrainingRecord.id))) == 0


def test_attendance_sheet_xlsx_adds_everyone(tree):
    klass = _class(tree)
    second = gen_cadre(tree["hn_base"], "HN0002", "Lê Thị Hoa")
    data = xlsx_bytes([["Mã cán bộ", "Điểm", "Có mặt"], ["HN0001", 90, "x"], ["HN0002", None, "không"]])
    result = import_attendance(klass, data, "ds.xlsx", actor=tree["lecturer"], max_bytes=MAX)
    assert (result.added, result.errors) == (2, [])
    rows = {a.cadre_id: (a.present, a.score) for a in klass.attendees}
    assert rows == {tree["hn_cadre"].id: (True, Decimal("90.00")), second.id: (False, None)}


def test_attendance_sheet_csv_with_semicolons(tree):
    klass = _class(tree)
    data = "Mã cán bộ;Có mặt\nHN0001;có\n".encode("utf-8-sig")
    result = import_attendance(klass, data, "ds.csv", actor=tree["lecturer"], max_bytes=MAX)
    assert result.added == 1


@pytest.mark.parametrize("rows, column, fragment", [
    ([["Mã cán bộ"], ["CB0001"]], "Mã cán bộ", "Không tìm thấy cán bộ"),  # outside scope
    ([["Mã cán bộ"], ["KHONGCO"]], "Mã cán bộ", "Không tìm thấy cán bộ"),
    ([["Mã cán bộ", "Điểm"], ["HN0001", 120]], "Điểm", "0–100"),
    ([["Mã cán bộ", "Có mặt"], ["HN0001", "có lẽ"]], "Có mặt", "không hợp lệ"),
    ([["Mã cán bộ"], ["HN0001"], ["HN0001"]], "Mã cán bộ", "Trùng với dòng 2"),
    ([["Mã cán bộ"], ["=HYPERLINK(\"http://x\")"]], "Mã cán bộ", "công thức"),
])
def test_bad_attendance_sheet_rows_add_nobody(tree, rows, column, fragment):
    klass = _class(tree)
    gen_cadre(tree["hn_base"], "HN0002", "Lê Thị Hoa")
    data = xlsx_bytes([*rows, ["HN0002"]] if rows[0] == ["Mã cán bộ"] else rows)
    result = import_attendance(klass, data, "ds.xlsx", actor=tree["lecturer"], max_bytes=MAX)
    assert result.added == 0
    assert any(e.column == column and fragment in e.message_vi for e in result.errors), result.errors
    assert klass.attendees == []


def test_attendance_sheet_without_code_column_or_empty_is_refused(client, auth, tree):
    klass = _class(tree)
    db.session.commit()
    auth.login("gv.hanoi")
    token = csrf_token_from(client.get(f"/records/classes/{klass.id}").get_data(as_text=True))
    import io

    def upload(data, name):
        return client.post(f"/records/classes/{klass.id}/sheet",
                           data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    assert upload(xlsx_bytes([["Họ tên"], ["A"]]), "a.xlsx").status_code == 400
    assert upload(b"", "a.csv").status_code == 400
    assert upload(b"not a zip at all", "a.xlsx").status_code == 400
    bad = upload(csv_bytes([["Mã cán bộ"], ["KHONGCO"]]), "a.csv")
    assert bad.status_code == 422
    assert "KHONGCO" in bad.get_data(as_text=True)
    good = upload(csv_bytes([["Mã cán bộ"], ["HN0001"]]), "a.csv")
    assert good.status_code == 302
    assert db.session.scalar(select(db.func.count(Attendance.id))) == 1


def test_class_pages_are_scoped(client, auth, tree):
    klass = _class(tree)
    db.session.commit()
    auth.login("ql.caobang")
    assert client.get(f"/records/classes/{klass.id}").status_code == 404
    assert "Tập huấn ATVSLĐ" not in client.get("/records/classes").get_data(as_text=True)
    auth.logout()
    auth.login("ql.hanoi")
    assert client.get(f"/records/classes/{klass.id}").status_code == 200
    auth.logout()
    auth.login("hv.nhung")
    assert client.get(f"/records/classes/{klass.id}").status_code == 403


def test_attendance_sheet_preview_then_add_the_valid_rows(client, auth, tree):
    import io
    import re

    import openpyxl

    klass = _class(tree)
    db.session.commit()
    auth.login("gv.hanoi")
    token = csrf_token_from(client.get(f"/records/classes/{klass.id}").get_data(as_text=True))
    bad = client.post(f"/records/classes/{klass.id}/sheet", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(xlsx_bytes([["Mã cán bộ", "Có mặt"], ["HN0001", "x"],
                                                              ["KHONGCO", "x"]])), "ds.xlsx")})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'data-valid="1" data-invalid="1"' in body
    assert db.session.scalar(select(db.func.count(Attendance.id))) == 0
    confirm = re.search(r'action="(/records/classes/\d+/sheet/[\w-]+/confirm)"', body).group(1)
    errors = client.get(confirm.replace("/confirm", "/errors.xlsx"))
    table = [list(r) for r in openpyxl.load_workbook(io.BytesIO(errors.data)).worksheets[0].iter_rows(values_only=True)]
    assert table[0] == ["Mã cán bộ", "Có mặt", "Lỗi"] and table[1][2] is None and "KHONGCO" in table[2][2]
    assert db.session.scalar(select(db.func.count(Attendance.id))) == 0  # the error copy writes nothing
    assert client.post(confirm, data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(db.func.count(Attendance.id))) == 1
    assert client.post(confirm, data={"csrf_token": token}).status_code == 410  # used once


def _standard_status(cadre, req):
    from tests.lms.standards.helpers import status

    row = status(cadre, req)
    return None if row is None else row.state


def test_attendance_re_evaluates_the_standards_like_any_record(tree):
    """Issue 15: closing a class, adding an attendee after closing and removing one re-evaluate the cadres'
    standards at once (the ledger listener of lms/standards/hooks.py), in the same transaction — no nightly
    recompute needed."""
    from tests.lms.standards.helpers import standard

    today = today_vn()
    reqs = standard([{"code": "ATVS", "satisfied_by": [{"hours": 8, "topic": "osh", "period_months": 12}],
                      "validity_months": 24}], start="2020-01-01", today=today)
    req = reqs["ATVS"]
    cadre, late = tree["hn_cadre"], gen_cadre(tree["hn_base"], "HN0003", "Trần Thị Muộn")
    klass = _class(tree, starts_on=today - timedelta(days=2), ends_on=today - timedelta(days=1))
    attendance = add_attendee(klass, cadre, actor=tree["lecturer"])
    db.session.commit()
    assert _standard_status(cadre, req) != "compliant"  # the open list is only a list
    close_class(klass, actor=tree["lecturer"])
    db.session.commit()
    assert _standard_status(cadre, req) == "compliant"
    assert _standard_status(late, req) != "compliant"
    add_attendee(klass, late, actor=tree["lecturer"])  # after closing: the record and the status at once
    db.session.commit()
    assert _standard_status(late, req) == "compliant"
    from lms.records.classes import remove_attendee

    remove_attendee(klass, attendance, actor=tree["lecturer"], reason="Không tham dự thực tế")
    db.session.commit()
    assert _standard_status(cadre, req) != "compliant"
