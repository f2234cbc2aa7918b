"""Import of units and cadres: every kind of bad input, each refused with its Vietnamese message, row and
column, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lms.core.db import db
from tests.factories import gen_cadre, gen_unit
from tests.lms.org_import_files import (
    CADRE_HEAD,
    CADRES,
    UNIT_HEAD,
    cadre,
    errors_of,
    rejected,
    run,
    unit,
    write_csv,
    write_xlsx,
)

# --- bad input -------------------------------------------------------------------------------------------


def test_unknown_parent_code(app, tmp_path):
    exc = rejected(write_csv(tmp_path / "u.csv", [UNIT_HEAD, ["A", "Cha", "", "KHONGCO"]]))
    assert exc.code == "import_invalid" and exc.status == 422
    assert exc.message_vi.startswith("Tệp có 1 lỗi; không có dữ liệu nào được ghi.")
    assert errors_of(exc) == [(2, "Mã đơn vị cấp trên",
                               "Không tìm thấy đơn vị cấp trên “KHONGCO” (trong tệp hoặc trong hệ thống).")]


def test_duplicate_codes_in_one_file(app, tmp_path):
    exc = rejected(write_csv(tmp_path / "u.csv", [UNIT_HEAD, ["A", "Một", "", ""], ["B", "Hai", "", "A"],
                                                  ["A", "Ba", "", ""]]))
    assert errors_of(exc) == [(4, "Mã đơn vị", "Mã “A” bị trùng với dòng 2 trong tệp.")]


def test_cycle_in_the_tree_with_the_database(app, tmp_path):
    a = gen_unit("A", "A")
    gen_unit("B", "B", parent=a)
    db.session.commit()
    exc = rejected(write_csv(tmp_path / "u.csv", [UNIT_HEAD, ["A", "A", "", "B"]]))
    assert errors_of(exc) == [(2, "Mã đơn vị cấp trên", "Vòng lặp trong cây đơn vị: A → B → A.")]


def test_cycle_within_the_file_and_self_parent(app, tmp_path):
    exc = rejected(write_csv(tmp_path / "u.csv", [UNIT_HEAD, ["X", "X", "", "Y"], ["Y", "Y", "", "X"],
                                                  ["Z", "Z", "", "Z"]]))
    assert errors_of(exc) == [
        (2, "Mã đơn vị cấp trên", "Vòng lặp trong cây đơn vị: X → Y → X."),
        (3, "Mã đơn vị cấp trên", "Vòng lặp trong cây đơn vị: Y → X → Y."),
        (4, "Mã đơn vị cấp trên", "Đơn vị “Z” không thể là cấp trên của chính nó (vòng lặp)."),
    ]


def test_cadre_in_unknown_unit(app, tmp_path):
    row = [*CADRES[0][:6], "KHONGCO", *CADRES[0][7:]]
    exc = rejected(write_csv(tmp_path / "c.csv", [CADRE_HEAD, row]))
    assert errors_of(exc) == [(2, "Mã đơn vị", "Không tìm thấy đơn vị “KHONGCO” (trong tệp hoặc trong hệ thống).")]


def test_impossible_and_future_dates(app, tmp_path):
    gen_unit("CB-GD-001")
    db.session.commit()
    rows = [CADRE_HEAD,
            ["D1", "A B", "Nam", "31/02/2025", "", "", "CB-GD-001", "Chủ tịch", "", "", "", ""],
            ["D2", "A C", "Nam", "01/01/2030", "", "", "CB-GD-001", "Chủ tịch", "", "", "2020-13-01", ""],
            ["D3", "A D", "Nam", "hôm qua", "", "", "CB-GD-001", "Chủ tịch", "", "", "", ""]]
    exc = rejected(write_csv(tmp_path / "c.csv", rows))
    assert errors_of(exc) == [
        (2, "Ngày sinh", "Ngày không tồn tại: “31/02/2025”."),
        (3, "Ngày sinh", "Ngày sinh ở tương lai: 01/01/2030."),
        (3, "Ngày bổ nhiệm", "Ngày không tồn tại: “2020-13-01”."),
        (4, "Ngày sinh", "Ngày không đúng định dạng: “hôm qua” (dùng dd/mm/yyyy hoặc yyyy-mm-dd)."),
    ]


def test_every_bad_row_is_listed_and_nothing_written(app, tmp_path):
    rows = [CADRE_HEAD] + [["", "Tên", "Giới", "", "mail@", "", "U", "Thủ quỹ", "Bán thời gian", "có lẽ", "", ""]]
    exc = rejected(write_csv(tmp_path / "c.csv", rows))
    got = {(r, c) for r, c, _m in errors_of(exc)}
    assert got == {(2, "Mã cán bộ"), (2, "Giới tính"), (2, "Email"), (2, "Chức vụ"), (2, "Loại cán bộ"),
                   (2, "Cán bộ chủ chốt")}
    messages = {c: m for _r, c, m in errors_of(exc)}
    assert messages["Mã cán bộ"] == "Không được để trống."
    assert messages["Chức vụ"].startswith("Chức vụ không hợp lệ: “Thủ quỹ”. Giá trị được chấp nhận: Chủ tịch;")
    assert messages["Cán bộ chủ chốt"] == "Giá trị “có lẽ” không hợp lệ: dùng “có” hoặc “không”."


def test_non_utf8_csv(app, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("Mã cán bộ,Họ và tên\nC1,Nguyễn Văn Á\n".encode("utf-16"))
    exc = rejected(path)
    assert exc.code == "import_encoding" and exc.status == 422
    assert exc.message_vi.startswith("Tệp CSV không phải mã UTF-8")


def test_empty_file_and_header_only_file(app, tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert rejected(empty).message_vi == "Tệp rỗng."
    assert rejected(write_csv(tmp_path / "h.csv", [CADRE_HEAD])).message_vi == "Tệp không có dòng dữ liệu nào."
    blank = tmp_path / "b.csv"
    blank.write_bytes(b"\xef\xbb\xbf\n\n")
    assert rejected(blank).message_vi == "Tệp rỗng."


def test_file_over_the_limit_is_refused_before_parsing(app, tmp_path):
    path = tmp_path / "big.xlsx"
    with path.open("wb") as out:  # 50 MB of garbage: refused by size, so never opened as a workbook
        out.truncate(50 * 1024 * 1024)
    exc = rejected(path, max_bytes=app.config["LMS_IMPORT_MAX_BYTES"])
    assert (exc.status, exc.code) == (413, "import_too_large")
    assert exc.message_vi == "Tệp quá lớn (50.0 MB); giới hạn là 20 MB."


def test_formulas_in_xlsx_cells_are_refused(app, tmp_path):
    gen_unit("U1")
    db.session.commit()
    rows = [CADRE_HEAD, ["F1", "=CONCAT(\"A\",\"B\")", "Nam", None, None, None, "U1", "Chủ tịch", None, None, None,
                         None]]
    exc = rejected(write_xlsx(tmp_path / "f.xlsx", {"Cán bộ": rows}))
    assert errors_of(exc) == [(2, "Họ và tên",
                               "Ô chứa công thức Excel — không được phép; hãy dán giá trị (Paste Values).")]


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_injection_is_refused(app, tmp_path, value):
    gen_unit("U1")
    db.session.commit()
    exc = rejected(write_csv(tmp_path / "c.csv", [CADRE_HEAD, ["I1", value, "Nam", "", "", "", "U1", "Chủ tịch",
                                                               "", "", "", ""]]))
    assert errors_of(exc) == [(2, "Họ và tên", f"Ô bắt đầu bằng ký tự “{value[0]}” có thể bị Excel chạy như công "
                                              "thức (CSV injection) — không được phép.")]


def test_missing_required_column(app, tmp_path):
    head = [h for h in CADRE_HEAD if h != "Chức vụ"]
    exc = rejected(write_csv(tmp_path / "c.csv", [head, ["C1", "A", "Nam", "", "", "", "U1", "", "", "", ""]]))
    assert errors_of(exc) == [(1, "Chức vụ", "Thiếu cột bắt buộc “Chức vụ”.")]


def test_unrecognised_headers(app, tmp_path):
    exc = rejected(write_csv(tmp_path / "c.csv", [["a", "b"], ["1", "2"]]))
    assert exc.code == "import_headers" and "Không nhận ra tiêu đề cột" in exc.message_vi


@pytest.mark.parametrize("name,content", [("data.pdf", b"%PDF-1.4"), ("data.xls", b"\xd0\xcf\x11\xe0")])
def test_wrong_file_type(app, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    exc = rejected(path)
    assert (exc.status, exc.code) == (415, "import_file_type")
    assert exc.message_vi.startswith(f"Loại tệp “{Path(name).suffix}” không được hỗ trợ")


def test_xlsx_that_is_not_a_zip(app, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("Mã cán bộ,Họ và tên\n")
    exc = rejected(path)
    assert (exc.status, exc.code) == (415, "import_not_xlsx")
    assert exc.message_vi.startswith("Tệp không phải là bảng tính Excel .xlsx hợp lệ")


def test_zip_that_is_not_a_workbook(app, tmp_path):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert rejected(path).code == "import_not_xlsx"


def test_case_and_diacritic_insensitive_vocabulary(app, tmp_path):
    gen_unit("U1")
    rows = [CADRE_HEAD, ["V1", "Tên Một", "NỮ", "", "", "", "U1", "uy vien ban chap hanh", "KHÔNG CHUYÊN TRÁCH",
                         "Không", "", "Có"],
            ["V2", "Tên Hai", "nam", "", "", "", "U1", "ATVSV", "chuyen trach", "co", "", "x"]]
    run(write_csv(tmp_path / "c.csv", rows))
    assert (cadre("V1").gender, cadre("V1").position, cadre("V1").employment) == (
        "female", "executive_member", "part_time")
    assert (cadre("V2").position, cadre("V2").employment, cadre("V2").is_key) == ("osh_officer", "full_time", True)


def test_scoped_admin_can_only_import_into_their_subtree(app, tmp_path):
    tld = gen_unit("TLD")
    hn = gen_unit("HN", parent=tld)
    cb = gen_unit("CB", parent=tld)
    gen_cadre(cb, "OUT1")
    db.session.commit()
    rows = [UNIT_HEAD, ["HN-1", "Trong", "", "HN"], ["CB-1", "Ngoài", "", "CB"], ["HN", "Hà Nội", "", "CB"]]
    exc = rejected(write_csv(tmp_path / "u.csv", rows), scope=hn)
    assert errors_of(exc) == [(3, "Mã đơn vị", "Đơn vị “CB-1” nằm ngoài phạm vi quản lý của bạn."),
                              (4, "Mã đơn vị cấp trên", "Đơn vị “CB” nằm ngoài phạm vi quản lý của bạn.")]
    crow = ["OUT1", "Người ngoài", "Nam", "", "", "", "HN", "Chủ tịch", "", "", "", ""]
    exc = rejected(write_csv(tmp_path / "c.csv", [CADRE_HEAD, crow]), scope=hn)
    assert errors_of(exc) == [(2, "Mã cán bộ", "Cán bộ “OUT1” thuộc đơn vị ngoài phạm vi quản lý của bạn.")]
    run(write_csv(tmp_path / "ok.csv", [UNIT_HEAD, ["HN-1", "Trong", "", "HN"]]), scope=hn)
    assert unit("HN-1").parent_id == hn.id


def test_xlsx_that_expands_too_much_is_refused(app, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    exc = rejected(path, max_bytes=1024 * 1024)
    assert (exc.status, exc.code) == (413, "import_too_large")
    assert "zip bomb" in exc.message_vi


def test_xml_entities_in_xlsx_are_not_expanded(app, tmp_path):
    gen_unit("U1")
    db.session.commit()
    source = write_xlsx(tmp_path / "src.xlsx", {"Cán bộ": [CADRE_HEAD, ["X1", "PLACEHOLDER", "Nam", None, None, None,
                                                                     "U1", "Chủ tịch", None, None, None, None]]})
    path = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):  # openpyxl writes inline strings
                data = data.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                                   b"<worksheet", 1).replace(b"PLACEHOLDER", b"&x;")
            out.writestr(item, data)
    exc = rejected(path)  # the entity is not expanded: the required name is empty
    assert errors_of(exc) == [(2, "Họ và tên", "Không được để trống.")]
