"""The export writers: xlsx layout (frozen header, filter, widths, types) and CSV (BOM, formulas neutralised)."""

from datetime import date
from decimal import Decimal

import openpyxl

from lms.reports.exports import Column, Table, iter_csv, write_xlsx

COLUMNS = [Column("Họ và tên", 30), Column("Ngày sinh", 12, "date"), Column("Tỷ lệ (%)", 10, "pct"),
           Column("Số giờ", 8, "num")]


def test_xlsx_has_frozen_vietnamese_header_filter_widths_and_typed_cells(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [("Trần Thị Hồng Nhung", date(1985, 3, 8), 66.7, Decimal("4.5")), ("Nông Văn Dũng", None, 0, 0)]
    count = write_xlsx(Table("Danh sách: cán bộ/2025", COLUMNS, iter(rows)), path)
    assert count == 2
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.title == "Danh sách- cán bộ-2025"
    assert [c.value for c in sheet[1]] == ["Họ và tên", "Ngày sinh", "Tỷ lệ (%)", "Số giờ"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert round(sheet.column_dimensions["A"].width) == 31  # 30 characters plus Excel's padding
    assert sheet["A2"].value == "Trần Thị Hồng Nhung"
    assert sheet["B2"].value.date() == date(1985, 3, 8)
    assert sheet["C2"].value == 66.7
    assert sheet["D2"].value == 4.5
    assert sheet["B3"].value is None


def test_csv_starts_with_bom_and_neutralises_formulas():
    rows = [("=HYPERLINK(\"http://x\")", date(2025, 1, 2), -5, Decimal("4.00")), ("@SUM(A1)", None, 1.5, 0)]
    text = "".join(iter_csv(Table("t", COLUMNS, rows)))
    assert text.startswith("\ufeffHọ và tên,Ngày sinh")
    lines = text.splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",02/01/2025,-5,4'
    assert lines[2] == "'@SUM(A1),,1.5,0"
    assert text.endswith("\r\n")


def test_csv_streams_in_chunks():
    rows = (("Cán bộ", None, i, 0) for i in range(1200))
    chunks = list(iter_csv(Table("t", COLUMNS, rows)))
    assert len(chunks) == 3  # 500 + 500 + the rest
    assert sum(c.count("\r\n") for c in chunks) == 1201
