"""Forms: a module's settings (with the completion-rule editor) and a package upload."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.catalog.models import TOPIC_LABELS
from lms.core.templating import label

REQUIRED = _l("Bắt buộc nhập.")
TOO_LONG = _l("Tối đa 255 ký tự.")

NEW_ATTEMPT_LABELS = {
    "never": ("Không bao giờ (tiếp tục lượt cũ)", "Never (resume the last attempt)"),
    "on_complete": ("Khi lượt trước đã hoàn thành", "When the previous attempt is complete"),
    "always": ("Luôn luôn", "Always"),
}
GRADING_LABELS = {
    "highest": ("Lượt cao nhất", "Highest attempt"),
    "average": ("Trung bình các lượt", "Average of attempts"),
    "first": ("Lượt đầu tiên", "First attempt"),
    "last": ("Lượt gần nhất", "Last attempt"),
}
SCO_AGGREGATION_LABELS = {
    "all_complete": ("Hoàn thành tất cả SCO", "All SCOs complete"),
    "average": ("Trung bình điểm các SCO", "Average of SCO scores"),
    "sum": ("Tổng điểm các SCO", "Sum of SCO scores"),
}
COMBINATOR_LABELS = {
    "all": ("Đạt tất cả điều kiện đã chọn", "All chosen conditions"),
    "any": ("Đạt một trong các điều kiện đã chọn", "Any chosen condition"),
}


def _choices(labels: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    return [(key, label(pair)) for key, pair in labels.items()]


class ModuleForm(FlaskForm):
    """Create or edit a module: identity, credit, attempt policy (as Moodle offers it), completion rule."""

    code = StringField(_l("Mã học phần"), validators=[
        DataRequired(REQUIRED), Length(max=64, message=_l("Tối đa 64 ký tự.")),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", message=_l("Mã chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang."))])
    title_vi = StringField(_l("Tên (tiếng Việt)"), validators=[DataRequired(REQUIRED), Length(max=255, message=TOO_LONG)])
    title_en = StringField(_l("Tên (tiếng Anh)"), validators=[Optional(), Length(max=255, message=TOO_LONG)])
    topic = SelectField(_l("Chủ đề"))
    hours = DecimalField(_l("Số giờ"), places=2, default=0, validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=9999, message=_l("Số giờ từ 0 đến 9999."))])
    description_vi = TextAreaField(_l("Mô tả (tiếng Việt)"), validators=[Optional(), Length(max=20000)])
    description_en = TextAreaField(_l("Mô tả (tiếng Anh)"), validators=[Optional(), Length(max=20000)])
    attempts_allowed = IntegerField(_l("Số lần làm tối đa (0 = không giới hạn)"), default=0,
                                    validators=[NumberRange(min=0, max=1000, message=_l("Từ 0 đến 1000."))])
    new_attempt = SelectField(_l("Tạo lượt mới"))
    grading = SelectField(_l("Điểm học phần qua các lượt"))
    sco_aggregation = SelectField(_l("Kết quả một lượt qua các SCO"))
    rule_combinator = RadioField(_l("Kết hợp điều kiện"), default="all")
    rule_completed = BooleanField(_l("Hoàn thành nội dung (completed)"))
    rule_passed = BooleanField(_l("Đạt (passed)"))
    rule_score = BooleanField(_l("Điểm tối thiểu"))
    rule_score_value = DecimalField(_l("Điểm ≥"), places=1, validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Điểm từ 0 đến 100."))])
    rule_quiz_passed = BooleanField(_l("Đạt bài kiểm tra của học phần"))
    active = BooleanField(_l("Đang sử dụng"), default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic.choices = [(t.value, label(p)) for t, p in TOPIC_LABELS.items()]
        self.new_attempt.choices = _choices(NEW_ATTEMPT_LABELS)
        self.grading.choices = _choices(GRADING_LABELS)
        self.sco_aggregation.choices = _choices(SCO_AGGREGATION_LABELS)
        self.rule_combinator.choices = _choices(COMBINATOR_LABELS)

    def validate(self, extra_validators=None) -> bool:
        """Also require at least one completion condition, and a value for the minimum score."""
        ok = super().validate(extra_validators)
        if not any(f.data for f in (self.rule_completed, self.rule_passed, self.rule_score, self.rule_quiz_passed)):
            self.rule_completed.errors = [*self.rule_completed.errors, _("Chọn ít nhất một điều kiện hoàn thành.")]
            ok = False
        if self.rule_score.data and self.rule_score_value.data is None:
            self.rule_score_value.errors = [*self.rule_score_value.errors, _("Nhập điểm tối thiểu (0–100).")]
            ok = False
        return ok

    def completion_rule(self) -> dict[str, Any]:
        """The rule as stored on the module."""
        conditions: list[dict[str, Any]] = []
        if self.rule_completed.data:
            conditions.append({"kind": "completed"})
        if self.rule_passed.data:
            conditions.append({"kind": "passed"})
        if self.rule_score.data:
            value = float(self.rule_score_value.data)
            conditions.append({"kind": "score_at_least", "value": int(value) if value.is_integer() else value})
        if self.rule_quiz_passed.data:
            conditions.append({"kind": "quiz_passed"})
        return {self.rule_combinator.data or "all": conditions}

    def load_rule(self, rule: dict[str, Any]) -> None:
        """Fill the checkboxes from a stored rule."""
        combinator, conditions = next(iter(rule.items())) if rule else ("all", [])
        self.rule_combinator.data = combinator
        kinds = {c.get("kind"): c for c in conditions}
        self.rule_completed.data = "completed" in kinds
        self.rule_passed.data = "passed" in kinds
        self.rule_score.data = "score_at_least" in kinds
        self.rule_score_value.data = kinds.get("score_at_least", {}).get("value")
        self.rule_quiz_passed.data = "quiz_passed" in kinds

    def values(self) -> dict[str, Any]:
        """The editable settings as keyword arguments for the services."""
        return {
            "title_vi": self.title_vi.data, "title_en": self.title_en.data or "", "topic": self.topic.data,
            "hours": self.hours.data, "description_vi": self.description_vi.data or "",
            "description_en": self.description_en.data or "", "completion_rule": self.completion_rule(),
            "attempts_allowed": self.attempts_allowed.data or 0, "new_attempt": self.new_attempt.data,
            "grading": self.grading.data, "sco_aggregation": self.sco_aggregation.data,
        }


class UploadForm(FlaskForm):
    """Upload a SCORM zip as the module's next version."""

    package = FileField(_l("Gói SCORM (.zip)"), validators=[FileRequired(_l("Chọn tệp .zip của gói SCORM."))])
    publish = BooleanField(_l("Xuất bản ngay sau khi tải lên"), default=False)


class ConfirmForm(FlaskForm):
    """A CSRF-protected POST button (publish)."""
