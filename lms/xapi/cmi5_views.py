"""cmi5 routes: the learner's launch of an AU (LMS origin), and on the content origin — next to the AU,
so no CORS and no cookies — the fetch URL (§8.2) and the LRS proxy (lms.xapi.cmi5_proxy)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from lms.catalog import content, services
from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.core.extensions import csrf
from lms.xapi import cmi5_launch, cmi5_progress, cmi5_proxy
from lms.xapi.cmi5_models import Cmi5Session

bp = Blueprint("cmi5", __name__)


@bp.route("/cmi5/<code>")
@login_required
def course_page(code: str):
    """The AUs of the module's published cmi5 course with the cadre's progress, each with its launch link."""
    module = services.get_module(code)
    course = cmi5_launch.course_of(module.published_version) if module else None
    if course is None or not services.can_launch(current_user, module):
        abort(404)
    states = cmi5_launch.states_for(course, current_user.cadre) if current_user.cadre else {}
    return render_template("xapi/cmi5_course.html", module=module, course=course, states=states)


@bp.route("/cmi5/<code>/au/<int:position>")
@login_required
def launch(code: str, position: int):
    """Launch AU ``position`` of the module's published cmi5 course for the logged-in cadre."""
    module = services.get_module(code)
    course = cmi5_launch.course_of(module.published_version) if module else None
    au = cmi5_launch.au_at(course, position) if course else None
    if au is None or not services.can_launch(current_user, module):
        abort(404)
    if current_user.cadre is None:
        raise UserError("Tài khoản chưa gắn với cán bộ nào: không thể ghi nhận việc học.",
                        "This account has no cadre: learning cannot be recorded.", status=403, code="no_cadre")
    url = cmi5_launch.launch(au, current_user.cadre, user_id=current_user.id, lms_root=request.host_url,
                             return_url=url_for("records.my_transcript", _external=True))
    db.session.commit()
    return redirect(url)


def _launch_side() -> None:
    if not (content.is_content_host() or content.same_origin_unsafe()):
        abort(404)


def _fetch_error(code: str, vi: str, en: str, status: int = 400) -> tuple[Response, int]:
    """§8.2.3: ``error-code`` 1 = already used, 2 = expired, 3 = general error."""
    return jsonify({"error-code": code, "error-text": en, "error-text-vi": vi}), status


@bp.route("/c/_lms/cmi5/fetch/<token>", methods=["POST"])
@csrf.exempt
def fetch(token: str):
    """The fetch URL: once per launch it returns the session's ``auth-token`` (§8.2.2)."""
    _launch_side()
    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.fetch_hash == cmi5_launch.digest(token)))
    if session is None:
        return _fetch_error("3", "Mã khởi chạy không hợp lệ.", "Unknown fetch token.", 404)
    claimed = db.session.execute(update(Cmi5Session).where(  # one winner even when two requests race
        Cmi5Session.id == session.id, Cmi5Session.fetched_at.is_(None)).values(fetched_at=utcnow()))
    db.session.commit()
    if claimed.rowcount != 1:
        return _fetch_error("1", "Mã khởi chạy đã được dùng.", "The fetch URL was already used.")
    return jsonify({"auth-token": cmi5_launch.auth_token(session.id)})


@bp.route("/c/_lms/xapi/<path:resource>", methods=["GET", "PUT", "POST", "DELETE"])
@csrf.exempt
def proxy(resource: str):
    """The AU's LRS: checks the auth token and the AU's reach, forwards, reads back what was stored."""
    _launch_side()
    session = cmi5_proxy.session_of(request.headers.get("Authorization", ""))
    if session is None:
        return jsonify({"error": "unauthorized"}), 401, {"WWW-Authenticate": 'Basic realm="cmi5"'}
    try:
        status, body, content_type, stored = cmi5_proxy.forward(
            session, request.method, resource.strip("/"), request.args.to_dict(), request.get_data(),
            request.content_type)
    except cmi5_proxy.Refused as exc:
        return jsonify({"error": f"forbidden: {exc}"}), 403
    if stored:
        cmi5_progress.record_statements(session, stored)
    db.session.commit()
    return Response(body, status=status, content_type=content_type)
