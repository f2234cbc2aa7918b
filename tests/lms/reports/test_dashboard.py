"""The compliance dashboard and its exports show the engine's figures for the manager's subtree."""

from datetime import timedelta

from lms.reports import services
from tests.lms.reports.helpers import pdf_text, xlsx_rows


def test_dashboard_shows_requirement_children_and_trend(client, auth, world):
    auth.login("ql.hanoi")
    body = client.get("/reports/units/HN").get_data(as_text=True)
    assert "Bồi dưỡng an toàn, vệ sinh lao động" in body
    assert 'id="overall-pct">33.3%' in body  # 1 of the 3 active Hà Nội cadres
    assert "dưới chỉ tiêu" in body  # target 85 %
    assert "Công đoàn các KCN-CX Hà Nội" in body
    assert body.count("<tr><td>") >= 12  # the trend table: 12 months as numbers
    assert 'id="chart-children"' in body and 'id="chart-trend"' in body and "chart-data" in body


def test_compliance_xlsx_matches_the_dashboard(client, auth, world):
    auth.login("ql.hanoi")
    rows = services.compliance_rows(world["hn"], services.today())
    response = client.get("/reports/units/HN/compliance.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet, values = xlsx_rows(response.data)
    assert values[0] == ["Mã yêu cầu", "Yêu cầu", "Chỉ tiêu (%)", "Số CB áp dụng", "Đạt", "Sắp đến hạn", "Quá hạn",
                         "Hết hiệu lực", "Chưa đến hạn", "Được miễn", "Tỷ lệ đạt (%)"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K3"
    assert values[1] == ["ATVSLD-01", "Bồi dưỡng an toàn, vệ sinh lao động", 85, 3, 1, 0, 2, 0, 0, 0, 33.3]
    assert values[1][3:5] == [rows[0]["applicable"], rows[0]["compliant"]]
    assert values[2][1] == "Tổng cộng"


def test_children_and_cadre_lists_export(client, auth, world):
    auth.login("ql.hanoi")
    _, children = xlsx_rows(client.get("/reports/units/HN/children.xlsx").data)
    assert children[1] == ["HN-KCN", "Công đoàn các KCN-CX Hà Nội", 3, 1, 0, 2, 0, 33.3]
    _, cadres = xlsx_rows(client.get("/reports/units/HN/cadres.xlsx").data)
    names = [r[1] for r in cadres[1:]]
    assert sorted(names) == ["Lê Văn Đức", "Phạm Thị Ngọc Ánh", "Trần Thị Hồng Nhung"]  # not the inactive one
    nhung = next(r for r in cadres if r[1] == "Trần Thị Hồng Nhung")
    assert nhung[2] == "Nữ" and nhung[6] == "Chủ tịch" and nhung[10:] == [1, 1, 0, 0]
    csv_text = client.get("/reports/units/HN/cadres.csv").data.decode("utf-8")
    assert csv_text.startswith("\ufeffMã cán bộ,Họ và tên")
    assert "Phạm Thị Ngọc Ánh" in csv_text and "Nông Văn Dũng" not in csv_text


def test_compliance_pdf_contains_vietnamese_names_exactly(client, auth, world, tmp_path):
    auth.login("ql.hanoi")
    response = client.get("/reports/units/HN/compliance.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    for expected in ("LĐLĐ thành phố Hà Nội", "Bồi dưỡng an toàn, vệ sinh lao động", "Công đoàn các KCN-CX Hà Nội",
                     "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM"):
        assert expected in text, expected
    assert f"Hà Nội, ngày {services.today():%d} tháng {services.today():%m} năm {services.today():%Y}" in text


def test_as_of_a_past_day_and_a_bad_date(client, auth, world):
    auth.login("ql.hanoi")
    past = (services.today() - timedelta(days=400)).isoformat()
    assert client.get(f"/reports/units/HN?as_of={past}").status_code == 200
    bad = client.get("/reports/units/HN?as_of=31-12-2025")
    assert bad.status_code == 400 and "yyyy-mm-dd" in bad.get_data(as_text=True)


def test_scope_on_dashboard_and_exports(client, auth, world):
    auth.login("ql.caobang")
    for url in ("/reports/units/HN", "/reports/units/HN/compliance.xlsx", "/reports/units/HN-KCN/cadres.csv",
                "/reports/units/TLD/compliance.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.get("/reports/").headers["Location"].endswith("/reports/units/CB")
    body = client.get("/reports/units/CB/cadres.csv").data.decode("utf-8")
    assert "Nông Văn Dũng" in body and "Trần Thị Hồng Nhung" not in body
