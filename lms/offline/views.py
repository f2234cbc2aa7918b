"""Routes of offline study (docs/offline.md).

LMS origin: ``/manifest.webmanifest``, ``/sw.js`` (scope ``/``), ``/offline/modules/<code>/plan``.
Content origin (``/c/_offline/…``, never a cookie, never LMS data): the download frame, its script,
the content origin's service worker (scope ``/c/``) and ``clear`` (``Clear-Site-Data``)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from lms.catalog import content
from lms.core.errors import UserError
from lms.offline import services

bp = Blueprint("offline", __name__)
content_bp = Blueprint("offline_content", __name__)

#: built by scripts/build-sw.mjs (git-ignored): the two service workers and the content frame's script
BUILT = {"sw.js": "vendor/offline/sw.js", "content-sw.js": "vendor/offline/content-sw.js",
         "frame.js": "vendor/offline/frame.js"}
CLEAR = '"cache", "storage"'


def _built(name: str) -> Path:
    path = Path(current_app.static_folder or "") / BUILT[name]
    if not path.exists():
        raise UserError("Chưa dựng service worker: hãy chạy `make install` (node scripts/build-sw.mjs).",
                        "The service worker is not built: run `make install`.", status=404, code="sw_missing")
    return path


def _script(name: str, scope: str) -> Response:
    response = send_file(_built(name), mimetype="text/javascript", conditional=True, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = scope
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest: Vietnamese names, the LMS's own icons, opens on the learner's modules."""
    icons = [{"src": url_for("static", filename=f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
              "purpose": "any maskable"} for n in (192, 512)]
    icons.append({"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    body = {"name": "Đào tạo cán bộ công đoàn", "short_name": "Học CĐ", "lang": "vi", "dir": "ltr",
            "start_url": url_for("player.my_modules"), "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#b71c1c", "icons": icons,
            "description": "Học các học phần đào tạo cán bộ công đoàn, cả khi không có mạng."}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
def service_worker():
    """The LMS origin's service worker (scope ``/``)."""
    return _script("sw.js", "/")


@bp.route("/offline/modules/<code>/plan")
@login_required
def plan(code: str):
    """What "Tải về để học offline" stores for the learner's open attempt of ``code``: file list, total
    bytes, pages. Nothing is written."""
    if current_user.cadre_id is None:
        abort(403)
    attempt = services.open_attempt_for_offline(current_user.cadre_id, code)
    found = services.plan(attempt, current_user.id)
    response = jsonify(found.as_json(content.required_origin()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/offline/csrf")
@login_required
def csrf_token():
    """The session's CSRF token, for the service worker replaying commits queued by an earlier session
    of the same learner (docs/offline.md)."""
    from flask_wtf.csrf import generate_csrf  # noqa: PLC0415 - only this view needs it

    response = jsonify({"token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


def clear_site_data_on_logout(response: Response) -> Response:
    """Logout wipes what this browser stored for the LMS origin (caches, IndexedDB, service worker)."""
    if request.endpoint == "accounts.logout" and request.method == "POST":
        response.headers["Clear-Site-Data"] = CLEAR
    return response


# --- the content origin ---------------------------------------------------------------------------


def _content_side() -> None:
    if not (content.is_content_host() or content.same_origin_unsafe()):
        abort(404)


def frame_csp(lms_origin: str) -> str:
    """The download frame's policy: its own script only, framed by the LMS page only."""
    return ("default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action 'none'; frame-ancestors {lms_origin}")


@content_bp.route("/c/_offline/frame")
def frame():
    """The content origin's download frame: registers the content service worker and stores the files
    the LMS page (``?lms=<origin>``) hands it by postMessage."""
    _content_side()
    lms_origin = content.lms_origin_of(request.args.get("lms", ""))
    if lms_origin is None:
        abort(400)
    response = current_app.make_response(render_template("offline/frame.html", lms_origin=lms_origin))
    response.headers["Content-Security-Policy"] = frame_csp(lms_origin)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@content_bp.route("/c/_offline/frame.js")
def frame_script():
    _content_side()
    return _script("frame.js", "/c/")


@content_bp.route("/c/_offline/sw.js")
def content_service_worker():
    """The content origin's service worker (scope ``/c/``): serves downloaded package files."""
    _content_side()
    return _script("content-sw.js", "/c/")


@content_bp.route("/c/_offline/clear")
def clear():
    """Loaded by the logout form in a hidden frame: the content origin forgets the downloaded files."""
    _content_side()
    response = current_app.make_response(("", 204))
    response.headers["Clear-Site-Data"] = CLEAR
    response.headers["Cache-Control"] = "no-store"
    return response
