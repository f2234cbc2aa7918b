"""Lecturer forms: bank, question, import, quiz (Flask-WTF, CSRF-protected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.catalog.models import TOPIC_LABELS
from lms.core.templating import label

try:  # wtforms ≥ 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older wtforms
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def select_choices(pairs) -> list:
    """Select choices from (value, label) pairs, in the form the installed wtforms expects."""
    return [SelectChoice(value, text) for value, text in pairs]


#: topic labels in the language of the request
TOPIC_CHOICES = select_choices((t.value, LazyString(label, pair)) for t, pair in TOPIC_LABELS.items())


class BankForm(FlaskForm):
    """A new question bank."""

    code = StringField(_l("Mã ngân hàng"), validators=[DataRequired(), Length(max=64),
                                                        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")])
    title = StringField(_l("Tên"), validators=[DataRequired(), Length(max=255)])
    topic = SelectField(_l("Chủ đề"), choices=TOPIC_CHOICES)


class QuestionForm(FlaskForm):
    """A question's content; saving creates a new version."""

    ident = StringField(_l("Mã câu hỏi"), validators=[DataRequired(), Length(max=64)])
    qtype = SelectField(_l("Loại câu hỏi"), choices=[])
    text_vi = TextAreaField(_l("Nội dung (tiếng Việt)"), validators=[DataRequired()])
    text_en = TextAreaField(_l("Nội dung (tiếng Anh, không bắt buộc)"), validators=[Optional()])
    choices = TextAreaField(_l("Các lựa chọn (mỗi dòng một lựa chọn; câu sắp xếp: theo đúng thứ tự)"),
                            validators=[Optional()])
    key = StringField(_l("Đáp án (số thứ tự lựa chọn từ 1, ví dụ 2 hoặc 1;3; Đúng/Sai; một số)"),
                      validators=[Optional()])
    tolerance = DecimalField(_l("Sai số cho phép"), validators=[Optional(), NumberRange(min=0, max=10**9)], default=0)
    explanation_vi = TextAreaField(_l("Giải thích"), validators=[Optional()])
    citation = StringField(_l("Căn cứ pháp lý"), validators=[Optional(), Length(max=500)])
    difficulty = SelectField(_l("Độ khó"), choices=select_choices([("easy", _l("Dễ")), ("medium", _l("Trung bình")),
                                                            ("hard", _l("Khó"))]))
    tags = StringField(_l("Nhãn (cách nhau bởi dấu chấm phẩy)"), validators=[Optional()])


class ImportForm(FlaskForm):
    """Upload a question file; a dry run checks it without saving."""

    file = FileField(_l("Tệp câu hỏi (.xlsx, .gift, .txt Aiken, .toml)"), validators=[FileRequired()])
    fmt = SelectField(_l("Định dạng"), choices=select_choices([("", _l("Tự nhận theo tên tệp")), ("xlsx", "Excel (.xlsx)"),
                                                        ("gift", "GIFT"), ("aiken", "Aiken"), ("toml", "TOML")]),
                      validators=[Optional()])
    dry_run = BooleanField(_l("Chỉ kiểm tra, chưa lưu"), default=True)


class QuizForm(FlaskForm):
    """A quiz attached to a module."""

    module_id = SelectField(_l("Học phần"), coerce=int)
    bank_id = SelectField(_l("Ngân hàng câu hỏi"), coerce=int)
    title = StringField(_l("Tên bài kiểm tra"), validators=[DataRequired(), Length(max=255)])
    question_count = IntegerField(_l("Số câu hỏi (khi không chia nhóm)"), validators=[NumberRange(min=1, max=200)],
                                  default=20)
    pools = TextAreaField(_l("Nhóm câu hỏi: mỗi dòng 'số câu; độ khó; nhãn1,nhãn2; chủ đề' (để trống: rút từ cả ngân hàng)"),
                          validators=[Optional()])
    pass_mark = DecimalField(_l("Điểm đạt (%)"), validators=[NumberRange(min=0, max=100)], default=70)
    time_limit_minutes = IntegerField(_l("Thời gian (phút, 0 = không giới hạn)"),
                                      validators=[NumberRange(min=0, max=600)], default=30)
    attempts_allowed = IntegerField(_l("Số lần làm bài (0 = không giới hạn)"), validators=[NumberRange(min=0, max=100)],
                                    default=3)
    review_policy = SelectField(_l("Xem lại đáp án và giải thích"), choices=[])
    one_per_page = BooleanField(_l("Mỗi trang một câu hỏi"))
    shuffle_choices = BooleanField(_l("Xáo trộn lựa chọn"), default=True)
    opens_at = DateTimeLocalField(_l("Mở lúc"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Đóng lúc"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    active = BooleanField(_l("Đang mở cho học viên"), default=True)
