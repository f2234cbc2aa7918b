"""Forms of the org admin pages (CSRF-protected by Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class ImportUploadForm(FlaskForm):
    """Upload an .xlsx/.csv of units and cadres for a preview."""

    file = FileField(_l("Tệp Excel (.xlsx) hoặc CSV (UTF-8)"), validators=[FileRequired()])
    deactivate_missing = BooleanField(_l("Ngừng hoạt động cán bộ của các đơn vị trong tệp mà không có trong tệp"))
