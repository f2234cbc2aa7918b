"""Forms of the standards admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lms.catalog.models import TOPIC_LABELS
from lms.core.templating import label
from lms.org.models import EMPLOYMENT_LABELS, GENDER_LABELS, POSITION_LABELS

try:  # wtforms ≥ 3.2 wants SelectChoice objects
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older wtforms
    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


def _choices(pairs) -> list:
    return [SelectChoice(value, text) for value, text in pairs]


def _labels(labels: dict) -> list:
    """Choices from a (Vietnamese, English) label table, each label in the language of the request."""
    return _choices((key.value, LazyString(label, pair)) for key, pair in labels.items())


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoadForm(FlaskForm):
    """Upload a standards file (TOML or YAML)."""

    file = FileField(_l("Tệp chuẩn (.toml, .yaml)"), validators=[
        FileRequired(), FileAllowed(["toml", "yaml", "yml"], _l("Chỉ nhận tệp .toml, .yaml, .yml"))])


class RequirementForm(FlaskForm):
    """A new version of a requirement, effective from a date."""

    name_vi = StringField(_l("Tên (tiếng Việt)"), validators=[DataRequired()])
    name_en = StringField(_l("Tên (tiếng Anh)"), validators=[Optional()])
    employment = _Checkboxes(_l("Loại cán bộ"), choices=_labels(EMPLOYMENT_LABELS))
    positions = _Checkboxes(_l("Chức vụ"), choices=_labels(POSITION_LABELS))
    is_key = SelectField(_l("Cán bộ chủ chốt"), choices=_choices([("", _l("Không xét")), ("yes", _l("Có")), ("no", _l("Không"))]), validate_choice=False)
    gender = _Checkboxes(_l("Giới tính"), choices=_labels(GENDER_LABELS))
    org_units = StringField(_l("Mã đơn vị (cả cấp dưới), cách nhau bởi dấu phẩy"), validators=[Optional()])
    #: choices are the tree's own level labels (:meth:`use_levels`)
    levels = _Checkboxes(_l("Cấp đơn vị"), choices=[])
    any_modules = StringField(_l("Hoàn thành một trong các học phần (mã)"), validators=[Optional()])
    all_modules = StringField(_l("Hoàn thành tất cả các học phần (mã)"), validators=[Optional()])
    hours = DecimalField(_l("Hoặc số giờ tối thiểu"), validators=[Optional(), NumberRange(min=0.5, max=9999)])
    topic = SelectField(_l("Chủ đề"), choices=[SelectChoice("", "—"), *_labels(TOPIC_LABELS)], validate_choice=False)
    period_months = IntegerField(_l("Trong số tháng"), validators=[Optional(), NumberRange(min=1, max=240)])
    min_score = DecimalField(_l("Điểm tối thiểu (%)"), validators=[Optional(), NumberRange(min=0, max=100)])
    due_days = IntegerField(_l("Hạn: số ngày kể từ khi nhận chức vụ"),
                          validators=[Optional(), NumberRange(min=0, max=36500)])
    due_date = DateField(_l("Hoặc hạn cố định"), validators=[Optional()])
    validity_months = IntegerField(_l("Hiệu lực (tháng, 0 = vĩnh viễn)"), default=0,
                                   validators=[InputRequired(), NumberRange(min=0, max=600)])
    renewal_days = IntegerField(_l("Cửa sổ gia hạn (ngày trước khi hết hạn)"), default=60,
                                validators=[InputRequired(), NumberRange(min=0, max=3650)])
    effective_from = DateField(_l("Áp dụng từ ngày"), validators=[DataRequired()])

    def to_item(self, code: str) -> dict:
        """The requirement as the loader's raw dict (validated by the loader)."""
        applies: dict = {}
        for key in ("employment", "positions", "gender", "levels"):
            if getattr(self, key).data:
                applies[key] = getattr(self, key).data
        if self.is_key.data:
            applies["is_key"] = self.is_key.data == "yes"
        units = [v.strip() for v in (self.org_units.data or "").split(",") if v.strip()]
        if units:
            applies["org_units"] = units
        alternatives = []
        for key in ("any_modules", "all_modules"):
            codes = [v.strip() for v in (getattr(self, key).data or "").split(",") if v.strip()]
            if codes:
                alternatives.append({key: codes})
        if self.hours.data:
            alternatives.append({"hours": float(self.hours.data), "topic": self.topic.data,
                                 "period_months": self.period_months.data})
        return {"code": code, "name_vi": self.name_vi.data, "name_en": self.name_en.data or "",
                "applies_to": applies, "satisfied_by": alternatives, "min_score": self.min_score.data,
                "due_days": self.due_days.data, "due_date": self.due_date.data,
                "validity_months": self.validity_months.data, "renewal_days": self.renewal_days.data,
                "effective_from": self.effective_from.data}

    def fill(self, req) -> None:
        """Prefill from a requirement version."""
        rule = req.applies_to or {}
        self.name_vi.data, self.name_en.data = req.name_vi, req.name_en
        self.employment.data, self.positions.data = rule.get("employment", []), rule.get("positions", [])
        self.gender.data = rule.get("gender", [])
        self.is_key.data = "" if "is_key" not in rule else ("yes" if rule["is_key"] else "no")
        self.org_units.data, self.levels.data = ", ".join(rule.get("org_units", [])), rule.get("levels", [])
        for alt in req.satisfied_by:
            if alt["kind"] in ("any_modules", "all_modules"):
                getattr(self, alt["kind"]).data = ", ".join(alt["modules"])
            else:
                self.hours.data, self.topic.data, self.period_months.data = alt["hours"], alt["topic"], alt["period_months"]
        self.min_score.data, self.due_days.data, self.due_date.data = req.min_score, req.due_days, req.due_date
        self.validity_months.data, self.renewal_days.data = req.validity_months, req.renewal_days

    def use_levels(self, levels: list[str], named: list[str] | None = None) -> None:
        """Offer the tree's level labels, plus any this requirement already names (so they can be unticked)."""
        extra = [lv for lv in (named or []) if lv not in levels]
        self.levels.choices = _choices((lv, lv) for lv in [*levels, *extra])


_CODE = [DataRequired(), Length(max=64),
         Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Chỉ dùng chữ, số, '.', '_' hoặc '-'."))]


class NewRequirementForm(RequirementForm):
    """A requirement added to a standard: its stable code and version 1."""

    code = StringField(_l("Mã yêu cầu"), validators=_CODE)


class StandardForm(FlaskForm):
    """The standard's own attributes (its requirements are edited one by one)."""

    name_vi = StringField(_l("Tên chuẩn (tiếng Việt)"), validators=[DataRequired(), Length(max=255)])
    name_en = StringField(_l("Tên chuẩn (tiếng Anh)"), validators=[Optional(), Length(max=255)])
    description = TextAreaField(_l("Mô tả"), validators=[Optional()])
    target_pct = DecimalField(_l("Chỉ tiêu: tỉ lệ cán bộ đạt (%)"), default=100,
                              validators=[InputRequired(), NumberRange(min=0, max=100)])
    effective_from = DateField(_l("Chuẩn áp dụng từ ngày"), validators=[DataRequired()])
    effective_to = DateField(_l("Chuẩn hết áp dụng từ ngày"), validators=[Optional()])

    def to_data(self, code: str) -> dict:
        """The standard as the loader's raw dict, without requirements."""
        return {"code": code, "name_vi": self.name_vi.data, "name_en": self.name_en.data or "",
                "description": self.description.data or "", "target_pct": self.target_pct.data,
                "effective_from": self.effective_from.data, "effective_to": self.effective_to.data}

    def fill(self, std) -> None:
        """Prefill from a standard."""
        for key in ("name_vi", "name_en", "description", "target_pct", "effective_from", "effective_to"):
            getattr(self, key).data = getattr(std, key)


class NewStandardForm(StandardForm):
    """A new standard: its code as well."""

    code = StringField(_l("Mã chuẩn"), validators=_CODE)
