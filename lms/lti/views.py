"""The tool's endpoints: OIDC login, launch (resource link and deep linking), the deep-linking chooser,
the "link my account" step, the new-window fallback, the session probe and our JWKS.

The platform's requests are cross-site form posts: they carry no CSRF token (exempt) and are
authorised by what pylti1p3 validates (or by a one-use launch id / signed ticket)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from pylti1p3.contrib.flask import FlaskRequest

from lms.api import launch_session as api_launch
from lms.api import results as targets
from lms.catalog.models import Module
from lms.core.db import commit_even_on_error, db
from lms.core.errors import UserError
from lms.core.extensions import LAUNCH_SESSION_KEY, csrf
from lms.lti import deeplink, identities, keys, launches, tickets
from lms.lti.models import LtiIdentity, LtiLaunch
from lms.lti.storage import purge_expired

bp = Blueprint("lti", __name__, url_prefix="/lti", static_folder="static", static_url_path="/static")


def _refused(exc: UserError):
    return render_template("lti/refused.html", message=exc.message(), status=exc.status), exc.status


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """OIDC third-party initiated login (LTI 1.3 core §4.1; the platform sends iss, login_hint…)."""
    try:
        response = launches.oidc_login()
    except UserError as exc:
        return _refused(exc)
    purge_expired()  # expired states, nonces and tickets go as new ones come
    db.session.commit()
    return response


@bp.route("/launch", methods=["POST"])
@csrf.exempt
def launch():
    """The platform's ``id_token``: a deep-linking request shows the chooser, a resource link plays."""
    try:
        message = launches.validate_launch()
        data = message.get_launch_data()
        platform = launches.platform_of(data)
        if message.is_deep_link_launch():
            return _chooser(message, data)
        if not message.is_resource_launch():
            raise launches.refusal("lti_message")
        return _resource_launch(platform, data)
    except UserError as exc:
        commit_even_on_error()  # a consumed nonce stays consumed
        return _refused(exc)


def _chooser(message, data):
    if not launches.is_teacher(data):
        raise launches.refusal("lti_role")
    db.session.commit()
    return render_template("lti/deep_link.html", modules=deeplink.choosable_modules(),
                           launch_id=message.get_launch_id())


def _resource_launch(platform, data):
    module = targets.get_module_or_refuse(launches.module_code(data))
    identity = launches.identity_for(platform, data)
    if identity.cadre_id is None:
        link_url = url_for("lti.link", ticket=tickets.issue("link", identity.id), _external=True)
        db.session.commit()
        return render_template("lti/pending.html", identity=identity, platform=platform, module=module,
                               link_url=link_url), 202
    user = launches.linked_user(identity)
    attempt = api_launch._open_attempt(user.cadre, module)
    record = launches.record_launch(platform, identity, module, attempt.id, data)
    launches.start_session(user, record, module)
    resume_url = url_for("lti.resume", ticket=tickets.issue("resume", record.id), _external=True)
    db.session.commit()
    return render_template("lti/launched.html", module=module, platform=platform, resume_url=resume_url,
                           frame_url=url_for("api.frame", attempt_id=attempt.id))


@bp.route("/deep-link", methods=["POST"])
@csrf.exempt
def deep_link():
    """The teacher's pick: the signed LtiDeepLinkingResponse, auto-posted back to the platform."""
    try:
        html = deeplink.respond(FlaskRequest(), request.form.get("launch_id", ""), request.form.get("module", ""))
    except UserError as exc:
        return _refused(exc)
    db.session.commit()
    return html


@bp.route("/link/<ticket>", methods=["GET", "POST"])
def link(ticket: str):
    """"Link my account": the learner, logged in to their own account (not a launch session), links the
    platform's identity to it. Then they open the module again from the platform."""
    if session.get(LAUNCH_SESSION_KEY):
        logout_user()
        session.clear()
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    try:
        identity_id = tickets.redeem("link", ticket, consume=request.method == "POST")
        identity = db.session.get(LtiIdentity, identity_id)
        if request.method == "POST":
            identities.link(identity, current_user._get_current_object())
            db.session.commit()
            return render_template("lti/linked.html", identity=identity)
    except UserError as exc:
        return _refused(exc)
    return render_template("lti/link.html", identity=identity, ticket=ticket)


@bp.route("/resume/<ticket>")
def resume(ticket: str):
    """The new-window fallback: the launch reopened first-party (its cookie is not a third-party one)."""
    try:
        record = db.session.get(LtiLaunch, tickets.redeem("resume", ticket))
        if record is None or record.attempt_id is None:
            abort(404)
        user = launches.linked_user(record.identity)
        module = targets.get_module_or_refuse(db.session.get(Module, record.module_id).code)
    except UserError as exc:
        return _refused(exc)
    launches.start_session(user, record, module)
    db.session.commit()
    return redirect(url_for("api.frame", attempt_id=record.attempt_id))


@bp.route("/session")
def session_probe():
    """Whether this browser kept the launch session (the launched page asks before entering the player)."""
    launched = bool((session.get(LAUNCH_SESSION_KEY) or {}).get("lti")) and current_user.is_authenticated
    response = jsonify(launched=launched)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jwks.json")
def jwks():
    """Our public keys (created on first use), with their ``kid``."""
    keys.current_key()
    db.session.commit()
    response = jsonify(keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
