"""Historical import: good file, dry run, each bad case (nothing written), idempotent re-import, CLI, page."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.errors import UserError
from lms.records.importer import check_file, import_records
from lms.records.models import ImportBatch, TrainingRecord
from lms.records.services import correct_record
from tests.conftest import csrf_token_from
from tests.lms.records.helpers import csv_bytes, gen_module, gen_record, xlsx_bytes

MAX = 5 * 1024 * 1024
HEADER = ["Mã cán bộ", "Mã học phần", "Chủ đề", "Số giờ", "Ngày hoàn thành", "Điểm", "Nguồn"]


def _count() -> int:
    return db.session.scalar(select(func.count(TrainingRecord.id)))


@pytest.fixture
def modules(tree):
    gen_module("ATVSLD", "osh", "8")
    gen_module("TCCD", "finance", "6")
    db.session.commit()


def _good_rows():
    return [
        HEADER,
        ["HN0001", "ATVSLD", "", "", "15/03/2023", 82, "Sổ theo dõi 2023"],
        ["HN0001", "", "Pháp luật công đoàn", 4, "2023-06-01", "", ""],
        ["CB0001", "tccd", "", "5,5", date(2022, 11, 20), "", "Lớp LĐLĐ tỉnh"],
    ]


def test_good_file_is_imported_with_evidence_and_a_batch(tree, modules):
    report = import_records(xlsx_bytes(_good_rows()), "lich-su.xlsx", dry_run=False, max_bytes=MAX,
                            actor=tree["admin"])
    assert report.ok and report.applied
    assert (report.rows_total, len(report.to_add), report.skipped) == (3, 3, [])
    rows = db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.completed_on)).all()
    assert [(r.cadre.code, r.topic, r.hours, r.score, r.completed_on, r.source) for r in rows] == [
        ("CB0001", "finance", Decimal("5.50"), None, date(2022, 11, 20), "import"),
        ("HN0001", "osh", Decimal("8.00"), Decimal("82.00"), date(2023, 3, 15), "import"),  # module's hours
        ("HN0001", "union_law", Decimal("4.00"), None, date(2023, 6, 1), "import"),
    ]
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.file_name, batch.rows_added, batch.rows_skipped, batch.created_by_id) == (
        "lich-su.xlsx", 3, 0, tree["admin"].id)
    assert rows[1].evidence == {"file": "lich-su.xlsx", "row": 2, "batch_id": batch.id, "origin": "Sổ theo dõi 2023"}


def test_dry_run_writes_nothing(tree, modules):
    report = import_records(xlsx_bytes(_good_rows()), "a.xlsx", dry_run=True, max_bytes=MAX)
    assert len(report.to_add) == 3 and not report.applied
    assert _count() == 0
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_reimport_is_idempotent_and_duplicates_are_skipped(tree, modules):
    rows = _good_rows() + [["HN0001", "ATVSLD", "", 8, "15/03/2023", "", ""]]  # same cadre+module+date
    first = import_records(csv_bytes(rows), "a.csv", dry_run=False, max_bytes=MAX)
    assert (len(first.to_add), first.skipped) == (3, [(5, "Trùng với dòng 2 trong tệp.",
                                                        "Duplicate of row 2 in the file.")])
    second = import_records(csv_bytes(rows), "a.csv", dry_run=False, max_bytes=MAX)
    assert len(second.to_add) == 0
    assert [row for row, _, _ in second.skipped] == [2, 3, 4, 5]
    assert _count() == 3


def test_rows_already_in_the_ledger_from_another_source_are_skipped(tree, modules):
    module = db.session.scalar(select(gen_module.__globals__["Module"]).where(
        gen_module.__globals__["Module"].code == "ATVSLD"))
    record = gen_record(tree["hn_cadre"], module=module, completed_on=date(2023, 3, 1), hours="8")
    correct_record(record, completed_on=date(2023, 3, 15), reason="ngày đúng", actor=None)
    report = check_file(xlsx_bytes(_good_rows()), "a.xlsx", max_bytes=MAX)
    assert report.skipped == [(2, "Đã có trong hồ sơ đào tạo.", "Already in the training records.")]


@pytest.mark.parametrize("row, column, fragment", [
    (["KHONGCO", "ATVSLD", "", 4, "01/02/2023", "", ""], "Mã cán bộ", "Không tìm thấy cán bộ"),
    (["", "ATVSLD", "", 4, "01/02/2023", "", ""], "Mã cán bộ", "Thiếu mã cán bộ"),
    (["HN0001", "XYZ", "", 4, "01/02/2023", "", ""], "Mã học phần", "Không tìm thấy học phần"),
    (["HN0001", "", "Thiên văn", 4, "01/02/2023", "", ""], "Chủ đề", "không hợp lệ"),
    (["HN0001", "", "", 4, "01/02/2023", "", ""], "Mã học phần", "Cần mã học phần hoặc chủ đề"),
    (["HN0001", "ATVSLD", "Tài chính công đoàn", 4, "01/02/2023", "", ""], "Chủ đề", "không khớp"),
    (["HN0001", "ATVSLD", "", 4, "31/02/2023", "", ""], "Ngày hoàn thành", "không hợp lệ"),
    (["HN0001", "ATVSLD", "", 4, "hôm qua", "", ""], "Ngày hoàn thành", "không hợp lệ"),
    (["HN0001", "ATVSLD", "", 4, (today_vn() + timedelta(days=1)).strftime("%d/%m/%Y"), "", ""],
     "Ngày hoàn thành", "tương lai"),
    (["HN0001", "ATVSLD", "", 4, "01/01/1900", "", ""], "Ngày hoàn thành", "trước năm 1950"),
    (["HN0001", "ATVSLD", "", 4, "", "", ""], "Ngày hoàn thành", "Thiếu ngày"),
    (["HN0001", "ATVSLD", "", -2, "01/02/2023", "", ""], "Số giờ", "không được âm"),
    (["HN0001", "ATVSLD", "", "bốn", "01/02/2023", "", ""], "Số giờ", "không phải là số"),
    (["HN0001", "", "osh", "", "01/02/2023", "", ""], "Số giờ", "Thiếu số giờ"),
    (["HN0001", "ATVSLD", "", 4, "01/02/2023", 101, ""], "Điểm", "0–100"),
    (["HN0001", "ATVSLD", "", 4, "01/02/2023", -1, ""], "Điểm", "0–100"),
    (["HN0001", "ATVSLD", "", 4, "01/02/2023", "", "=HYPERLINK(\"http://evil\")"], "Nguồn", "công thức"),
    (["HN0001", "ATVSLD", "", 4, "01/02/2023", "", "@SUM(A1)"], "Nguồn", "công thức"),
    (["HN0001", "ATVSLD", "", 4, "01/02/2023", "", "+cmd|' /C calc'!A0"], "Nguồn", "công thức"),
])
def test_each_bad_row_is_reported_and_nothing_is_written(tree, modules, row, column, fragment):
    rows = [*_good_rows(), row]
    with pytest.raises(UserError) as info:
        import_records(csv_bytes(rows), "a.csv", dry_run=False, max_bytes=MAX)
    assert info.value.status == 422
    details = info.value.details
    assert len(details) == 1, details
    assert (details[0]["row"], details[0]["column"]) == (5, column)
    assert fragment in details[0]["message_vi"] and details[0]["message_en"]
    assert _count() == 0


def test_cadre_outside_the_importers_scope_is_unknown(tree, modules):
    report = check_file(xlsx_bytes(_good_rows()), "a.xlsx", max_bytes=MAX, scope_unit=tree["hn"])
    assert [(e.row, e.column) for e in report.errors] == [(4, "Mã cán bộ")]


def test_xlsx_formula_cells_are_refused(tree, modules):
    data = xlsx_bytes(_good_rows(), formulas={(3, 4): "=2+2"})
    report = check_file(data, "a.xlsx", max_bytes=MAX)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Số giờ")]
    assert "công thức" in report.errors[0].message_vi


@pytest.mark.parametrize("data, name, code, status", [
    (b"", "a.csv", "file_empty", 400),
    (b"   \n  ", "a.csv", "file_empty", 400),
    ("Mã cán bộ,Ngày hoàn thành,Chủ đề\n".encode(), "a.csv", "file_empty", 400),
    (b"M\xe3 c\xe1n b\xf4,Ch\xfa \xf0\xea,Ng\xe0y\nHN0001,osh,01/01/2023\n", "a.csv", "csv_encoding", 400),
    (b"x" * (MAX + 1), "a.csv", "file_too_large", 413),
    (b"PK\x03\x04broken", "a.xlsx", "xlsx_broken", 400),
    (b"hello", "a.pdf", "file_type", 415),
    ("Họ tên,Ngày\nA,01/01/2023\n".encode(), "a.csv", "import_columns", 400),
])
def test_bad_files_are_refused(tree, modules, data, name, code, status):
    with pytest.raises(UserError) as info:
        import_records(data, name, dry_run=False, max_bytes=MAX)
    assert (info.value.code, info.value.status) == (code, status)
    assert _count() == 0


def test_cli_dry_run_then_import_then_errors(runner, tree, modules, tmp_path):
    good = tmp_path / "lich-su.csv"
    good.write_bytes(csv_bytes(_good_rows()))
    result = runner.invoke(args=["records", "import", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "sẽ nhập (chạy thử, chưa ghi) 3" in result.output
    assert _count() == 0
    result = runner.invoke(args=["records", "import", str(good)])
    assert result.exit_code == 0 and "đã nhập 3" in result.output
    db.session.expire_all()
    assert _count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, ["HN0001", "ATVSLD", "", -1, "01/02/2023", "", ""]]))
    result = runner.invoke(args=["records", "import", str(bad)])
    assert result.exit_code == 1
    assert "dòng 2, cột “Số giờ”: Số giờ không được âm" in result.output


def test_admin_page_dry_run_and_apply(client, auth, tree, modules):
    auth.login("admin")
    page = client.get("/records/import")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))

    def post(action, rows):
        return client.post("/records/import", data={
            "csrf_token": token, "action": action, "file": (io.BytesIO(xlsx_bytes(rows)), "lich-su.xlsx")},
            content_type="multipart/form-data")

    checked = post("check", _good_rows())
    assert checked.status_code == 200 and "Chạy thử" in checked.get_data(as_text=True)
    assert "import-confirm" in checked.get_data(as_text=True)
    assert _count() == 0
    bad = post("apply", [*_good_rows(), ["HN0001", "ATVSLD", "", 4, "31/02/2023", "", ""]])
    assert bad.status_code == 422 and "31/02/2023" in bad.get_data(as_text=True)
    assert _count() == 0
    applied = post("apply", _good_rows())
    assert applied.status_code == 200 and "Đã nhập" in applied.get_data(as_text=True)
    assert _count() == 3


def test_import_page_is_for_admins_only(client, auth, tree):
    auth.login("ql.hanoi")
    assert client.get("/records/import").status_code == 403


def test_import_template_round_trips(client, auth, tree, modules):
    auth.login("admin")
    response = client.get("/records/import/template.xlsx")
    assert response.status_code == 200
    report = check_file(response.data, "mau.xlsx", max_bytes=MAX)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Mã cán bộ")]  # the example cadre does not exist


def test_preview_then_confirm_imports_the_valid_rows(client, auth, tree, modules, app):
    import re
    from pathlib import Path

    import openpyxl

    auth.login("admin")
    token = csrf_token_from(client.get("/records/import").get_data(as_text=True))
    rows = [*_good_rows(), ["HN0001", "ATVSLD", "", 4, "31/02/2023", "", ""], ["KHONGCO", "ATVSLD", "", 4, "01/02/2023", "", ""]]
    shown = client.post("/records/import", data={
        "csrf_token": token, "action": "check", "file": (io.BytesIO(xlsx_bytes(rows)), "lich-su.xlsx")},
        content_type="multipart/form-data")
    body = shown.get_data(as_text=True)
    assert shown.status_code == 422 and 'data-valid="3" data-invalid="2"' in body and _count() == 0
    preview = re.search(r'/records/import/([\w-]+)/confirm', body).group(1)
    # the copy of the workbook with an error column, on the bad rows only
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/records/import/{preview}/errors.xlsx").data))
    table = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert table[0] == [*HEADER, "Lỗi"] and len(table) == 6
    assert [r[-1] is None for r in table[1:4]] == [True, True, True]
    assert "Ngày hoàn thành" in table[4][-1] and "Mã cán bộ" in table[5][-1]
    assert client.post(f"/records/import/{preview}/confirm", data={"csrf_token": token}).status_code == 302
    assert _count() == 3 and db.session.scalar(select(ImportBatch.rows_added)) == 3
    assert client.post(f"/records/import/{preview}/confirm", data={"csrf_token": token}).status_code == 410
    assert not list((Path(app.instance_path) / "import_previews").glob(f"{preview}.*"))  # removed once used
    assert client.get("/records/import/x/errors.xlsx").status_code == 410


def test_hostile_upload_is_refused_before_any_preview(client, auth, tree, modules, app):
    from pathlib import Path

    auth.login("admin")
    token = csrf_token_from(client.get("/records/import").get_data(as_text=True))
    folder = Path(app.instance_path) / "import_previews"
    before = set(folder.glob("*")) if folder.exists() else set()
    refused = client.post("/records/import", data={
        "csrf_token": token, "action": "check", "file": (io.BytesIO(b"PK\x03\x04not a zip"), "bom.xlsx")},
        content_type="multipart/form-data")
    assert refused.status_code in (400, 413, 415, 422)
    assert (set(folder.glob("*")) if folder.exists() else set()) == before  # nothing kept
