"""The API blueprint: the signed XBlock launch, the launch frame, the signed results endpoint and the
OpenAPI document. Launch refusals are pages (they show in the learner's iframe); results answer JSON."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy.exc import IntegrityError

from lms.api import services
from lms.api.models import LinkStatus
from lms.core.db import commit_even_on_error, db
from lms.core.errors import UserError
from lms.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")

#: what a session opened by a launch may reach (the player, its content, this API, static files)
LAUNCH_ENDPOINT_PREFIXES = ("player.", "content.", "api.")
LAUNCH_ENDPOINTS = {"static", "accounts.logout", "accounts.set_language"}
SESSION_KEY = "lms_api_launch"
#: the learner's quiz pages a quiz launch may reach (only for the launched quiz)
QUIZ_ENDPOINTS = {"assessments.start_page", "assessments.start"}
QUIZ_ATTEMPT_ENDPOINTS = {"assessments.take", "assessments.autosave", "assessments.save_page", "assessments.submit",
                          "assessments.result"}


def _launched_quiz_allows(launch: dict, endpoint: str) -> bool:
    """True when ``endpoint`` is a learner page of the quiz this session was launched for."""
    quiz_id = launch.get("quiz")
    args = request.view_args or {}
    if not quiz_id:
        return False
    if endpoint in QUIZ_ENDPOINTS:
        return args.get("quiz_id") == quiz_id
    if endpoint in QUIZ_ATTEMPT_ENDPOINTS:
        from lms.assessments.models import QuizAttempt  # noqa: PLC0415 - assessments own attempts

        attempt = db.session.get(QuizAttempt, args.get("attempt_id"))
        return attempt is not None and attempt.quiz_id == quiz_id
    return False


def guard_launch_session():
    """Keep a session opened by an XBlock launch to the launched module (the player and package content)
    or, for a quiz launch, to that quiz (its start, taking and result pages): other pages answer 403."""
    launch = session.get(SESSION_KEY)
    endpoint = request.endpoint or ""
    if launch and not current_user.is_authenticated:
        session.pop(SESSION_KEY, None)
        return None
    if not launch or endpoint in LAUNCH_ENDPOINTS or endpoint.startswith("api."):
        return None
    if launch.get("quiz") and _launched_quiz_allows(launch, endpoint):
        return None
    if not launch.get("quiz") and endpoint.startswith(LAUNCH_ENDPOINT_PREFIXES):
        return None
    return render_template("api/refused.html", message=(
        "Phiên học mở từ Open edX chỉ dùng được cho học phần đã chọn. Hãy đăng nhập trực tiếp để dùng các "
        "chức năng khác."), status=403), 403


#: endpoints whose ``frame-ancestors`` must also admit the consumers' platforms (the launched module
#: runs inside Open edX: the player's content-origin launcher and the package files)
FRAMED_ENDPOINTS = {"content.launcher"}
FRAMED_PREFIXES = ("content.",)


def allow_consumer_framing(response):
    """Let the active consumers' origins frame what a launch shows: the launch frame (only them and the
    LMS itself) and, where another feature restricts ``frame-ancestors``, the player and package files."""
    endpoint = request.endpoint or ""
    if endpoint in {"api.frame", "api.quiz_frame"}:
        response.headers["Content-Security-Policy"] = " ".join(("frame-ancestors 'self'", *services.framing_origins()))
        return response
    csp = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors" not in csp or not (endpoint in FRAMED_ENDPOINTS or endpoint.startswith(FRAMED_PREFIXES)):
        return response
    origins = services.framing_origins()
    if origins:
        directives = [d.strip() for d in csp.split(";") if d.strip()]
        for i, directive in enumerate(directives):
            if directive.startswith("frame-ancestors"):
                have = directive.split()
                directives[i] = " ".join(have + [o for o in origins if o not in have])
        response.headers["Content-Security-Policy"] = "; ".join(directives)
    return response


def _refused(exc: UserError):
    return render_template("api/refused.html", message=exc.message(), status=exc.status), exc.status


def _open_attempt(cadre, module):
    """The player's attempt for the launch; a concurrent launch that created the same attempt first
    (unique attempt number) is tolerated: the attempt it committed is resumed."""
    from lms.player.services import open_attempt  # noqa: PLC0415 - the player owns attempts

    try:
        with db.session.begin_nested():
            return open_attempt(cadre, module)
    except IntegrityError:
        return open_attempt(cadre, module)


@bp.route("/xblock/launch")
def launch():
    """The signed launch from the XBlock (query parameters as in ``openapi.yaml``).

    Checks the signature, the time window and the nonce; maps the learner to a cadre (pending → the
    waiting page, 202); logs the learner in for this launch only; opens the attempt of the SCORM module,
    or — for ``kind=quiz``, or ``auto`` on a module with a quiz and no package — the quiz's start page;
    redirects to the launch frame. Refusals are Vietnamese pages with a 4xx status.
    """
    params = request.args.to_dict()
    try:
        consumer = services.verify_signed("launch", params)
        module = services.get_module_or_refuse(params["module"])
        target = services.resolve_target(module, params.get("kind"))
        learner = services.map_learner(consumer, params)
        if learner.status != LinkStatus.linked.value:
            commit_even_on_error()
            return render_template("api/pending.html", learner=learner, module=module,
                                   rejected=learner.status == LinkStatus.rejected.value), 202
        user = services.learner_user(learner.cadre)
        if not user.active:
            raise UserError("Tài khoản học của bạn đã bị khoá.", "Your learner account is disabled.", status=403,
                            code="user_inactive")
        attempt = _open_attempt(learner.cadre, module) if target.kind == "module" else None
    except UserError as exc:
        return _refused(exc)
    session.clear()
    login_user(user, remember=False)
    session.permanent = False
    session[SESSION_KEY] = {"consumer": consumer.id, "learner": learner.id, "module": module.code,
                            "quiz": target.quiz.id if target.quiz is not None else None}
    db.session.commit()
    if attempt is None:
        return redirect(url_for("api.quiz_frame", quiz_id=target.quiz.id))
    return redirect(url_for("api.frame", attempt_id=attempt.id))


@bp.route("/xblock/quizzes/<int:quiz_id>/frame")
@login_required
def quiz_frame(quiz_id: int):
    """The page the XBlock's iframe shows for a quiz launch: the quiz's start page in a frame; tells the
    Open edX page (postMessage) when an attempt is submitted, so the block asks the backend for the
    result. Only the quiz this session was launched for (404 otherwise)."""
    from lms.assessments.models import Quiz  # noqa: PLC0415

    quiz = db.session.get(Quiz, quiz_id)
    launched = (session.get(SESSION_KEY) or {}).get("quiz")
    if quiz is None or not quiz.active or current_user.cadre_id is None or (launched and launched != quiz.id):
        abort(404)
    # the result page's path around the attempt id ("/quiz/attempt/", "/result"): the frame's script
    # recognises a result page by it
    before, after = url_for("assessments.result", attempt_id=0).rsplit("/0/", 1)
    return render_template("api/quiz_frame.html", quiz=quiz,
                           start_url=url_for("assessments.start_page", quiz_id=quiz.id),
                           result_before=before + "/", result_after="/" + after)


@bp.route("/xblock/attempts/<int:attempt_id>/frame")
@login_required
def frame(attempt_id: int):
    """The page the XBlock's iframe shows: the player in a frame; tells the Open edX page (postMessage)
    when the learner moves on or leaves the module, so the block asks the backend for the result."""
    from lms.player.models import Attempt  # noqa: PLC0415

    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or current_user.cadre_id is None or attempt.cadre_id != current_user.cadre_id:
        abort(404)
    return render_template("api/frame.html", attempt=attempt,
                           play_url=url_for("player.play", attempt_id=attempt.id))


@bp.route("/xblock/results", methods=["POST"])
@csrf.exempt
def results():
    """Server to server, signed like a launch (purpose ``results``): the learner's outcome on the module's
    SCORM package or, for ``kind=quiz`` (or ``auto`` on a module with a quiz and no package), on its quiz
    (status, completion, completed, success, score 0–1, updated_at, kind). Refusals are JSON 4xx."""
    params = request.form.to_dict() or request.args.to_dict()
    consumer = services.verify_signed("results", params)
    module = services.get_module_or_refuse(params["module"])
    target = services.resolve_target(module, params.get("kind"))
    learner = services.find_learner(consumer, params["anonymous_user_id"])
    found = services.outcome(learner, module) if target.kind == "module" else services.quiz_outcome(learner, target)
    response = jsonify(found.as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/openapi.yaml")
def openapi():
    """The OpenAPI 3 document of this API."""
    return send_file(Path(__file__).with_name("openapi.yaml"), mimetype="application/yaml")
