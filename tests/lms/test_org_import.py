"""Import of units and cadres: good files (xlsx, csv with/without BOM), dry run, upsert, deactivation,
and every kind of bad input — each refused with its Vietnamese message, row and column, nothing written."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.org.importer import ImportRejected, import_file
from lms.org.models import Cadre, OrgUnit
from tests.factories import gen_cadre, gen_unit

TODAY = date(2026, 11, 23)
UNIT_HEAD = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên"]
CADRE_HEAD = ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Email", "Điện thoại", "Mã đơn vị", "Chức vụ",
              "Loại cán bộ", "Cán bộ chủ chốt", "Ngày bổ nhiệm", "Đang hoạt động"]
UNITS = [
    ["CB-GD", "Công đoàn ngành Giáo dục tỉnh Cao Bằng", "Công đoàn cấp trên trực tiếp cơ sở", "CB"],
    ["CB-GD-001", "Công đoàn Trường THCS Nguyễn Du", "Công đoàn cơ sở", "CB-GD"],
    ["CB", "LĐLĐ tỉnh Cao Bằng", "LĐLĐ tỉnh/thành phố", "TLD"],
    ["TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn", ""],
]
CADRES = [
    ["C001", "Nông Thị Hoa", "Nữ", "12/05/1982", "hoa@example.vn", "0912345678", "CB-GD-001", "Chủ tịch",
     "Không chuyên trách", "có", "15/03/2023", "có"],
    ["C002", "Lục Văn Sơn", "nam", "1990-11-02", "", "+84 912 000 111", "CB-GD-001", "pho chu tich",
     "khong chuyen trach", "", "2025-07-01", ""],
    ["C003", "Bế Thu Hằng", "NU", "", "", "", "CB-GD", "Cán bộ chuyên trách", "Chuyên trách", "không",
     "01/01/2020", "có"],
]


def write_csv(path: Path, rows: list[list[str]], bom: bool = True, sep: str = ",") -> Path:
    text = "\n".join(sep.join(f'"{c}"' if sep in c else c for c in row) for row in rows) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def good_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "good.xlsx", {"Đơn vị": [UNIT_HEAD, *UNITS], "Cán bộ": [CADRE_HEAD, *CADRES]})


def snapshot() -> tuple:
    units = db.session.execute(select(OrgUnit.code, OrgUnit.name, OrgUnit.parent_id, OrgUnit.path,
                                      OrgUnit.active).order_by(OrgUnit.code)).all()
    cadres = db.session.execute(select(Cadre.code, Cadre.full_name, Cadre.org_unit_id, Cadre.position,
                                       Cadre.active, Cadre.email).order_by(Cadre.code)).all()
    return tuple(units), tuple(cadres)


def run(path: Path, **kw):
    kw.setdefault("today", TODAY)
    return import_file(path, path.name, **kw)


def rejected(path: Path, **kw) -> ImportRejected:
    before = snapshot()
    with pytest.raises(ImportRejected) as info:
        run(path, **kw)
    db.session.rollback()
    assert snapshot() == before, "a refused file must write nothing"
    return info.value


def cadre(code: str) -> Cadre:
    return db.session.scalar(select(Cadre).where(Cadre.code == code))


def unit(code: str) -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


# --- good files -------------------------------------------------------------------------------------------


def test_xlsx_with_both_sheets_creates_tree_and_cadres(app, tmp_path):
    report = run(good_xlsx(tmp_path))
    assert report.counts()["units_created"] == 4 and report.counts()["cadres_created"] == 3
    tld, cb, gd, base = unit("TLD"), unit("CB"), unit("CB-GD"), unit("CB-GD-001")
    assert base.path == f"/{tld.id}/{cb.id}/{gd.id}/{base.id}/" and base.depth == 3 and tld.parent_id is None
    hoa = cadre("C001")
    assert (hoa.full_name, hoa.gender, hoa.birth_date, hoa.position, hoa.employment, hoa.is_key, hoa.org_unit_id,
            hoa.name_search, hoa.appointed_on) == ("Nông Thị Hoa", "female", date(1982, 5, 12), "chair",
                                                   "part_time", True, base.id, "nong thi hoa", date(2023, 3, 15))
    son = cadre("C002")
    assert (son.position, son.is_key, son.active, son.phone, son.email) == ("vice_chair", True, True,
                                                                           "+84 912 000 111", None)
    hang = cadre("C003")
    assert (hang.employment, hang.is_key, hang.birth_date, hang.org_unit_id) == ("full_time", False, None, gd.id)


@pytest.mark.parametrize("bom", [True, False])
def test_csv_utf8_with_and_without_bom(app, tmp_path, bom):
    run(write_csv(tmp_path / "u.csv", [UNIT_HEAD, *UNITS], bom=bom))
    report = run(write_csv(tmp_path / "c.csv", [CADRE_HEAD, *CADRES], bom=bom))
    assert report.counts()["cadres_created"] == 3
    assert cadre("C001").full_name == "Nông Thị Hoa"


def test_csv_with_semicolons_and_decomposed_unicode_is_stored_nfc(app, tmp_path):
    import unicodedata

    run(write_csv(tmp_path / "u.csv", [UNIT_HEAD, *UNITS]))
    rows = [CADRE_HEAD, [unicodedata.normalize("NFD", c) for c in CADRES[0]]]
    run(write_csv(tmp_path / "c.csv", rows, sep=";"))
    assert cadre("C001").full_name == unicodedata.normalize("NFC", "Nông Thị Hoa")


def test_english_headers_and_codes_accepted(app, tmp_path):
    gen_unit("U1", "Công đoàn cơ sở 1")
    path = write_csv(tmp_path / "c.csv", [
        ["Cadre code", "Full name", "Gender", "Birth date", "Unit code", "Position", "Employment", "Appointed on"],
        ["E1", "Đỗ Minh Khôi", "male", "1985-01-31", "U1", "executive_member", "part_time", "2024-02-29"],
    ])
    run(path)
    assert (cadre("E1").position, cadre("E1").appointed_on) == ("executive_member", date(2024, 2, 29))


def test_real_excel_dates_are_read(app, tmp_path):
    gen_unit("U1")
    rows = [CADRE_HEAD, ["X1", "Hà Văn Tú", "Nam", datetime(1979, 3, 4), None, None, "U1", "Tổ trưởng",
                         "Không chuyên trách", "không", datetime(2021, 6, 30), "có"]]
    run(write_xlsx(tmp_path / "d.xlsx", {"Cán bộ": rows}))
    assert (cadre("X1").birth_date, cadre("X1").appointed_on) == (date(1979, 3, 4), date(2021, 6, 30))


def test_dry_run_writes_nothing_but_reports(app, tmp_path):
    report = run(good_xlsx(tmp_path), dry_run=True)
    assert report.counts() == {"units_created": 4, "units_updated": 0, "units_unchanged": 0, "cadres_created": 3,
                               "cadres_updated": 0, "cadres_deactivated": 0, "cadres_unchanged": 0}
    assert [c for c, _n in report.units_created] == ["CB-GD", "CB-GD-001", "CB", "TLD"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(OrgUnit.id))) == 0
    assert db.session.scalar(select(func.count(Cadre.id))) == 0


def test_reimport_updates_without_duplicates(app, tmp_path):
    run(good_xlsx(tmp_path))
    db.session.commit()
    assert run(good_xlsx(tmp_path)).counts() == {
        "units_created": 0, "units_updated": 0, "units_unchanged": 4, "cadres_created": 0, "cadres_updated": 0,
        "cadres_deactivated": 0, "cadres_unchanged": 3}
    changed = [row[:] for row in CADRES]
    changed[0][1] = "Nông Thị Hoa Mai"
    changed[0][7] = "Ủy viên Ban Chấp hành"
    changed[0][9] = ""  # blank key flag: derived from the position
    report = run(write_xlsx(tmp_path / "b.xlsx", {"Cán bộ": [CADRE_HEAD, *changed]}))
    assert report.cadres_updated == [("C001", "Nông Thị Hoa Mai", ["full_name", "position", "is_key"])]
    assert report.counts()["cadres_unchanged"] == 2
    assert db.session.scalar(select(func.count(Cadre.id))) == 3
    hoa = cadre("C001")
    assert (hoa.full_name, hoa.name_search, hoa.position, hoa.is_key) == (
        "Nông Thị Hoa Mai", "nong thi hoa mai", "executive_member", False)


def test_absent_optional_column_keeps_stored_value(app, tmp_path):
    run(good_xlsx(tmp_path))
    head = ["Mã cán bộ", "Họ và tên", "Giới tính", "Mã đơn vị", "Chức vụ"]
    run(write_csv(tmp_path / "c.csv", [head, ["C001", "Nông Thị Hoa", "Nữ", "CB-GD-001", "Chủ tịch"]]))
    assert (cadre("C001").email, cadre("C001").birth_date) == ("hoa@example.vn", date(1982, 5, 12))


def test_moving_a_unit_updates_the_subtree_paths(app, tmp_path):
    run(good_xlsx(tmp_path))
    run(write_csv(tmp_path / "hn.csv", [UNIT_HEAD, ["HN", "LĐLĐ thành phố Hà Nội", "LĐLĐ tỉnh/thành phố", "TLD"],
                                        ["CB-GD", "Công đoàn ngành Giáo dục", "", "HN"]]))
    tld, hn, gd, base = unit("TLD"), unit("HN"), unit("CB-GD"), unit("CB-GD-001")
    assert gd.parent_id == hn.id
    assert base.path == f"/{tld.id}/{hn.id}/{gd.id}/{base.id}/" and base.depth == 3


def test_parent_defined_later_in_file_or_already_in_db(app, tmp_path):
    gen_unit("ROOT", "Tổng Liên đoàn", "Tổng Liên đoàn")
    run(write_csv(tmp_path / "u.csv", [UNIT_HEAD, ["B", "Con", "", "A"], ["A", "Cha", "", "ROOT"]]))
    assert unit("B").path == f"{unit('A').path}{unit('B').id}/"


def test_deactivation_by_row_and_by_missing(app, tmp_path):
    run(good_xlsx(tmp_path))
    gone = [row[:] for row in CADRES]
    gone[1][11] = "không"
    report = run(write_csv(tmp_path / "c.csv", [CADRE_HEAD, gone[1], gone[2]]))
    assert report.cadres_deactivated == [("C002", "Lục Văn Sơn")]
    assert cadre("C002").active is False and cadre("C001").active is True  # missing, but not asked
    report = run(write_csv(tmp_path / "c.csv", [CADRE_HEAD, gone[2]]), deactivate_missing=True)
    # C001 is in CB-GD-001, no row of the file names that unit: untouched
    assert report.cadres_deactivated == [] and cadre("C001").active is True
    report = run(write_csv(tmp_path / "c2.csv", [CADRE_HEAD, CADRES[1]]), deactivate_missing=True, dry_run=True)
    assert report.cadres_deactivated == [("C001", "Nông Thị Hoa")]
    assert report.cadres_updated == [("C002", "Lục Văn Sơn", ["active"])]  # reactivated
    assert cadre("C001").active is True


def test_cli_import_and_dry_run(app, runner, tmp_path):
    path = good_xlsx(tmp_path)
    result = runner.invoke(args=["org", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "tạo mới 3" in result.output and db.session.scalar(select(func.count(Cadre.id))) == 0
    result = runner.invoke(args=["org", "import", str(path)])
    assert result.exit_code == 0 and db.session.scalar(select(func.count(Cadre.id))) == 3
    bad = write_csv(tmp_path / "bad.csv", [CADRE_HEAD, ["Z1", "A", "Nam", "31/02/2025", "", "", "NOPE", "Chủ tịch",
                                                        "", "", "", ""]])
    result = runner.invoke(args=["org", "import", str(bad)])
    assert result.exit_code == 2
    assert "CSV dòng 2, cột “Ngày sinh”: Ngày không tồn tại: “31/02/2025”." in result.output


# --- bad input -------------------------------------------------------------------------------------------


def errors_of(exc: ImportRejected) -> list[tuple[int, str, str]]:
    return [(d["row"], d["column"], d["message_vi"]) for d in exc.details]


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
