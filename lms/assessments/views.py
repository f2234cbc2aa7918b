"""Learner pages: my quizzes, start page, taking page (+ autosave JSON), submission, result.

Lecturer pages are in :mod:`lms.assessments.manage_views` (same blueprint).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from lms.accounts.services import CLAIMED_CADRE, claim_cadre_or_401, claim_params
from lms.assessments import receiving, services
from lms.assessments.models import REVIEW_LABELS, AttemptStatus, Quiz, QuizAttempt
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.extensions import session_identity
from lms.core.numbers import page_number

bp = Blueprint("assessments", __name__, url_prefix="/quiz")


def _lang() -> str:
    return str(get_locale() or "vi")


def _cadre_id() -> int:
    """The logged-in learner's cadre; 404 for accounts without one."""
    cadre_id = getattr(current_user, "cadre_id", None)
    if cadre_id is None:
        abort(404)
    return cadre_id


def _quiz_or_404(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or not quiz.active:
        abort(404)
    return quiz


def _attempt(attempt_id: int, *, lock: bool = False) -> QuizAttempt:
    return services.get_attempt_for(attempt_id, getattr(current_user, "cadre_id", None), lock=lock)


def quiz_summaries(cadre_id: int) -> list[dict[str, Any]]:
    """Active quizzes with the cadre's attempts, best score and whether passed."""
    out = []
    for quiz in db.session.scalars(select(Quiz).where(Quiz.active).order_by(Quiz.module_id, Quiz.id)):
        attempts = services.attempts_of(quiz, cadre_id)
        done = [a for a in attempts if a.status == AttemptStatus.submitted.value]
        out.append({
            "quiz": quiz, "attempts": len(attempts), "passed": any(a.passed for a in done),
            "best": max((a.score for a in done), default=None),
            "grading": any(a.status == AttemptStatus.received.value for a in attempts),
            "open": any(a.status == AttemptStatus.in_progress.value for a in attempts),
        })
    return out


def learner_panel_context(user) -> dict[str, Any]:
    """The home panel: the learner's quizzes."""
    return {"quizzes": quiz_summaries(user.cadre_id) if user.cadre_id else []}


@bp.route("/")
@login_required
def my_quizzes():
    """The learner's quizzes with attempts and best scores."""
    return render_template("assessments/my_quizzes.html", quizzes=quiz_summaries(_cadre_id()))


@bp.route("/<int:quiz_id>")
@login_required
def start_page(quiz_id: int):
    """Rules, time limit, attempts left, past attempts; a button to start or resume."""
    cadre_id = _cadre_id()
    quiz = _quiz_or_404(quiz_id)
    at = services.now()
    current = services.open_attempt(quiz, cadre_id)
    if current is not None and services.finalize_if_overdue(current, at):
        current = None
    return render_template(
        "assessments/start.html", quiz=quiz, current=current, attempts=services.attempts_of(quiz, cadre_id),
        left=services.attempts_left(quiz, cadre_id), problem=services.window_problem(quiz, at),
        review_label=REVIEW_LABELS[quiz.review_policy],
    )


@bp.route("/<int:quiz_id>/start", methods=["POST"])
@login_required
def start(quiz_id: int):
    """Start (or resume) an attempt and go to its first page."""
    attempt = services.start_attempt(_quiz_or_404(quiz_id), _cadre_id())
    return redirect(url_for("assessments.take", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    """The taking page: every question in one form (it works without JavaScript); quiz-nav.js shows them one
    per screen (on phones, or always when the quiz is ``one_per_page``) with a navigator. ``?page=N`` is
    the question shown first. Never contains a key."""
    attempt = _attempt(attempt_id)
    at = services.now()
    services.finalize_if_overdue(attempt, at)
    if attempt.status != AttemptStatus.in_progress.value:
        return redirect(url_for("assessments.result", attempt_id=attempt.id))
    items = services.page_items(attempt, _lang())
    page = min(max(request.args.get("page", 1, type=page_number), 1), max(len(items), 1))
    return render_template("assessments/take.html", attempt=attempt, quiz=attempt.quiz, items=items,
                           page=page, seconds_left=services.seconds_left(attempt, at),
                           layout=services.sealed_layout(attempt))


@bp.route("/attempt/<int:attempt_id>/answer", methods=["POST"])
@login_required
def autosave(attempt_id: int):
    """Save one answer: JSON ``{"position": n, "response": …}`` with the X-CSRFToken header."""
    attempt = _attempt(attempt_id, lock=True)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("position"), int) or isinstance(body.get("position"), bool):
        raise UserError("Dữ liệu gửi lên không hợp lệ.", "Malformed request.", status=400, code="bad_request")
    item = services.save_answer(attempt, body["position"], body.get("response"))
    return jsonify({"ok": True, "position": item.position, "saved_at": item.saved_at.isoformat(),
                    "saved_ms": services.epoch_ms(item.saved_at),
                    "seconds_left": services.seconds_left(attempt, services.now())})


@bp.route("/attempt/<int:attempt_id>/save", methods=["POST"])
def save_page(attempt_id: int):
    """The form's own save (works without JavaScript): store the page's answers, then go on or submit."""
    if request.form.get("go") == "submit":
        return _submit(attempt_id)
    return _save_page(attempt_id)


@login_required
def _save_page(attempt_id: int):
    attempt = _attempt(attempt_id, lock=True)
    at = services.now()
    if services.time_up(attempt, at) or attempt.status != AttemptStatus.in_progress.value:
        services.finalize_if_overdue(attempt, at)
        return redirect(url_for("assessments.result", attempt_id=attempt.id))
    _, answers = services.form_answers(attempt.id, request.form)
    for position, raw in answers.items():
        services.save_answer(attempt, position, raw, at)
    page = request.form.get("page", 1, type=page_number)
    return redirect(url_for("assessments.take", attempt_id=attempt.id, page=max(1, page)))


@bp.route("/attempt/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    """Submit with the one-time token: graded on the server, then the result page."""
    return _submit(attempt_id)


def _submit(attempt_id: int):
    """Everyone presses "Nộp bài" when the time runs out, so this is the assessments' hottest request: the
    user is not loaded — the session's claim is checked in the query that reads the attempt (as the
    player's commits do) — and the answers are stored and the attempt received in a few statements; the
    quiz's grading job grades it right after the commit (receiving.accept)."""
    who = session_identity()
    if who is None:
        return current_app.login_manager.unauthorized()
    at = services.now()
    if receiving.accept_sealed(attempt_id, request.form, at, CLAIMED_CADRE, claim_params(who)):
        return redirect(url_for("assessments.result", attempt_id=attempt_id))
    closing, answers = services.form_answers(attempt_id, request.form, CLAIMED_CADRE, claim_params(who))
    if closing is None:
        try:
            claim_cadre_or_401(who)
        except UserError:  # the session ended (password changed, account deactivated): log in again
            logout_user()
            return current_app.login_manager.unauthorized()
        raise UserError("Không tìm thấy lượt làm bài.", "Attempt not found.", status=404, code="not_found")
    receiving.accept(closing, at, token=request.form.get("submit_token"), answers=answers)
    return redirect(url_for("assessments.result", attempt_id=attempt_id))


@bp.route("/attempt/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """Score and pass/fail; answers, keys, explanations and citations only as the review policy allows. A
    received attempt not graded yet: "being graded", refreshed every 2 s (graded here when its job is late)."""
    attempt = _attempt(attempt_id)
    receiving.grade_if_stranded(attempt)
    if attempt.status == AttemptStatus.received.value:
        return render_template("assessments/grading.html", attempt=attempt, quiz=attempt.quiz,
                               left=services.attempts_left(attempt.quiz, attempt.cadre_id))
    if attempt.status != AttemptStatus.submitted.value:
        return redirect(url_for("assessments.take", attempt_id=attempt.id))
    review = services.can_review(attempt)
    return render_template(
        "assessments/result.html", attempt=attempt, quiz=attempt.quiz,
        items=services.review_items(attempt, _lang()) if review else None, review=review,
        left=services.attempts_left(attempt.quiz, attempt.cadre_id),
    )


from lms.assessments import manage_views  # noqa: E402,F401  (registers the lecturer routes on bp)
