"""Import of good and bad files in every format: per-row errors, nothing written; export round trips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.assessments import services
from lms.assessments.importers import gift, parse_file, toml_format, xlsx
from lms.assessments.models import Question, QuestionVersion
from lms.core.db import db
from lms.core.errors import UserError
from tests.conftest import csrf_token_from
from tests.lms.assessments.conftest import SAMPLE, parsed

COURSES = Path(__file__).resolve().parents[3] / "course_packages"

GOOD_GIFT = """// [id:G-001] [tag:hiệu lực] [difficulty:easy]
// [citation:Luật Công đoàn 2024, Điều 37]
::G-001::Luật Công đoàn 2024 có hiệu lực từ ngày nào? {=01/7/2025 ~01/01/2025 ~27/11/2024 ####Hiệu lực từ 01/7/2025.}

::G-002::Chọn các nguồn tài chính công đoàn {~%50%Kinh phí công đoàn ~%50%Đoàn phí ~%-100%Thuế thu nhập}

::G-003::Công đoàn Việt Nam trực thuộc Mặt trận Tổ quốc Việt Nam. {TRUE}

::G-004::Tỉ lệ kinh phí công đoàn trên quỹ tiền lương (%)? {#2:0}

// a comment-only block is ignored
"""

BAD_GIFT = """::B-001::Không có phần đáp án

::B-002::Ghép cặp {=a -> 1 =b -> 2}

::B-003::Số hỏng {#abc}

::B-004::Câu tốt {=Có ~Không}
"""

GOOD_AIKEN = """Luật Công đoàn 2024 có bao nhiêu điều?
A. 33
B. 37
C. 40
ANSWER: B

Tổng Liên đoàn là cấp nào?
A) Cấp trung ương
B) Cấp tỉnh
ANSWER: A
"""

BAD_AIKEN = """Thiếu dòng đáp án
A. Một
B. Hai

Đáp án không có
A. Một
B. Hai
ANSWER: D

Câu tốt
A. Một
B. Hai
ANSWER: A
"""

BAD_TOML = """
[[question]]
id = "X-001"
type = "single"
text_vi = "Câu đúng"
choices = ["a", "b"]
key = 0

[[question]]
id = "X-002"
type = "single"
text_vi = "Đáp án ngoài phạm vi"
choices = ["a", "b"]
key = 5

[[question]]
id = "X-003"
type = "essay"
text_vi = "Loại lạ"

[[question]]
id = "X-001"
type = "true_false"
text_vi = "Trùng mã"
key = true

[[question]]
id = "X-005"
type = "ordering"
text_vi = "Sắp xếp có key"
choices = ["a", "b"]
key = 1
"""


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(xlsx.HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(ident, qtype, text, choices, key, **kw):
    cells = [ident, qtype, text, kw.get("text_en", "")] + (choices + [""] * 8)[:8]
    return cells + [key, kw.get("tolerance"), kw.get("explanation", ""), kw.get("citation", ""),
                    kw.get("difficulty", "medium"), kw.get("tags", "")]


def count_questions() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def test_the_shipped_toml_banks_import_whole():
    for folder in sorted(p for p in COURSES.iterdir() if p.is_dir()):
        result = parse_file("questions.toml", (folder / "questions.toml").read_bytes())
        assert not result.errors, (folder.name, result.errors[:3])
        assert len(result.questions) >= 30
        assert {q["qtype"] for q in result.questions} <= {"single", "multiple", "true_false", "numeric", "ordering"}


def test_bad_toml_lists_every_bad_question_and_writes_nothing(app):
    result = parse_file("bank.toml", BAD_TOML.encode())
    assert sorted({e.row for e in result.errors}) == [2, 3, 4, 5]
    assert [q["ident"] for q in result.questions] == ["X-001"]
    bank = services.get_or_create_bank("BAD")
    with pytest.raises(UserError) as exc:
        services.import_questions(bank, result)
    assert exc.value.status == 422 and len(exc.value.details) == len(result.errors)
    assert count_questions() == 0


def test_good_gift_reads_every_supported_type():
    result = parse_file("bank.gift", GOOD_GIFT.encode())
    assert not result.errors
    q = {x["ident"]: x for x in result.questions}
    assert q["G-001"]["qtype"] == "single" and q["G-001"]["key"] == 0
    assert q["G-001"]["tags"] == ["hiệu lực"] and q["G-001"]["difficulty"] == "easy"
    assert q["G-001"]["citation"] == "Luật Công đoàn 2024, Điều 37"
    assert q["G-001"]["explanation_vi"] == "Hiệu lực từ 01/7/2025."
    assert q["G-002"]["qtype"] == "multiple" and q["G-002"]["key"] == [0, 1]
    assert q["G-003"]["qtype"] == "true_false" and q["G-003"]["key"] is True
    assert q["G-004"]["qtype"] == "numeric" and q["G-004"]["key"] == 2.0


def test_bad_gift_names_the_lines(app):
    result = parse_file("bank.gift", BAD_GIFT.encode())
    assert sorted({e.row for e in result.errors}) == [1, 3, 5]
    assert all(e.message_vi and e.message_en for e in result.errors)


def test_good_aiken_gets_stable_ids():
    first = parse_file("bank.txt", GOOD_AIKEN.encode(), ident_prefix="LCD")
    second = parse_file("bank.txt", GOOD_AIKEN.encode(), ident_prefix="LCD")
    assert not first.errors and [q["key"] for q in first.questions] == [1, 0]
    assert [q["ident"] for q in first.questions] == [q["ident"] for q in second.questions]
    assert all(q["ident"].startswith("LCD-") for q in first.questions)


def test_bad_aiken_names_the_lines():
    result = parse_file("bank.txt", BAD_AIKEN.encode())
    assert sorted(e.row for e in result.errors) == [1, 5]


def test_good_xlsx_reads_every_type_with_choice_numbers_from_one():
    data = xlsx_bytes([
        row("X-1", "single", "Một?", ["a", "b", "c"], 2),
        row("X-2", "multiple", "Nhiều?", ["a", "b", "c"], "1;3"),
        row("X-3", "true_false", "Đúng sai?", [], "Sai"),
        row("X-4", "numeric", "Số?", [], 2.5, tolerance=0.1),
        row("X-5", "ordering", "Thứ tự?", ["một", "hai", "ba"], None, tags="a; b"),
    ])
    result = parse_file("mau.xlsx", data)
    assert not result.errors, result.errors
    keys = [q["key"] for q in result.questions]
    assert keys == [1, [0, 2], False, 2.5, None]
    assert result.questions[3]["tolerance"] == 0.1 and result.questions[4]["tags"] == ["a", "b"]


def test_bad_xlsx_lists_errors_by_spreadsheet_row_and_writes_nothing(app):
    data = xlsx_bytes([
        row("OK-1", "single", "Tốt", ["a", "b"], 1),
        row("BAD-1", "single", "Đáp án ngoài phạm vi", ["a", "b"], 7),
        row("BAD-2", "kind", "Loại lạ", ["a", "b"], 1),
        row("", "true_false", "Thiếu mã", [], "Đúng"),
        row("BAD-4", "true_false", "Đáp án lạ", [], "có lẽ"),
        row("BAD-5", "single", "", ["a", "b"], 1),
    ])
    result = parse_file("mau.xlsx", data)
    assert sorted({e.row for e in result.errors}) == [3, 4, 5, 6, 7]
    bank = services.get_or_create_bank("XLSX")
    with pytest.raises(UserError):
        services.import_questions(bank, result)
    assert count_questions() == 0


@pytest.mark.parametrize(("name", "data"), [
    ("broken.xlsx", b"PK\x03\x04 not really a zip"),
    ("bank.toml", b"[[question]\nid = "),
    ("bank.txt", "Câu hỏi\nA. x".encode("utf-16")),
    ("bank.pdf", b"%PDF-1.4"),
    ("empty.gift", b""),
])
def test_unreadable_files_get_a_clear_error(name, data):
    result = parse_file(name, data)
    assert result.errors and not result.questions
    assert result.errors[0].message_vi and result.errors[0].message_en


def test_reimport_adds_versions_only_for_changed_questions(app):
    bank = services.get_or_create_bank("RE")
    services.import_questions(bank, parsed(SAMPLE))
    changed = [dict(q) for q in SAMPLE]
    changed[0]["text_vi"] = "Câu một lựa chọn, đã sửa?"
    plan = services.import_questions(bank, parsed(changed))
    assert (plan.created, plan.updated, len(plan.unchanged)) == ([], ["S-001"], 4)
    assert db.session.scalar(select(func.count(QuestionVersion.id))) == 6
    dry = services.import_questions(bank, parsed(SAMPLE), dry_run=True)
    assert dry.updated == ["S-001"] and db.session.scalar(select(func.count(QuestionVersion.id))) == 6


@pytest.mark.parametrize("fmt", ["xlsx", "gift", "toml"])
def test_export_round_trips(app, fmt):
    bank = services.get_or_create_bank("RT")
    services.import_questions(bank, parsed(SAMPLE))
    questions = services.export_dicts(bank)
    dumped = {"xlsx": xlsx.dump, "gift": gift.dump, "toml": toml_format.dump}[fmt](questions)
    back = parse_file(f"x.{fmt}", dumped if isinstance(dumped, bytes) else dumped.encode())
    assert not back.errors, back.errors
    expected = [q for q in questions if not (fmt == "gift" and q["qtype"] == "ordering")]
    for original, again in zip(expected, back.questions, strict=True):
        for key in ("ident", "qtype", "text_vi", "choices", "key", "citation", "difficulty", "tags"):
            assert again[key] == original[key], (fmt, key)


def test_cli_import_dry_run_then_real_and_bad_file(runner, tmp_path):
    good = tmp_path / "bank.gift"
    good.write_text(GOOD_GIFT, encoding="utf-8")
    out = runner.invoke(args=["quiz", "import", str(good), "--bank", "CLI", "--dry-run"])
    assert out.exit_code == 0 and "would import 4 new" in out.output
    assert count_questions() == 0
    out = runner.invoke(args=["quiz", "import", str(good), "--bank", "CLI"])
    assert out.exit_code == 0 and "imported 4 new" in out.output
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_TOML, encoding="utf-8")
    out = runner.invoke(args=["quiz", "import", str(bad), "--bank", "CLI"])
    assert out.exit_code == 2 and "X-002" not in out.output and "row 3" in out.output
    assert count_questions() == 4
    exported = tmp_path / "out.xlsx"
    assert runner.invoke(args=["quiz", "export", "--bank", "CLI", "--out", str(exported)]).exit_code == 0
    assert len(parse_file("out.xlsx", exported.read_bytes()).questions) == 4


def test_web_import_dry_run_shows_row_errors_and_saves_nothing(client, tree, auth):
    services.get_or_create_bank("WEB")
    db.session.commit()
    auth.login("gv.hanoi")
    page = client.get("/quiz/banks/WEB/import").get_data(as_text=True)
    token = csrf_token_from(page)
    bad = client.post("/quiz/banks/WEB/import", data={"csrf_token": token, "file": (io.BytesIO(BAD_TOML.encode()), "b.toml")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "import-errors" in bad.get_data(as_text=True)
    dry = client.post("/quiz/banks/WEB/import", data={"csrf_token": token, "dry_run": "y",
                                                      "file": (io.BytesIO(GOOD_GIFT.encode()), "g.gift")},
                      content_type="multipart/form-data")
    assert dry.status_code == 200 and "import-plan" in dry.get_data(as_text=True)
    assert count_questions() == 0
    real = client.post("/quiz/banks/WEB/import", data={"csrf_token": token,
                                                       "file": (io.BytesIO(GOOD_GIFT.encode()), "g.gift")},
                       content_type="multipart/form-data")
    assert real.status_code == 302 and count_questions() == 4
    template = client.get("/quiz/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"
    assert not parse_file("mau.xlsx", template.data).errors


def test_template_headers_are_vietnamese_and_old_english_files_still_read():


    sheet = load_workbook(io.BytesIO(xlsx.dump([]))).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã câu hỏi", "Loại câu hỏi", "Nội dung (tiếng Việt)", "Nội dung (tiếng Anh)"]
    assert "Đáp án" in header and "Căn cứ pháp lý" in header and not {"id", "key", "text_vi"} & set(header)
    assert not parse_file("mau.xlsx", xlsx.dump([])).errors  # the template's example row reads back
    wb = Workbook()
    ws = wb.active
    ws.append(xlsx.KEYS)  # a file made from the earlier, English-keyed template
    ws.append(row("OLD-1", "single", "Cũ?", ["a", "b"], 2))
    out = io.BytesIO()
    wb.save(out)
    result = parse_file("cu.xlsx", out.getvalue())
    assert not result.errors and result.questions[0]["key"] == 1
    missing = Workbook()
    missing.active.append(["Mã câu hỏi", "Loại câu hỏi"])
    buf = io.BytesIO()
    missing.save(buf)
    [error] = parse_file("thieu.xlsx", buf.getvalue()).errors
    assert "Nội dung (tiếng Việt), Đáp án" in error.message_vi


def test_web_import_preview_then_import_the_valid_questions(client, tree, auth):
    import re

    services.get_or_create_bank("WEB")
    db.session.commit()
    auth.login("gv.hanoi")
    token = csrf_token_from(client.get("/quiz/banks/WEB/import").get_data(as_text=True))
    data = xlsx_bytes([row("OK-1", "single", "Tốt", ["a", "b"], 1),
                       row("BAD-1", "single", "Đáp án ngoài phạm vi", ["a", "b"], 7),
                       row("OK-2", "true_false", "Đúng sai?", [], "Đúng")])
    bad = client.post("/quiz/banks/WEB/import", content_type="multipart/form-data",
                      data={"csrf_token": token, "file": (io.BytesIO(data), "cau-hoi.xlsx")})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'data-valid="2" data-invalid="1"' in body and count_questions() == 0
    confirm = re.search(r'action="(/quiz/banks/WEB/import/[\w-]+/confirm[^"]*)"', body).group(1).replace("&amp;", "&")
    errors = client.get(confirm.replace("/confirm", "/errors.xlsx"))
    table = [list(r) for r in load_workbook(io.BytesIO(errors.data)).worksheets[0].iter_rows(values_only=True)]
    assert table[0][-1] == "Lỗi" and table[0][0] == "Mã câu hỏi"
    assert [r[-1] is None for r in table[1:]] == [True, False, True]
    assert client.post(confirm, data={"csrf_token": token}).status_code == 302
    assert count_questions() == 2
    assert client.post(confirm, data={"csrf_token": token}).status_code == 410
