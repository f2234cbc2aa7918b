"""Import of units and cadres: good files (xlsx, csv with/without BOM), dry run, upsert, deactivation
(bad input: test_org_import_bad.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from tests.factories import gen_unit
from tests.lms.org_import_files import (
    CADRE_HEAD,
    CADRES,
    UNIT_HEAD,
    UNITS,
    cadre,
    good_xlsx,
    run,
    unit,
    write_csv,
    write_xlsx,
)

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
