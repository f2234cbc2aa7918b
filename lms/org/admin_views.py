"""Admin pages of the org tree: import of units and cadres (upload → dry run → confirm), the template.

Admin only; an admin scoped to a unit imports into that unit's subtree only. The uploaded file is
kept server-side between the dry run and the confirmation, named by a signed, time-limited token.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.core.roles import Role, roles_required
from lms.org.forms import ImportConfirmForm, ImportUploadForm
from lms.org.importer import ImportRejected, import_file
from lms.org.importer.template import template_xlsx

bp = Blueprint("org_admin", __name__, url_prefix="/admin/org")

#: a dry run may be confirmed within this many seconds
TOKEN_MAX_AGE = 3600
#: report entries listed on the page per list (counts are complete)
SHOWN = 200
ALLOWED_SUFFIXES = (".xlsx", ".csv")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lms.org.import")


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _too_large() -> ImportRejected:
    limit = current_app.config["LMS_IMPORT_MAX_BYTES"]
    return ImportRejected.of(f"Tệp quá lớn; giới hạn là {limit / 1048576:.0f} MB.",
                             f"The file is too large; the limit is {limit / 1048576:.0f} MB.", "import_too_large", 413)


def _store_upload(storage) -> tuple[Path, str]:
    """Copy the upload to the instance folder (refusing it past the size limit); return path and name."""
    limit = current_app.config["LMS_IMPORT_MAX_BYTES"]
    original = Path(storage.filename or "upload").name
    suffix = Path(original).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRejected.of(f"Loại tệp “{suffix or original}” không được hỗ trợ: dùng .xlsx hoặc .csv (UTF-8).",
                                f"Unsupported file type “{suffix or original}”: use .xlsx or .csv (UTF-8).",
                                "import_file_type", 415)
    _remove_stale()
    target = _upload_dir() / f"{secrets.token_hex(16)}{suffix}"
    size = 0
    with target.open("wb") as out:
        while chunk := storage.stream.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise _too_large()
            out.write(chunk)
    return target, original


def _remove_stale() -> None:
    """Forget uploads never confirmed (older than the token lifetime)."""
    cutoff = time.time() - TOKEN_MAX_AGE - 60
    for item in _upload_dir().iterdir():
        if item.is_file() and item.stat().st_mtime < cutoff:
            item.unlink(missing_ok=True)


def _scope():
    return current_user.scope_org_unit


def _render(status: int = 200, **context):
    context.setdefault("form", ImportUploadForm())
    return render_template("org/admin_import.html", shown=SHOWN,
                           max_mb=current_app.config["LMS_IMPORT_MAX_BYTES"] / 1048576, **context), status


@bp.route("/import", methods=["GET"])
@roles_required(Role.admin)
def import_page():
    """The upload form, with the format summary and the template link."""
    return _render()


@bp.route("/import", methods=["POST"])
@roles_required(Role.admin)
def import_upload():
    """Upload → dry run: the report of what would change, or every bad row; nothing is written."""
    limit = current_app.config["LMS_IMPORT_MAX_BYTES"]
    if request.content_length and request.content_length > limit + 65536:
        return _render(413, error=_too_large())  # refused before the body is parsed
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _render(400, form=form)
    path = None
    try:
        path, original = _store_upload(form.file.data)
        report = import_file(path, original, dry_run=True, deactivate_missing=form.deactivate_missing.data,
                             scope=_scope(), max_bytes=limit)
    except ImportRejected as exc:
        if path is not None:
            path.unlink(missing_ok=True)
        return _render(exc.status, form=form, error=exc)
    token = _serializer().dumps({"f": path.name, "n": original, "u": current_user.id,
                                 "d": bool(form.deactivate_missing.data)})
    return _render(form=form, report=report, filename=original, confirm=ImportConfirmForm(token=token))


@bp.route("/import/confirm", methods=["POST"])
@roles_required(Role.admin)
def import_confirm():
    """Apply a dry-run file (checked again: the data may have changed since); the request commits."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = _serializer().loads(form.token.data, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return _render(400, error=ImportRejected.of(
            "Phiên nhập đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại.",
            "The import session expired or is invalid; upload the file again.", "import_token"))
    path = _upload_dir() / Path(str(data.get("f", ""))).name
    if data.get("u") != current_user.id or not path.is_file():
        return _render(400, error=ImportRejected.of(
            "Không tìm thấy tệp đã kiểm tra (đã nhập hoặc đã hết hạn); hãy tải tệp lên lại.",
            "The checked file is gone (already imported or expired); upload it again.", "import_token"))
    try:
        report = import_file(path, data["n"], dry_run=False, deactivate_missing=bool(data.get("d")),
                             scope=_scope(), max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"])
    except ImportRejected as exc:
        return _render(exc.status, error=exc)
    finally:
        path.unlink(missing_ok=True)
    return _render(report=report, filename=data["n"], done=True)


@bp.route("/import/template.xlsx")
@roles_required(Role.admin)
def import_template():
    """The template workbook (both sheets, examples, a guide)."""
    return Response(template_xlsx(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=mau-nhap-don-vi-can-bo.xlsx"})
