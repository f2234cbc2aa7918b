"""The downloadable template workbook: both sheets with their headers, two example rows each, a guide."""

from __future__ import annotations

import io

import xlsxwriter

from lms.org.importer.columns import CADRE_COLUMNS, UNIT_COLUMNS
from lms.org.models import EMPLOYMENT_LABELS, POSITION_LABELS

UNIT_EXAMPLES = [
    ["HN", "Liên đoàn Lao động thành phố Hà Nội", "LĐLĐ tỉnh/thành phố", "TLD", "có"],
    ["HN-KCN", "Công đoàn các Khu công nghiệp và chế xuất Hà Nội", "Công đoàn cấp trên trực tiếp cơ sở", "HN", "có"],
]
CADRE_EXAMPLES = [
    ["HN000001", "Nguyễn Thị Thu Hà", "Nữ", "12/05/1982", "thuha@example.vn", "0912345678", "HN-KCN",
     "Chủ tịch", "Chuyên trách", "có", "15/03/2023", "có"],
    ["HN000002", "Trần Văn Minh", "Nam", "1990-11-02", "", "", "HN-KCN", "Ủy viên Ban Chấp hành",
     "Không chuyên trách", "không", "01/07/2024", "có"],
]


def template_xlsx() -> bytes:
    """The template as .xlsx bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for title, columns, examples in (("Đơn vị", UNIT_COLUMNS, UNIT_EXAMPLES),
                                     ("Cán bộ", CADRE_COLUMNS, CADRE_EXAMPLES)):
        sheet = book.add_worksheet(title)
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column.header, bold)
            sheet.set_column(col, col, max(14, len(column.header) + 4))
        for row, values in enumerate(examples, start=1):
            for col, value in enumerate(values):
                sheet.write_string(row, col, value)
        sheet.freeze_panes(1, 0)
    guide = book.add_worksheet("Hướng dẫn")
    lines = [
        "Mỗi dòng là một đơn vị hoặc một cán bộ; nhập lại cùng mã sẽ cập nhật, không tạo bản trùng.",
        "Cột bắt buộc — Đơn vị: " + ", ".join(c.header for c in UNIT_COLUMNS if c.required)
        + ". Cán bộ: " + ", ".join(c.header for c in CADRE_COLUMNS if c.required) + ".",
        "Ngày: dd/mm/yyyy, yyyy-mm-dd hoặc ô kiểu ngày của Excel. Có/không: “có”, “không”.",
        "Chức vụ: " + "; ".join(vi for vi, _en in POSITION_LABELS.values()) + ".",
        "Loại cán bộ: " + "; ".join(vi for vi, _en in EMPLOYMENT_LABELS.values()) + ".",
        "Không dùng công thức; ô bắt đầu bằng = + - @ bị từ chối (trừ số điện thoại +84…).",
    ]
    guide.set_column(0, 0, 120)
    for row, line in enumerate(lines):
        guide.write_string(row, 0, line)
    book.close()
    return buffer.getvalue()
