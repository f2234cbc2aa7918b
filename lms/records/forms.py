"""Forms of the records pages (Flask-WTF: every one carries the CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.catalog.models import TOPIC_LABELS
from lms.core.numbers import MAX_ID
from lms.core.templating import label


class CsrfForm(FlaskForm):
    """A form with only the CSRF token (buttons, pick lists read from ``request.form``)."""


def topic_choices(blank: bool = True) -> list[tuple[str, str]]:
    """Topic options in the current language."""
    return ([("", "—")] if blank else []) + [(t.value, label(pair)) for t, pair in TOPIC_LABELS.items()]


class ClassForm(FlaskForm):
    """Create an in-person class."""

    title = StringField(_l("Tên lớp"), validators=[DataRequired(), Length(max=255)])
    module = SelectField(_l("Học phần"), choices=[], validate_choice=True, default="")
    topic = SelectField(_l("Chủ đề"), choices=[], validate_choice=True, default="")
    starts_on = DateField(_l("Từ ngày"), validators=[DataRequired()])
    ends_on = DateField(_l("Đến ngày"), validators=[DataRequired()])
    hours = DecimalField(_l("Số giờ"), places=2, validators=[DataRequired(), NumberRange(min=0, max=9999)])
    place = StringField(_l("Địa điểm"), validators=[Optional(), Length(max=255)])
    lecturer_name = StringField(_l("Giảng viên"), validators=[Optional(), Length(max=255)])
    org_unit = SelectField(_l("Đơn vị tổ chức"), choices=[], validate_choice=True)


class SheetForm(FlaskForm):
    """Upload an attendance sheet or an import file."""

    file = FileField(_l("Tệp"), validators=[FileRequired()])


class ReasonForm(FlaskForm):
    """A reason (revocation, removal of an attendee)."""

    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=2000)])


class CorrectionForm(FlaskForm):
    """New values of a record; empty fields keep the current value."""

    hours = DecimalField(_l("Số giờ"), places=2, validators=[Optional(), NumberRange(min=0, max=9999)])
    score = DecimalField(_l("Điểm"), places=2, validators=[Optional(), NumberRange(min=0, max=100)])
    completed_on = DateField(_l("Ngày hoàn thành"), validators=[Optional()])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=2000)])


class WaiverForm(FlaskForm):
    """Waive a requirement, module or topic for a cadre."""

    requirement_id = IntegerField(_l("Mã yêu cầu"), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    module = SelectField(_l("Học phần"), choices=[], validate_choice=True, default="")
    topic = SelectField(_l("Chủ đề"), choices=[], validate_choice=True, default="")
    completed_on = DateField(_l("Ngày hiệu lực"), validators=[Optional()])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=2000)])
