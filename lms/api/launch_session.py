"""The session an XBlock launch opens, and what it may reach.

A launch logs the consumer's learner in as the LMS account linked to them, **with learner rights only**
(:data:`lms.core.extensions.LAUNCH_SESSION_KEY` makes the user loader drop every other role), and only for
the launched module: its attempts in the player and its package files, or — for a quiz launch — that
quiz's start, taking and result pages; this API, static files, logout and the language switch too.
Everything else answers 403. The consumers' origins may frame what a launch shows.
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.api import services
from lms.api.models import Consumer, ConsumerLearner
from lms.catalog.models import Module, PackageVersion
from lms.core.db import db
from lms.core.extensions import LAUNCH_SESSION_KEY
from lms.core.headers import add_frame_ancestors

SESSION_KEY = LAUNCH_SESSION_KEY
#: reachable by any launch session
LAUNCH_ENDPOINTS = {"static", "accounts.logout", "accounts.set_language"}
#: the player's pages of one attempt (allowed when the attempt is of the launched module)
PLAYER_ATTEMPT_ENDPOINTS = {"player.play", "player.commit"}
#: the learner's quiz pages a quiz launch may reach (only for the launched quiz)
QUIZ_ENDPOINTS = {"assessments.start_page", "assessments.start"}
QUIZ_ATTEMPT_ENDPOINTS = {"assessments.take", "assessments.autosave", "assessments.save_page", "assessments.submit",
                          "assessments.result"}
#: pages shown inside Open edX whatever the session: the launch frames, the player's content-origin
#: launcher and the package files on the LMS origin
FRAMED_ENDPOINTS = {"api.frame", "api.quiz_frame", "player_frame.frame", "player.frame"}
FRAMED_PREFIXES = ("content.",)


def _launched_quiz_allows(launch: dict, endpoint: str) -> bool:
    """True when ``endpoint`` is a learner page of the quiz this session was launched for."""
    quiz_id = launch.get("quiz")
    args = request.view_args or {}
    if endpoint in QUIZ_ENDPOINTS:
        return args.get("quiz_id") == quiz_id
    if endpoint in QUIZ_ATTEMPT_ENDPOINTS:
        from lms.assessments.models import QuizAttempt  # noqa: PLC0415 - assessments own attempts

        attempt = db.session.get(QuizAttempt, args.get("attempt_id"))
        return attempt is not None and attempt.quiz_id == quiz_id
    return False


def _launched_module_allows(launch: dict, endpoint: str) -> bool:
    """True when ``endpoint`` is the player page or commit of an attempt of the launched module, a new
    attempt of it, or one of its package files."""
    args = request.view_args or {}
    if endpoint == "player.launch":
        return args.get("code") == launch.get("module")
    if endpoint.startswith("content.") and "version_id" not in args:
        return True  # the content origin's token views: no session there anyway
    if endpoint.startswith("content."):
        found = db.session.scalar(db.select(PackageVersion.module_id).where(PackageVersion.id == args["version_id"]))
    elif endpoint in PLAYER_ATTEMPT_ENDPOINTS:
        from lms.player.models import Attempt  # noqa: PLC0415 - the player owns attempts

        found = db.session.scalar(db.select(Attempt.module_id).where(Attempt.id == args.get("attempt_id")))
    else:
        return False
    return found is not None and found == _launched_module_id(launch)


def _launched_module_id(launch: dict) -> int | None:
    if launch.get("module_id") is not None:
        return launch["module_id"]
    # a session opened before module ids were recorded: by code
    return db.session.scalar(db.select(Module.id).where(Module.code == launch.get("module")))


def guard_launch_session():
    """Keep a session opened by an XBlock launch to the launched module or quiz (see the module)."""
    launch = session.get(SESSION_KEY)
    endpoint = request.endpoint or ""
    if launch and not current_user.is_authenticated:
        session.pop(SESSION_KEY, None)
        return None
    if not launch or endpoint in LAUNCH_ENDPOINTS or endpoint.startswith("api."):
        return None
    allowed = _launched_quiz_allows(launch, endpoint) if launch.get("quiz") \
        else _launched_module_allows(launch, endpoint)
    if allowed:
        return None
    return render_template("api/refused.html", message=(
        "Phiên học mở từ Open edX chỉ dùng được cho học phần đã chọn. Hãy đăng nhập trực tiếp để dùng các "
        "chức năng khác."), status=403), 403


def allow_consumer_framing(response):
    """Let the active consumers' origins frame what a launch shows (run after the security headers,
    :mod:`lms.core.headers`): the launch frames, the package files, the player's launcher and every page
    of a launch session (the player, the launched quiz's pages) get those origins appended to their
    ``frame-ancestors`` — Chromium checks every ancestor of a frame, and Open edX is the top one. The rest
    of each policy is untouched; other pages stay ``frame-ancestors 'self'``."""
    endpoint = request.endpoint or ""
    launched = bool(session.get(SESSION_KEY)) if request.endpoint else False
    if launched or endpoint in FRAMED_ENDPOINTS or endpoint.startswith(FRAMED_PREFIXES):
        add_frame_ancestors(response, services.framing_origins())
    return response


def _open_attempt(cadre, module):
    """The player's attempt for the launch; a concurrent launch that created the same attempt first
    (unique attempt number) is tolerated: the attempt it committed is resumed."""
    from lms.player.services import open_attempt  # noqa: PLC0415 - the player owns attempts

    try:
        with db.session.begin_nested():
            return open_attempt(cadre, module)
    except IntegrityError:
        return open_attempt(cadre, module)


def open_target(learner: ConsumerLearner, module: Module, target):
    """The attempt a module launch resumes or opens (None for a quiz launch)."""
    return _open_attempt(learner.cadre, module) if target.kind == "module" else None


def start(user: User, consumer: Consumer, learner: ConsumerLearner, module: Module, target, attempt):
    """Open the launch session for ``user`` (learner rights, this module or quiz only; not permanent, no
    remember-me), commit, and redirect to the launch frame."""
    session.clear()
    session[SESSION_KEY] = {"consumer": consumer.id, "learner": learner.id, "module": module.code,
                            "module_id": module.id, "quiz": target.quiz.id if target.quiz is not None else None}
    login_user(user, remember=False)
    session.permanent = False
    db.session.commit()
    if attempt is None:
        return redirect(url_for("api.quiz_frame", quiz_id=target.quiz.id))
    return redirect(url_for("api.frame", attempt_id=attempt.id))
