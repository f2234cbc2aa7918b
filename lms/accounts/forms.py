"""Login, password, recovery and language forms (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


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


class ForgotForm(FlaskForm):
    """"Quên mật khẩu?": the e-mail address of the account."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=255)])


class NewPasswordForm(FlaskForm):
    """Choose a password (through an invitation or reset link): twice, to catch typos."""

    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, max=256)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(), EqualTo("new", message=_l("Hai mật khẩu không khớp."))])


class ActivateForm(NewPasswordForm):
    """Activate an account with a printed code: username, code, then a new password."""

    login = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=128)])
    code = StringField(_l("Mã kích hoạt"), validators=[DataRequired(), Length(max=32)])
