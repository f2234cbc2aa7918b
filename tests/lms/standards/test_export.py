"""The drill-down list (e.g. the overdue list) exports with its filters, as xlsx and CSV with BOM."""

from __future__ import annotations

import csv
import io

import openpyxl

from lms.core.db import db
from tests.lms.standards.test_views import world  # noqa: F401  (fixture)


def test_overdue_list_exports_the_same_rows_as_the_page(client, auth, world):  # noqa: F811
    auth.login("ql.hanoi")
    response = client.get("/standards/cadres.xlsx?unit=HN&state=overdue")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Loại cán bộ", "Điện thoại", "Email")
    assert [(r[0], r[1], r[7], r[9]) for r in rows[1:]] == [("HN0002", "Lê Văn Quá Hạn", "R1", "Quá hạn")]
    page = client.get("/standards/cadres?unit=HN&state=overdue").get_data(as_text=True)
    assert "Lê Văn Quá Hạn" in page and "cadres.xlsx" in page


def test_csv_has_bom_and_every_row_of_the_subtree(client, auth, world):  # noqa: F811
    auth.login("ql.hanoi")
    response = client.get("/standards/cadres.csv?unit=HN")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {(r[0], r[7]) for r in rows[1:]} == {("HN0001", "R1"), ("HN0001", "R2"), ("HN0002", "R1")}


def test_overdue_export_carries_unit_and_contacts(client, auth, world):  # noqa: F811
    """Issue 19: the overdue export has the unit, position, phone and e-mail of each cadre, to chase them."""
    world["extra"].phone, world["extra"].email = "0912345678", "qua.han@example.vn"
    db.session.commit()
    auth.login("ql.hanoi")
    response = client.get("/standards/cadres.csv?unit=HN&state=overdue")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][:7] == ["HN0002", "Lê Văn Quá Hạn", world["hn_base"].name, "Ủy viên Ban Chấp hành",
                           "Không chuyên trách", "0912345678", "qua.han@example.vn"]


def test_export_is_scoped(client, auth, world):  # noqa: F811
    auth.login("ql.caobang")
    assert client.get("/standards/cadres.xlsx?unit=HN").status_code == 404
    assert client.get("/standards/cadres.pdf?unit=CB").status_code == 404
