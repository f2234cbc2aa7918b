"""Forms of the integration admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class ConsumerForm(FlaskForm):
    """A new consumer: its key and a name."""

    key = StringField(_l("Khoá consumer"), validators=[
        DataRequired(message=_l("Cần khoá consumer.")), Length(3, 64),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Chỉ dùng chữ, số, '.', '_' hoặc '-'."))])
    name = StringField(_l("Tên nền tảng"), validators=[DataRequired(message=_l("Cần tên nền tảng.")), Length(1, 255)])
    origins = StringField(_l("Địa chỉ nền tảng được phép nhúng"), validators=[Optional(), Length(0, 2000)])


class OriginsForm(FlaskForm):
    """The platform origins allowed to frame launches (space separated)."""

    origins = StringField(_l("Địa chỉ nền tảng được phép nhúng"), validators=[Optional(), Length(0, 2000)])


class LinkForm(FlaskForm):
    """Confirm a pending learner: the code of the cadre they are."""

    cadre_code = StringField(_l("Mã cán bộ"), validators=[DataRequired(message=_l("Cần mã cán bộ.")), Length(1, 64)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (toggle, rotate, reject)."""


class LinkLoginForm(FlaskForm):
    """A pending XBlock learner proves which LMS account is theirs: its login and password."""

    ticket = HiddenField()
    login = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=256)])
