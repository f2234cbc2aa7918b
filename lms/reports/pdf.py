"""PDF documents: the A4 summary report with a signature block, and certificates.

fpdf2 with DejaVu Sans (``lms/fonts``, subset to Latin + Vietnamese) embedded, so every diacritic
renders and ``pdftotext`` gives back the exact names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from lms.core.numbers import vnd
from lms.reports.exports import Table, _csv_value

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVu"


def _document(orientation: str = "P") -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creator("Union LMS")
    pdf.set_lang("vi")
    return pdf


def place_date_line(place: str, day: date) -> str:
    """'Hà Nội, ngày 05 tháng 11 năm 2026' — the line above a Vietnamese signature block."""
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _header(pdf: FPDF, unit_name: str, parent_name: str | None) -> None:
    """The administrative header: the parent and the issuing unit on the left, the motto on the right."""
    pdf.set_font(FONT, "", 9)
    top = pdf.get_y()
    pdf.multi_cell(85, 5, (parent_name or "").upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(85, 5, unit_name.upper(), align="C")
    bottom = pdf.get_y()
    pdf.set_xy(105, top)
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(90, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(90, 5, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _signature_block(pdf: FPDF, place: str, day: date) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(6)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(FONT, "", 10)
    pdf.set_x(pdf.l_margin + width)
    pdf.cell(width, 6, place_date_line(place, day), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 6, "NGƯỜI LẬP BIỂU", align="C")
    pdf.cell(width, 6, "THỦ TRƯỞNG ĐƠN VỊ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.cell(width, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.cell(width, 5, "(Ký tên, đóng dấu)", align="C", new_x="LMARGIN", new_y="NEXT")


def summary_pdf(tables: Sequence[Table], *, title: str, unit_name: str, parent_name: str | None,
                as_of: date, place: str = "Hà Nội", issued_on: date | None = None) -> bytes:
    """An A4 report: header, title, the unit and date, one table per section, the signature block."""
    pdf = _document()
    pdf.add_page()
    pdf.set_title(title)
    _header(pdf, unit_name, parent_name)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 8, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, f"Đơn vị: {unit_name}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, f"Số liệu tính đến ngày {as_of.strftime('%d/%m/%Y')}", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for table in tables:
        _table(pdf, table)
    if issued_on is None:
        from lms.reports.services import today

        issued_on = today()
    _signature_block(pdf, place, issued_on)
    return bytes(pdf.output())


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    for line in table.subtitle:
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    widths = [c.width for c in table.columns]
    heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
    aligns = ["LEFT" if c.kind == "text" else "RIGHT" for c in table.columns]
    with pdf.table(col_widths=widths, headings_style=heading, line_height=5, text_align=aligns,
                   repeat_headings=1) as pdf_table:
        header = pdf_table.row()
        for column in table.columns:
            header.cell(column.header)
        for values in table.rows:
            row = pdf_table.row()
            for column, value in zip(table.columns, values, strict=False):
                row.cell(_pdf_value(column.kind, value))
    pdf.ln(4)


def _pdf_value(kind: str, value: Any) -> str:
    if kind == "pct" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.1f}".replace(".", ",")
    if kind == "money" and isinstance(value, int | float) and not isinstance(value, bool):
        return vnd(value, unit=False)
    return _csv_value(value)
