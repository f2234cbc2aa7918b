"""Long error lists of an import: the first :data:`SHOWN` on the page, the whole list as a CSV to download.

A hostile or broken sheet can produce an error per row; rendering them all made a 47 MB page. Pages
show the first errors and link to a CSV (with BOM, cells escaped) kept for the uploader for a day in
the instance folder's ``error_reports``.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, url_for
from flask_login import current_user, login_required

from lms.core.exports import csv_bytes

#: errors listed on a page
SHOWN = 50
#: seconds a stored report is kept
KEEP_SECONDS = 24 * 3600
COLUMNS = (("sheet", "Trang"), ("row", "Dòng"), ("column", "Cột"), ("message_vi", "Lỗi"), ("message_en", "Error"))

bp = Blueprint("error_reports", __name__)


def _as_dict(error: Any) -> Mapping[str, Any]:
    if isinstance(error, Mapping):
        return error
    for name in ("as_detail", "as_dict"):
        if hasattr(error, name):
            return getattr(error, name)()
    return {key: getattr(error, key, "") for key, _ in COLUMNS}


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "error_reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(errors: Sequence[Any]) -> str:
    """Write ``errors`` as a CSV for the current user; the token that downloads it."""
    rows = [_as_dict(e) for e in errors]
    keys = [k for k, _ in COLUMNS if any(k in r for r in rows)]
    data = csv_bytes([h for k, h in COLUMNS if k in keys], ([r.get(k, "") for k in keys] for r in rows))
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    (folder / f"{getattr(current_user, 'id', 0)}-{token}.csv").write_bytes(data)
    return token


def report_url(errors: Sequence[Any]) -> str | None:
    """The download link of the full list when it is longer than a page shows, else None (template global)."""
    if len(errors) <= SHOWN:
        return None
    return url_for("error_reports.download", token=store(errors))


@bp.route("/import-errors/<token>.csv")
@login_required
def download(token: str) -> Response:
    """The full error list of one of the current user's imports (CSV, UTF-8 with BOM)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,64}", token):
        abort(404)
    path = _folder() / f"{current_user.id}-{token}.csv"
    if not path.is_file():
        abort(404)
    return Response(path.read_bytes(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=import-errors.csv"})


def init_app(app: Flask) -> None:
    """Register the download route and the ``error_report_url``/``ERRORS_SHOWN`` template globals."""
    app.register_blueprint(bp)
    app.jinja_env.globals["error_report_url"] = report_url
    app.jinja_env.globals["ERRORS_SHOWN"] = SHOWN
