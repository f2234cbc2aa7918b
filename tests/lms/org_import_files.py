"""Files for the org import tests: the good workbook's units and cadres, writers for csv and xlsx, and the
checks every refusal shares (nothing written)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.org.importer import ImportRejected, import_file
from lms.org.models import Cadre, OrgUnit

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


def errors_of(exc: ImportRejected) -> list[tuple[int, str, str]]:
    return [(d["row"], d["column"], d["message_vi"]) for d in exc.details]
