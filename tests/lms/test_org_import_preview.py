"""The cadre importer's preview (issue #19): per-row errors, rows that depend on a bad row, the error
workbook, confirmation imports only the valid rows and creates their accounts; the CLI stays all-or-nothing."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import select

from lms.accounts.models import User
from lms.core.db import db
from lms.org.importer import ImportRejected, import_file
from lms.org.importer.columns import CADRE_COLUMNS, UNIT_COLUMNS
from lms.org.importer.template import template_xlsx
from lms.org.models import Cadre, OrgUnit
from tests.conftest import csrf_token_from

UNIT_HEAD = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên"]
CADRE_HEAD = ["Mã cán bộ", "Họ và tên", "Giới tính", "Mã đơn vị", "Chức vụ"]
UNITS = [
    ["N-OK", "Công đoàn Công ty Điện Hà Nội", "CĐCS", "HN"],  # row 2: valid
    ["N-BAD", "Công đoàn Công ty Ma", "CĐCS", "KHONGCO"],  # row 3: unknown parent
    ["N-CHILD", "Tổ công đoàn Phân xưởng 1", "Tổ công đoàn", "N-BAD"],  # row 4: below a bad row
    ["N-EMPTY", "", "CĐCS", "HN"],  # row 5: name missing (a bad cell)
]
CADRES = [
    ["P001", "Nguyễn Văn An", "Nam", "N-OK", "Chủ tịch"],  # row 2: valid, in a new unit
    ["P002", "Lê Thị Bình", "Nữ", "N-BAD", "Chủ tịch"],  # row 3: its unit row is bad
    ["P003", "Trần Văn Cường", "Nam", "N-CHILD", "Tổ trưởng"],  # row 4: its unit depends on a bad row
    ["P004", "Phạm Thị Dung", "Nữ", "N-EMPTY", "Chủ tịch"],  # row 5: its unit row has a bad cell
    ["P005", "Hoàng Văn Em", "Nam", "HN-CDCS-1", "Giám đốc"],  # row 6: unknown position
    ["P006", "Vũ Thị Phương", "Nữ", "HN-CDCS-1", "ATVSV"],  # row 7: valid, existing unit
]


def workbook(units=UNITS, cadres=CADRES) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for title, head, rows in (("Đơn vị", UNIT_HEAD, units), ("Cán bộ", CADRE_HEAD, cadres)):
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, head)
        for number, values in enumerate(rows, start=1):
            sheet.write_row(number, 0, values)
    book.close()
    return out.getvalue()


def upload(client, data: bytes, name: str = "donvi-canbo.xlsx", **extra):
    token = csrf_token_from(client.get("/admin/org/import").get_data(as_text=True))
    return client.post("/admin/org/import", data={"csrf_token": token, "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def preview_urls(html: str) -> tuple[str, str]:
    confirm = re.search(r'action="(/admin/org/import/[01]/[^"/]+/confirm)"', html).group(1)
    return confirm, confirm.replace("/confirm", "/errors.xlsx")


def codes(model) -> set[str]:
    return set(db.session.scalars(select(model.code)))


def test_preview_lists_bad_rows_and_the_rows_that_depend_on_them(client, auth, tree):
    auth.login("admin")
    response = upload(client, workbook())
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-valid="3" data-invalid="7"' in body  # N-OK, P001, P006 of 10 rows
    assert "Không tìm thấy đơn vị cấp trên “KHONGCO”" in body
    assert "Dòng đơn vị “N-BAD” (dòng 3) có lỗi nên dòng này cũng không được nhập." in body  # N-CHILD, P002
    assert "Dòng đơn vị “N-CHILD” (dòng 4) có lỗi nên dòng này cũng không được nhập." in body  # P003
    assert "Dòng đơn vị “N-EMPTY” (dòng 5) có lỗi nên dòng này cũng không được nhập." in body  # P004
    assert "Chức vụ không hợp lệ: “Giám đốc”" in body
    assert 'data-count="units_created">1<' in body and 'data-count="cadres_created">2<' in body
    assert "N-OK" not in codes(OrgUnit) and "P001" not in codes(Cadre)  # nothing written


def test_confirm_imports_only_the_valid_rows_units_before_cadres_with_accounts(client, auth, tree):
    auth.login("admin")
    confirm, _errors = preview_urls(upload(client, workbook()).get_data(as_text=True))
    response = client.post(confirm, data={"csrf_token": csrf_token_from(client.get("/admin/org/import").text)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã nhập các dòng hợp lệ." in body
    assert codes(OrgUnit) & {"N-OK", "N-BAD", "N-CHILD", "N-EMPTY"} == {"N-OK"}
    assert codes(Cadre) & {f"P00{i}" for i in range(1, 7)} == {"P001", "P006"}
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "N-OK"))
    assert unit.parent.code == "HN" and unit.path.startswith(tree["hn"].path)
    # the accounts hook ran for the imported cadres only
    assert "tạo mới 2" in body
    linked = db.session.scalars(select(Cadre.code).join(User, User.cadre_id == Cadre.id)
                                .where(Cadre.code.like("P00%"))).all()
    assert sorted(linked) == ["P001", "P006"]
    # single use: the token is spent
    again = client.post(confirm, data={"csrf_token": csrf_token_from(client.get("/admin/org/import").text)})
    assert again.status_code == 410


def test_error_workbook_is_the_file_with_a_loi_column_on_each_sheet(client, auth, tree, tmp_path):
    auth.login("admin")
    _confirm, errors_url = preview_urls(upload(client, workbook()).get_data(as_text=True))
    response = client.get(errors_url)
    assert response.status_code == 200 and response.data[:2] == b"PK"
    path = tmp_path / "loi.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path, read_only=True)
    units = [list(r) for r in book["Đơn vị"].iter_rows(values_only=True)]
    cadres = [list(r) for r in book["Cán bộ"].iter_rows(values_only=True)]
    book.close()
    assert units[0] == [*UNIT_HEAD, "Lỗi"] and cadres[0] == [*CADRE_HEAD, "Lỗi"]
    assert [r[0] for r in units[1:]] == ["N-OK", "N-BAD", "N-CHILD", "N-EMPTY"]
    unit_errors = [r[4] for r in units[1:]]
    assert unit_errors[0] is None
    assert unit_errors[1].startswith("Mã đơn vị cấp trên: Không tìm thấy đơn vị cấp trên “KHONGCO”")
    assert "“N-BAD” (dòng 3)" in unit_errors[2] and unit_errors[3].startswith("Tên đơn vị: Không được để trống")
    cadre_errors = {r[0]: r[5] for r in cadres[1:]}
    assert cadre_errors["P001"] is None and cadre_errors["P006"] is None
    assert "“N-BAD”" in cadre_errors["P002"] and "“N-CHILD”" in cadre_errors["P003"]
    assert "“N-EMPTY”" in cadre_errors["P004"] and cadre_errors["P005"].startswith("Chức vụ: ")


def test_a_row_refused_since_the_preview_is_left_out_at_confirmation(client, auth, tree):
    """Confirmation checks the kept file again: a parent removed in between makes its rows invalid."""
    auth.login("admin")
    units = [["N-NEW", "Công đoàn Công ty Mới", "CĐCS", "HN-KCN"]]
    cadres = [["P101", "Đỗ Văn Giang", "Nam", "N-NEW", "Chủ tịch"], ["P102", "Mai Thị Hoa", "Nữ", "CB-CDCS-1",
                                                                   "Ủy viên BCH"]]
    confirm, _errors = preview_urls(upload(client, workbook(units, cadres)).get_data(as_text=True))
    db.session.execute(OrgUnit.__table__.update().where(OrgUnit.code == "HN-KCN").values(code="HN-KCN-OLD"))
    db.session.commit()
    response = client.post(confirm, data={"csrf_token": csrf_token_from(client.get("/admin/org/import").text)})
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị cấp trên “HN-KCN”" in response.get_data(as_text=True)
    assert codes(Cadre) & {"P101", "P102"} == {"P102"} and "N-NEW" not in codes(OrgUnit)


def test_deactivate_missing_is_skipped_when_a_cadre_row_is_bad(client, auth, tree):
    auth.login("admin")
    cadres = [["P201", "Nguyễn Văn Ích", "Nam", "HN-CDCS-1", "Chủ tịch"],
              ["HN0001", "Trần Thị Hồng Nhung", "Nữ", "HN-CDCS-1", "Không có"]]  # bad: would look absent
    body = upload(client, workbook([], cadres), deactivate_missing="y").get_data(as_text=True)
    assert "import-deactivation-skipped" in body and 'data-count="cadres_deactivated">0<' in body
    confirm, _errors = preview_urls(body)
    assert "/import/1/" in confirm
    client.post(confirm, data={"csrf_token": csrf_token_from(client.get("/admin/org/import").text)})
    assert db.session.scalar(select(Cadre.active).where(Cadre.code == "HN0001")) is True
    assert "P201" in codes(Cadre)


def test_the_cli_path_stays_all_or_nothing(app, tree, tmp_path):
    path = tmp_path / "donvi-canbo.xlsx"
    path.write_bytes(workbook())
    with pytest.raises(ImportRejected) as caught:
        import_file(path, dry_run=True)
    assert caught.value.code == "import_invalid" and "không có dữ liệu nào được ghi" in caught.value.message_vi
    rows = {(d["sheet"], d["row"]) for d in caught.value.details}
    assert ("Đơn vị", 3) in rows and ("Cán bộ", 6) in rows
    db.session.rollback()
    assert "N-OK" not in codes(OrgUnit)


def test_template_headers_are_vietnamese(tmp_path):
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx())
    book = openpyxl.load_workbook(path, read_only=True)
    heads = {title: [c.value for c in next(book[title].iter_rows(max_row=1))] for title in ("Đơn vị", "Cán bộ")}
    book.close()
    assert heads == {"Đơn vị": [c.header for c in UNIT_COLUMNS], "Cán bộ": [c.header for c in CADRE_COLUMNS]}
    assert heads["Cán bộ"][:3] == ["Mã cán bộ", "Họ và tên", "Giới tính"]
    assert "Mã đơn vị cấp trên" in heads["Đơn vị"] and "Ngày bổ nhiệm" in heads["Cán bộ"]


def test_csv_error_workbook_keeps_values_and_neutralises_formulas(client, auth, tree, tmp_path):
    auth.login("admin")
    csv = ("Mã cán bộ,Họ và tên,Giới tính,Mã đơn vị,Chức vụ\n"
           "Q001,Hà Văn Khánh,Nam,HN-CDCS-1,Chủ tịch\n"
           "Q002,=HYPERLINK(\"http://x\"),Nam,HN-CDCS-1,Chủ tịch\n").encode()
    _confirm, errors_url = preview_urls(upload(client, csv, "canbo.csv").get_data(as_text=True))
    path = tmp_path / "loi.xlsx"
    path.write_bytes(client.get(errors_url).data)
    book = openpyxl.load_workbook(path)  # not read-only: formulas would show as data_type "f"
    sheet = book["CSV"]
    assert [c.value for c in sheet[1]] == [*CADRE_HEAD, "Lỗi"]
    assert sheet["F2"].value is None and sheet["F3"].value.startswith("Họ và tên: Ô bắt đầu bằng ký tự “=”")
    assert sheet["B3"].data_type != "f" and "HYPERLINK" in sheet["B3"].value
