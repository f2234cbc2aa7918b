"""Login, password and language forms (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Login with a login name and password."""

    login = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=128)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class PasswordForm(FlaskForm):
    """Change one's own password."""

    old = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, max=256)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (logout, language)."""
