"""The API blueprint: the signed XBlock launch, the launch frame, the signed results endpoint and the
OpenAPI document. Launch refusals are pages (they show in the learner's iframe); results answer JSON."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required

from lms.accounts import throttle
from lms.accounts.services import normalize_login
from lms.api import launch_session, services
from lms.api import results as targets
from lms.api.forms import LinkLoginForm
from lms.api.models import LinkStatus
from lms.core.db import commit_even_on_error, db
from lms.core.errors import UserError, localized
from lms.core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")

def _refused(exc: UserError):
    return render_template("api/refused.html", message=exc.message(), status=exc.status), exc.status


@bp.route("/xblock/launch")
def launch():
    """The signed launch from the XBlock (query parameters as in ``openapi.yaml``).

    Checks the signature, the time window and the nonce; finds or creates the consumer's learner (the
    consumer and its anonymous user id: an e-mail never links anyone). An unlinked learner gets the
    waiting page (202), where they may prove which LMS account is theirs by logging in to it
    (:func:`link`). A linked learner is logged in for this launch only, with learner rights; the attempt
    of the SCORM module is opened, or — for ``kind=quiz``, or ``auto`` on a module with a quiz and no
    package — the quiz's start page; then the launch frame. Refusals are Vietnamese pages with a 4xx.
    """
    params = request.args.to_dict()
    try:
        consumer = services.verify_signed("launch", params)
        module = targets.get_module_or_refuse(params["module"])
        target = targets.resolve_target(module, params.get("kind"))
        learner = services.map_learner(consumer, params)
        if learner.status != LinkStatus.linked.value:
            commit_even_on_error()
            return _pending(learner, module, params.get("kind") or "", 202)
        user = services.learner_user(learner.cadre)
        services.check_active(user)
        attempt = launch_session.open_target(learner, module, target)
    except UserError as exc:
        return _refused(exc)
    return launch_session.start(user, consumer, learner, module, target, attempt)


def _pending(learner, module, kind: str, status: int, form: LinkLoginForm | None = None):
    """The waiting page; a pending learner also gets the form to link their LMS account."""
    form = form or LinkLoginForm(formdata=None)
    form.ticket.data = services.link_ticket(learner, module.code, kind)
    return render_template("api/pending.html", learner=learner, module=module, form=form,
                           rejected=learner.status == LinkStatus.rejected.value), status


@bp.route("/xblock/link", methods=["POST"])
def link():
    """Link the pending learner of a launch to the LMS account whose login and password they enter (the
    proof that the account is theirs), then continue the launch with that account (learner rights only).
    The login is throttled like the login page. The ticket (signed, 15 minutes) names the consumer's
    learner and the launched module; the account must be active and have a cadre."""
    form = LinkLoginForm()
    ticket = services.read_link_ticket(form.ticket.data or "")
    if ticket is None:
        return _refused(services.refusal("expired"))
    consumer, learner, module, kind = ticket
    if not form.validate_on_submit() or learner.status != LinkStatus.pending.value:
        return _pending(learner, module, kind, 400, form)
    login_name = normalize_login(form.login.data)
    verdict = throttle.check(login_name)
    if not verdict.allowed:
        flash(localized("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
                        "Too many failed logins. Try again in a few minutes."), "danger")
        return _pending(learner, module, kind, 429, form)
    try:
        user = services.link_by_login(learner, login_name, form.password.data)
        target = targets.resolve_target(module, kind)
        attempt = launch_session.open_target(learner, module, target)
    except UserError as exc:
        commit_even_on_error()  # the failed attempt is counted
        flash(exc.message(), "danger")
        return _pending(learner, module, kind, exc.status, form)
    return launch_session.start(user, consumer, learner, module, target, attempt)


@bp.route("/xblock/quizzes/<int:quiz_id>/frame")
@login_required
def quiz_frame(quiz_id: int):
    """The page the XBlock's iframe shows for a quiz launch: the quiz's start page in a frame; tells the
    Open edX page (postMessage) when an attempt is submitted, so the block asks the backend for the
    result. Only the quiz this session was launched for (404 otherwise)."""
    from lms.assessments.models import Quiz  # noqa: PLC0415

    quiz = db.session.get(Quiz, quiz_id)
    launched = (session.get(launch_session.SESSION_KEY) or {}).get("quiz")
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
    module = targets.get_module_or_refuse(params["module"])
    target = targets.resolve_target(module, params.get("kind"))
    learner = services.find_learner(consumer, params["anonymous_user_id"])
    found = targets.outcome(learner, module) if target.kind == "module" else targets.quiz_outcome(learner, target)
    response = jsonify(found.as_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/openapi.yaml")
def openapi():
    """The OpenAPI 3 document of this API."""
    return send_file(Path(__file__).with_name("openapi.yaml"), mimetype="application/yaml")
