"""Spreadsheet bombs and huge error lists are refused by the one shared reader (issue 16).

Every importer (attendance sheet, historical records, org units and cadres, question bank) reads
.xlsx through :mod:`lms.core.spreadsheets`: the zip directory and the declared dimension are checked
before parsing, rows and cells are capped while streaming; the answer is a 413 with a Vietnamese
message and nothing is written. Timing and memory of the refusal are measured in
bench/bench_xlsx_bomb.py, not here.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.assessments import services as quiz_services
from lms.core.db import db
from lms.core.spreadsheets import Limits, SpreadsheetRefused, csv_rows, first_sheet_rows
from lms.records.classes import ClassData, create_class
from lms.records.models import Attendance
from tests.conftest import csrf_token_from
from tests.security import bombs


def _class(tree):
    from datetime import date

    klass = create_class(ClassData(title="Lớp X", starts_on=date(2025, 5, 6), ends_on=date(2025, 5, 7), hours="4",
                                   org_unit=tree["hn_base"], topic="osh", place="", lecturer_name=""),
                         actor=tree["lecturer"])
    db.session.commit()
    return klass


def _post(client, page: str, action: str, data: bytes, name: str, **extra):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("bomb", sorted(bombs.BOMBS))
def test_each_bomb_is_refused_by_the_reader_before_it_is_materialised(bomb):
    """The four bomb shapes end in SpreadsheetRefused (413) with a Vietnamese message, not in rows."""
    data = bombs.BOMBS[bomb]()
    with pytest.raises(SpreadsheetRefused) as caught:
        for _row in first_sheet_rows(data, Limits()):
            pass
    assert caught.value.status == 413
    assert "Tệp" in caught.value.message_vi


def test_attendance_bomb_is_refused_with_413_and_nothing_added(client, auth, tree):
    """The 409 KB attendance .xlsx of the report (a declared 1 M × 16 K sheet) gets a 413, not 4.5 GB."""
    klass = _class(tree)
    auth.login("gv.hanoi")
    response = _post(client, f"/records/classes/{klass.id}", f"/records/classes/{klass.id}/sheet",
                     bombs.declared_dimension(), "diemdanh.xlsx")
    assert response.status_code == 413
    assert "quá nhiều dòng" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


@pytest.mark.parametrize("bomb", ["deep_ratio", "shared_strings"])
def test_every_importer_uses_the_shared_reader(client, auth, tree, bomb):
    """Org import, historical records and question bank refuse the same bomb with a 413."""
    data = bombs.BOMBS[bomb]()
    auth.login("admin")
    org = _post(client, "/admin/org/import", "/admin/org/import", data, "canbo.xlsx")
    records = _post(client, "/records/import", "/records/import", data, "hoso.xlsx")
    quiz_services.get_or_create_bank("SEC")
    db.session.commit()
    quiz = _post(client, "/quiz/banks/SEC/import", "/quiz/banks/SEC/import", data, "cauhoi.xlsx")
    assert [org.status_code, records.status_code, quiz.status_code] == [413, 413, 413]
    assert all("zip bomb" in r.get_data(as_text=True) for r in (org, records, quiz))


def test_csv_rows_and_columns_are_capped(app, monkeypatch):
    """A CSV past LMS_IMPORT_MAX_ROWS / _COLUMNS is refused with a 413 too."""
    monkeypatch.setitem(app.config, "LMS_IMPORT_MAX_ROWS", 10)
    text = "Mã cán bộ\n" + "HN0001\n" * 11
    with pytest.raises(SpreadsheetRefused) as rows:
        list(csv_rows(text))
    wide = ",".join(["a"] * 51)
    with pytest.raises(SpreadsheetRefused) as columns:
        list(csv_rows(wide))
    assert (rows.value.code, columns.value.code, rows.value.status) == (
        "sheet_too_many_rows", "sheet_too_many_columns", 413)


def test_long_error_list_is_capped_on_the_page_and_downloadable(client, auth, tree):
    """3,000 bad rows: the page lists 50 and says how many more; the full list downloads as CSV with BOM."""
    klass = _class(tree)
    auth.login("gv.hanoi")
    sheet = ("Mã cán bộ\n" + "".join(f"KHONGCO{i}\n" for i in range(3000))).encode("utf-8-sig")
    response = _post(client, f"/records/classes/{klass.id}", f"/records/classes/{klass.id}/sheet", sheet, "a.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert len(response.data) < 100_000
    assert page.count("KHONGCO") == 50
    assert "và 2950 lỗi khác" in page
    link = page.split('id="errors-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.data.startswith("\ufeff".encode())
    assert download.data.decode("utf-8-sig").count("No cadre with code") == 3000
    auth.logout()
    auth.login("admin")
    assert client.get(link).status_code == 404  # another user cannot read it


def test_a_sheet_at_the_caps_is_read_whole_and_one_row_more_is_refused():
    """The caps are exact: max_rows data rows (plus the header) are read, one more is refused."""
    limits = Limits(max_rows=3000, max_cells=10_000)
    assert sum(1 for _ in first_sheet_rows(bombs.many_cells(rows=3000, columns=3), limits)) == 3001
    with pytest.raises(SpreadsheetRefused):
        list(first_sheet_rows(bombs.many_cells(rows=3001, columns=3), limits))
    with pytest.raises(SpreadsheetRefused) as cells:
        list(first_sheet_rows(bombs.many_cells(rows=2000, columns=6), limits))
    assert cells.value.code == "sheet_too_many_cells"
