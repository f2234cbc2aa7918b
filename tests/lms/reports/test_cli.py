"""``lms report compliance|plan|cadres`` write the same files as the pages, atomically."""

import openpyxl

from lms.reports import services
from tests.lms.reports.helpers import pdf_text


def test_report_compliance_xlsx_csv_pdf(runner, world, tmp_path):
    day = services.today().isoformat()
    out = tmp_path / "hn.xlsx"
    result = runner.invoke(args=["report", "compliance", "--org", "HN", "--as-of", day, "--format", "xlsx",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[2]][:5] == ["ATVSLD-01", "Bồi dưỡng an toàn, vệ sinh lao động", 85, 3, 1]
    csv_out = tmp_path / "hn.csv"
    assert runner.invoke(args=["report", "compliance", "--org", "HN", "--format", "csv", "--output",
                               str(csv_out)]).exit_code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    pdf_out = tmp_path / "sub" / "hn.pdf"
    assert runner.invoke(args=["report", "compliance", "--org", "HN", "--as-of", day, "--format", "pdf",
                               "--output", str(pdf_out)]).exit_code == 0
    assert "LĐLĐ thành phố Hà Nội" in pdf_text(pdf_out.read_bytes(), tmp_path)
    assert not list(tmp_path.glob(".lms-*"))  # no temporary file left behind


def test_report_plan_pdf_and_unknown_unit(runner, world, tmp_path):
    out = tmp_path / "plan.pdf"
    result = runner.invoke(args=["report", "plan", "--org", "HN-KCN", "--year", str(world["year"]), "--format", "pdf",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Công đoàn các KCN-CX Hà Nội" in text and "Công đoàn Bệnh viện Đa khoa Đống Đa" in text
    bad = runner.invoke(args=["report", "plan", "--org", "NOPE", "--output", str(tmp_path / "x.xlsx")])
    assert bad.exit_code != 0 and "NOPE" in bad.output
    assert not (tmp_path / "x.xlsx").exists()
    assert runner.invoke(args=["report", "compliance", "--org", "HN", "--as-of", "2025-13-01",
                               "--output", str(tmp_path / "y.xlsx")]).exit_code == 2


def test_report_cadres_xlsx(runner, world, tmp_path):
    out = tmp_path / "cadres.xlsx"
    assert runner.invoke(args=["report", "cadres", "--org", "TLD", "--output", str(out)]).exit_code == 0
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 4 and "Nông Văn Dũng" in {r[1] for r in rows}
