"""Forms of the integration admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class ConsumerForm(FlaskForm):
    """A new consumer: its key and a name."""

    key = StringField("Khoá consumer", validators=[
        DataRequired(message="Cần khoá consumer."), Length(3, 64),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message="Chỉ dùng chữ, số, '.', '_' hoặc '-'.")])
    name = StringField("Tên nền tảng", validators=[DataRequired(message="Cần tên nền tảng."), Length(1, 255)])
    origins = StringField("Địa chỉ nền tảng được phép nhúng", validators=[Optional(), Length(0, 2000)])


class OriginsForm(FlaskForm):
    """The platform origins allowed to frame launches (space separated)."""

    origins = StringField("Địa chỉ nền tảng được phép nhúng", validators=[Optional(), Length(0, 2000)])


class LinkForm(FlaskForm):
    """Confirm a pending learner: the code of the cadre they are."""

    cadre_code = StringField("Mã cán bộ", validators=[DataRequired(message="Cần mã cán bộ."), Length(1, 64)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (toggle, rotate, reject)."""
