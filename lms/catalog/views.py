"""Lecturer pages for modules and packages, and the package-content routes (``/content``, ``/c``)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from lms.accounts.models import User
from lms.catalog import content, services
from lms.catalog.forms import (
    COMBINATOR_LABELS,
    GRADING_LABELS,
    NEW_ATTEMPT_LABELS,
    SCO_AGGREGATION_LABELS,
    ConfirmForm,
    ModuleForm,
    UploadForm,
)
from lms.catalog.models import TOPIC_LABELS, Module, PackageFile, PackageVersion
from lms.core.db import db
from lms.core.errors import UserError, error_response, localized, wants_json
from lms.core.roles import Role, roles_required
from lms.core.storage import get_storage

bp = Blueprint("catalog", __name__, url_prefix="/modules")
content_bp = Blueprint("content", __name__)

#: a year: blobs are addressed by content, a URL's bytes never change
IMMUTABLE_MAX_AGE = 365 * 24 * 3600

LABELS = {"topic": TOPIC_LABELS, "new_attempt": NEW_ATTEMPT_LABELS, "grading": GRADING_LABELS,
          "sco_aggregation": SCO_AGGREGATION_LABELS, "combinator": COMBINATOR_LABELS}


def _module_or_404(code: str) -> Module:
    module = services.get_module(code)
    if module is None:
        abort(404)
    return module


def _version_or_404(module: Module, number: int) -> PackageVersion:
    version = services.get_version(module, number)
    if version is None:
        abort(404)
    return version


def home_panel_context(user) -> dict:
    """The lecturer's home panel: their modules and the latest uploads."""
    mine = db.session.scalars(select(Module).options(selectinload(Module.published_version))
                              .where(Module.created_by_id == user.id)
                              .order_by(Module.updated_at.desc()).limit(8)).all()
    recent = db.session.scalars(select(PackageVersion).options(selectinload(PackageVersion.module))
                                .order_by(PackageVersion.created_at.desc(), PackageVersion.id.desc()).limit(5)).all()
    return {"catalog_mine": mine, "catalog_recent": recent}


def admin_panel_context(user) -> dict:
    """The same panel for admins, skipped when they also hold the lecturer role (shown once)."""
    if Role.lecturer in user.roles:
        return {"catalog_skip": True}
    return home_panel_context(user)


def too_large(exc: RequestEntityTooLarge):
    """413 with the limit spelled out (Werkzeug stops reading the body at ``MAX_CONTENT_LENGTH``)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    mb = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit / 1024:.0f} KB"
    return error_response(413, localized(f"Tệp tải lên quá lớn (tối đa {mb}). Chưa lưu gì.",
                                         f"The upload is too large (at most {mb}). Nothing was saved."),
                          "request_entity_too_large")


# --- lecturer pages -----------------------------------------------------------------------------------


@bp.route("/")
@roles_required(Role.lecturer)
def modules():
    """All modules with their published version, filterable by topic and text."""
    query = select(Module).options(selectinload(Module.published_version)).order_by(Module.code)
    topic = request.args.get("topic", "")
    if topic in TOPIC_LABELS:
        query = query.where(Module.topic == topic)
    q = request.args.get("q", "").strip()[:100]
    if q:
        like = f"%{q}%"
        query = query.where(Module.code.ilike(like) | Module.title_vi.ilike(like) | Module.title_en.ilike(like))
    return render_template("catalog/modules.html", modules=db.session.scalars(query).all(), topic=topic, q=q,
                           labels=LABELS)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.lecturer)
def create():
    """Create a module; on success go to its page to upload a package."""
    form = ModuleForm()
    if request.method == "GET":
        form.load_rule(services.DEFAULT_RULE)
    if form.validate_on_submit():
        values = form.values()
        module = services.create_module(form.code.data, created_by_id=current_user.id, **values)
        flash(localized("Đã tạo học phần. Hãy tải gói SCORM lên.", "Module created. Now upload a SCORM package."),
              "success")
        return redirect(url_for("catalog.module", code=module.code))
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/module_form.html", form=form, module=None, labels=LABELS), status


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(Role.lecturer)
def edit(code: str):
    """Edit a module's settings (the code stays)."""
    module = _module_or_404(code)
    form = ModuleForm(obj=module)
    form.code.data = module.code
    if request.method == "GET":
        form.load_rule(module.completion_rule)
    if form.validate_on_submit():
        services.update_module(module, active=form.active.data, **form.values())
        flash(localized("Đã lưu học phần.", "Module saved."), "success")
        return redirect(url_for("catalog.module", code=module.code))
    status = 422 if request.method == "POST" else 200
    return render_template("catalog/module_form.html", form=form, module=module, labels=LABELS), status


@bp.route("/<code>")
@roles_required(Role.lecturer)
def module(code: str):
    """A module: settings, versions (which one is published), the upload form."""
    module = _module_or_404(code)
    return render_template("catalog/module.html", module=module, upload=UploadForm(), confirm=ConfirmForm(),
                           labels=LABELS, uploaders=_uploaders(module.versions),
                           max_bytes=current_app.config.get("MAX_CONTENT_LENGTH"))


def _uploaders(versions: list[PackageVersion]) -> dict[int, User]:
    ids = {v.uploaded_by_id for v in versions if v.uploaded_by_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/<code>/upload", methods=["POST"])
@roles_required(Role.lecturer)
def upload(code: str):
    """Upload a zip: 422 with the validation report when invalid; else the new version's report page.

    The body is never held in memory: Werkzeug spools the file part to disk, the service copies it
    in chunks into storage's work folder while hashing, and extracts from there.
    """
    module = _module_or_404(code)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_failed(module, form, None, 422)
    if (request.content_length or 0) > current_app.config.get("LMS_UPLOAD_JOB_MB", 100) * 1024 * 1024:
        from lms.catalog import jobs

        return jobs.start(module, form.package.data.stream, uploaded_by_id=current_user.id,
                          publish=bool(form.publish.data))
    known = {v.id for v in module.versions}
    try:
        version = services.import_package(module, form.package.data.stream, uploaded_by_id=current_user.id,
                                          publish=bool(form.publish.data))
    except services.PackageInvalid as exc:
        return _upload_failed(module, form, exc, 422)
    if version.id in known:
        flash(localized(f"Tệp này đã được tải lên trước đây (phiên bản {version.number}); không tạo bản trùng.",
                        f"This file was uploaded before (version {version.number}); no duplicate made."), "info")
    else:
        flash(localized(f"Đã tải lên phiên bản {version.number}.", f"Version {version.number} uploaded."),
              "success")
    return redirect(url_for("catalog.version", code=module.code, number=version.number))


def _upload_failed(module: Module, form: UploadForm, exc: services.PackageInvalid | None, status: int):
    if wants_json():
        if exc is not None:
            return error_response(exc.status, exc.message(), exc.code, exc.details)
        errors = [{"field": name, "message": message} for name, messages in form.errors.items() for message in messages]
        return error_response(status, localized("Thiếu tệp gói SCORM.", "No SCORM package file."), "upload_invalid",
                              errors)
    return render_template("catalog/module.html", module=module, upload=form, confirm=ConfirmForm(),
                           labels=LABELS, uploaders=_uploaders(module.versions), refused=exc,
                           max_bytes=current_app.config.get("MAX_CONTENT_LENGTH")), status


@bp.route("/<code>/versions/<int:number>")
@roles_required(Role.lecturer)
def version(code: str, number: int):
    """A version's validation report (warnings), its SCOs and files count, publish and preview."""
    module = _module_or_404(code)
    version = _version_or_404(module, number)
    return render_template("catalog/version.html", module=module, version=version, confirm=ConfirmForm(),
                           uploader=db.session.get(User, version.uploaded_by_id) if version.uploaded_by_id else None,
                           file_count=db.session.scalar(select(func.count()).select_from(PackageFile)
                                                        .where(PackageFile.version_id == version.id)))


@bp.route("/<code>/versions/<int:number>/publish", methods=["POST"])
@roles_required(Role.lecturer)
def publish(code: str, number: int):
    """Make this version the one new attempts launch."""
    module = _module_or_404(code)
    version = _version_or_404(module, number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.publish_version(version)
    flash(localized(f"Đã xuất bản phiên bản {number}. Các lượt học đang dở vẫn dùng phiên bản cũ.",
                    f"Version {number} published. Attempts in progress keep their version."), "success")
    return redirect(url_for("catalog.module", code=module.code))


@bp.route("/<code>/versions/<int:number>/preview")
@roles_required(Role.lecturer)
def preview(code: str, number: int):
    """Preview: the player's preview route when there is one, else the launch file itself."""
    module = _module_or_404(code)
    version = _version_or_404(module, number)
    try:
        return redirect(url_for("player.preview", version_id=version.id))
    except BuildError:
        pass
    launch = services.launch_path(version)
    if launch is None:
        abort(404)
    return redirect(content.content_url(version, launch, user_id=current_user.id))


@bp.route("/<code>/versions/<int:number>/download")
@roles_required(Role.lecturer)
def download(code: str, number: int):
    """The zip exactly as uploaded."""
    module = _module_or_404(code)
    version = _version_or_404(module, number)
    blob = get_storage().path(version.sha256)
    if not blob.exists():
        abort(404)
    return send_file(blob, mimetype="application/zip", as_attachment=True,
                     download_name=f"{module.code}-v{version.number}.zip", conditional=True)


@bp.errorhandler(UserError)
def _module_error(exc: UserError):
    """Form-level service errors (code taken, invalid rule) go back to the page as a message."""
    if request.endpoint in ("catalog.create", "catalog.edit") and not isinstance(exc, services.PackageInvalid):
        flash(exc.message(), "danger")
        form = ModuleForm()
        module = services.get_module(request.view_args.get("code", "")) if request.view_args else None
        return render_template("catalog/module_form.html", form=form, module=module, labels=LABELS), exc.status
    return error_response(exc.status, exc.message(), exc.code, exc.details)


# --- content ------------------------------------------------------------------------------------------

#: what the launcher loads from its own origin: name -> file under the static folder
LAUNCHER_SCRIPTS = {
    "scorm12.js": "vendor/scorm-again/scorm12.min.js",
    "scorm2004.js": "vendor/scorm-again/scorm2004.min.js",
    "rte_adapter.js": "js/rte_adapter.js",
    "launcher.js": "js/launcher.js",
}


@content_bp.before_app_request
def _content_origin_only_serves_content():
    """On the content origin only ``/c/…`` exists (no login page, no API, no cookies)."""
    if content.is_content_host() and not request.path.startswith("/c/"):
        abort(404)


@content_bp.after_app_request
def _no_cookies_on_the_content_origin(response):
    """Nothing served by the content origin sets a cookie (defence in depth: it has no session)."""
    if content.is_content_host():
        response.headers.remove("Set-Cookie")
        response.headers["Permissions-Policy"] = "unload=*"  # a SCO's unload handler must still run
    return response


def _on_launch_side() -> bool:
    """The launcher and its scripts live on the content origin (on the LMS only in the unsafe mode)."""
    return content.is_content_host() or content.same_origin_unsafe()


@content_bp.route("/content/<int:version_id>/<path:path>")
def serve(version_id: int, path: str):
    """A package file on the LMS origin: only in the unsafe same-origin mode, for users who may launch
    its module; 404 otherwise."""
    if not content.same_origin_unsafe():
        abort(404)
    version = db.session.get(PackageVersion, version_id)
    if version is None or not services.can_open_version(current_user, version):
        abort(404)
    response = _send(version, path)
    response.headers["Content-Security-Policy"] = content.LMS_ORIGIN_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@content_bp.route("/c/_lms/launcher")
def launcher():
    """The launcher: scorm-again (and its adapter) run here, next to the SCO, and forward commits and
    events to the LMS page at ``?lms=<origin>`` by postMessage (docs/player.md). No data, no login."""
    lms_origin = content.lms_origin_of(request.args.get("lms", ""))
    version = request.args.get("v", "")
    if not _on_launch_side():
        abort(404)
    if lms_origin is None or version not in {"1.2", "2004"}:
        abort(400)
    adapter = (Path(current_app.static_folder) / LAUNCHER_SCRIPTS["rte_adapter.js"]).exists()
    response = current_app.make_response(render_template(
        "player/frame.html", lms_origin=lms_origin, version=version, adapter=adapter))
    response.headers["Content-Security-Policy"] = content.launcher_csp(lms_origin)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@content_bp.route("/c/_lms/js/<name>")
def launcher_script(name: str):
    """The launcher's scripts (scorm-again's bundles, the adapter, launcher.js) from its own origin."""
    if not _on_launch_side() or name not in LAUNCHER_SCRIPTS:
        abort(404)
    path = Path(current_app.static_folder) / LAUNCHER_SCRIPTS[name]
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="text/javascript", conditional=True, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@content_bp.route("/c/<token>/<path:path>")
def serve_token(token: str, path: str):
    """A package file on the content origin, authorised by a signed, expiring token (no cookie)."""
    if not content.is_content_host():
        abort(404)
    claims = content.read_token(token)
    if claims is None:
        abort(403)
    version = db.session.get(PackageVersion, claims["v"])
    user = db.session.get(User, claims["u"])
    if version is None or user is None or not services.can_open_version(user, version):
        abort(404)
    response = _send(version, path, max_age=content.TOKEN_MAX_AGE)
    response.headers["Content-Security-Policy"] = content.CONTENT_ORIGIN_CSP
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak to third parties
    return response


def _send(version: PackageVersion, raw_path: str, *, max_age: int = IMMUTABLE_MAX_AGE):
    """``raw_path`` of ``version`` from storage with its MIME type, Range/ETag/304 and cache headers."""
    path = content.clean_path(raw_path)
    row = services.package_file(version, path) if path else None
    blob = get_storage().path(row.sha256) if row else None
    if blob is None or not blob.exists():
        abort(404)
    response = send_file(blob, mimetype=content.mime_type(path), conditional=True, etag=row.sha256,
                         max_age=max_age, last_modified=version.created_at)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.public = False
    response.cache_control.immutable = True
    return response
