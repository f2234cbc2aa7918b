"""Admin pages of the org tree: import of units and cadres (upload → preview → import the valid rows).

Admin only; an admin scoped to a unit imports into that unit's subtree only. The upload is kept for
its uploader under a token (lms/core/imports.py); the preview lists the rows left out and offers the
file again with a "Lỗi" column; confirming imports the valid rows (:mod:`lms.org.importer.preview`).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user

from lms.core.roles import Role, roles_required
from lms.org.forms import ImportUploadForm
from lms.org.importer import ImportRejected
from lms.org.importer import preview as web_import
from lms.org.importer.template import template_xlsx

bp = Blueprint("org_admin", __name__, url_prefix="/admin/org")

#: report entries listed on the page per list (counts are complete)
SHOWN = 200
ALLOWED_SUFFIXES = (".xlsx", ".csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _limit() -> int:
    return current_app.config["LMS_IMPORT_MAX_BYTES"]


def _too_large() -> ImportRejected:
    limit = _limit()
    return ImportRejected.of(f"Tệp quá lớn; giới hạn là {limit / 1048576:.0f} MB.",
                             f"The file is too large; the limit is {limit / 1048576:.0f} MB.", "import_too_large", 413)


def _read_upload(storage) -> tuple[bytes, str]:
    """The upload's bytes and name (refused past the size limit or when not .xlsx/.csv)."""
    original = Path(storage.filename or "upload").name
    suffix = Path(original).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRejected.of(f"Loại tệp “{suffix or original}” không được hỗ trợ: dùng .xlsx hoặc .csv (UTF-8).",
                                f"Unsupported file type “{suffix or original}”: use .xlsx or .csv (UTF-8).",
                                "import_file_type", 415)
    data = storage.stream.read(_limit() + 1)
    if len(data) > _limit():
        raise _too_large()
    return data, original


def _scope():
    return current_user.scope_org_unit


def _options(deactivate: int) -> dict:
    return {"user_id": current_user.id, "deactivate_missing": bool(deactivate), "scope": _scope(),
            "max_bytes": _limit()}


def _render(status: int = 200, **context):
    context.setdefault("form", ImportUploadForm())
    return render_template("org/admin_import.html", shown=SHOWN, max_mb=_limit() / 1048576, **context), status


@bp.route("/import", methods=["GET"])
@roles_required(Role.admin)
def import_page():
    """The upload form, with the format summary and the template link."""
    return _render()


@bp.route("/import", methods=["POST"])
@roles_required(Role.admin)
def import_upload():
    """Upload → preview: what importing the valid rows would change, and the rows left out; nothing written."""
    if request.content_length and request.content_length > _limit() + 65536:
        return _render(413, error=_too_large())  # refused before the body is parsed
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _render(400, form=form)
    deactivate = int(bool(form.deactivate_missing.data))
    try:
        data, name = _read_upload(form.file.data)
        checked, preview = web_import.preview(data, name, **_options(deactivate))
    except ImportRejected as exc:
        return _render(exc.status, form=form, error=exc)
    return _render(422 if checked.errors else 200, form=form, checked=checked, report=checked.report,
                   preview=preview, filename=name, deactivate=deactivate)


@bp.route("/import/<int:deactivate>/<token>/confirm", methods=["POST"])
@roles_required(Role.admin)
def import_confirm(deactivate: int, token: str):
    """Import the valid rows of a previewed file (checked again: the data may have changed); the request commits."""
    try:  # the CSRF token was checked by CSRFProtect
        checked = web_import.confirm(token, **_options(deactivate))
    except ImportRejected as exc:
        return _render(exc.status, error=exc)
    return _render(checked=checked, report=checked.report, done=True)


@bp.route("/import/<int:deactivate>/<token>/errors.xlsx")
@roles_required(Role.admin)
def import_errors(deactivate: int, token: str):
    """The previewed file with a "Lỗi" column on each sheet."""
    body = web_import.error_workbook(token, **_options(deactivate))
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": "attachment; filename=don-vi-can-bo-loi.xlsx"})


@bp.route("/import/template.xlsx")
@roles_required(Role.admin)
def import_template():
    """The template workbook (both sheets, examples, a guide)."""
    return Response(template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=mau-nhap-don-vi-can-bo.xlsx"})
