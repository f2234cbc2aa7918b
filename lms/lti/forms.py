"""Forms of the LTI admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import URL, DataRequired, Length, Optional


def _url(label: str):
    return StringField(label, validators=[DataRequired(message=_l("Cần địa chỉ.")),
                                          URL(require_tld=False, message=_l("Địa chỉ không hợp lệ.")),
                                          Length(1, 1024)])


class PlatformForm(FlaskForm):
    """A platform's registration: what the platform shows after the tool was added on its side."""

    name = StringField(_l("Tên nền tảng"), validators=[DataRequired(message=_l("Cần tên nền tảng.")), Length(1, 255)])
    issuer = StringField(_l("Issuer (định danh nền tảng)"), validators=[
        DataRequired(message=_l("Cần issuer.")), Length(1, 255)])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(message=_l("Cần client ID.")), Length(1, 255)])
    deployment_ids = StringField(_l("Deployment ID (cách nhau bởi dấu cách)"), validators=[
        DataRequired(message=_l("Cần ít nhất một deployment ID.")), Length(1, 2000)])
    auth_login_url = _url(_l("Địa chỉ xác thực OIDC (authentication request URL)"))
    auth_token_url = _url(_l("Địa chỉ cấp access token"))
    key_set_url = _url(_l("Địa chỉ JWKS (khoá công khai) của nền tảng"))
    auth_audience = StringField(_l("Audience của access token (nếu khác địa chỉ token)"),
                                validators=[Optional(), Length(0, 1024)])


class EmptyForm(FlaskForm):
    """A CSRF-protected button."""
