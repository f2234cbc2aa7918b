"""The page-close commit: the last commit of a SCO that terminates while its tab is being closed.

A SCO often calls Terminate/LMSFinish in its own ``pagehide``/``unload`` handler. When the learner closes
the tab, the LMS page (which stores commits with its session cookie and CSRF header, ``player.js``) is
unloaded at the same moment, so the commit the launcher posts to it never arrives (issue 15). The launcher
(content origin, ``launcher.js``) then sends that commit itself with ``navigator.sendBeacon``, which the
browser delivers after the page is gone.

The launcher runs next to the package's code and must never hold the LMS session's CSRF token (a package
could then post any LMS form). It gets a *beacon token* instead: signed by the LMS, naming one attempt, one
SCO and the session's ``(user id, session version)`` claim, valid for the session's lifetime. It allows
exactly what the package can already do through the run-time API — commit that SCO's data — and nothing
else. The stored commit follows the commit endpoint's rules exactly (``views.store_commit``): the claim is
checked in the query that reads the state (an ended session or a deactivated account stores nothing), the
sequence keeps it idempotent (a commit the page delivered too is a duplicate or stale), the size bound
applies. The body is JSON sent as ``text/plain`` (a beacon needs no CORS preflight); the answer is opaque
to the launcher.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from lms.core.extensions import csrf, session_identity

bp = Blueprint("player_beacon", __name__, url_prefix="/player")
_SALT = "lms.player.commit-beacon"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def beacon_for(attempt_id: int, sco_id: str) -> dict[str, str] | None:
    """``{"url", "token"}`` for the launcher of the session's learner on this attempt's SCO (None without
    a logged-in session)."""
    who = session_identity() if current_user.is_authenticated else None
    if who is None:
        return None
    token = _serializer().dumps([attempt_id, sco_id, who[0], who[1]])
    return {"url": url_for("player_beacon.commit", attempt_id=attempt_id, sco_id=sco_id, _external=True),
            "token": token}


def claim_of(token: Any, attempt_id: int, sco_id: str) -> tuple[int, int] | None:
    """The ``(user id, session version)`` a valid beacon token for this attempt's SCO names, else None."""
    if not isinstance(token, str):
        return None
    max_age = int(current_app.permanent_session_lifetime.total_seconds())
    try:
        found = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not (isinstance(found, list) and len(found) == 4 and found[:2] == [attempt_id, sco_id]):
        return None
    user_id, version = found[2], found[3]
    return (user_id, version) if isinstance(user_id, int) and isinstance(version, int) else None


@bp.route("/attempts/<int:attempt_id>/scos/<sco_id>/commit-beacon", methods=["POST"])
@csrf.exempt  # the beacon token is the proof (see the module); the session cookie is not needed
def commit(attempt_id: int, sco_id: str):
    """Store the launcher's page-close commit (``{"token", "seq", "session", "cmi", "terminate",
    "elapsed"}`` as text/plain JSON) by the commit endpoint's rules; 403 for a missing or wrong token."""
    from lms.player.rte import max_commit_bytes
    from lms.player.views import store_commit  # noqa: PLC0415 - the views import this module

    request.max_content_length = max_commit_bytes(current_app.config.get("LMS_MAX_COMMIT_KB")) + 1  # else 413
    body = request.get_json(silent=True, force=True)
    who = claim_of(body.get("token") if isinstance(body, dict) else None, attempt_id, sco_id)
    if who is None:
        return jsonify({"result": "false", "errorCode": 101, "error": {"code": "beacon_token", "status": 403}}), 403
    return store_commit(attempt_id, sco_id, who, any_type=True)
