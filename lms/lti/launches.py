"""OIDC login initiation and the validated launch (pylti1p3 with our database-backed configuration and
storage), the platform's learner (issuer + subject) and the launch session.

A linked identity is logged in as the account that proved the link, with learner rights only and for
the launched module only: the launch session of :mod:`lms.api.launch_session` (its guard keeps the
session to the module's player pages), marked with the platform's id."""

from __future__ import annotations

from typing import Any

from flask import session, url_for
from flask_login import login_user
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.catalog.models import Module
from lms.core.db import db, utcnow
from lms.core.extensions import LAUNCH_SESSION_KEY
from lms.lti.http import TimeoutSession
from lms.lti.models import LtiIdentity, LtiLaunch, LtiPlatform
from lms.lti.refusals import from_exception, refusal
from lms.lti.storage import DbLaunchDataStorage
from lms.lti.toolconf import DbToolConf, find_platform

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
TEACHER_ROLES = ("membership#Instructor", "membership#ContentDeveloper", "membership#Administrator",
                 "institution/person#Administrator", "system/person#Administrator")


class ToolMessageLaunch(FlaskMessageLaunch):
    """The state is checked in our store (saved at the login step), not in a cookie: browsers that block
    third-party cookies still launch. Replays are stopped by the one-use nonce."""

    def validate_state(self):
        state = self._get_request_param("state")
        if not state or not self._session_service.get_state_params(state):
            raise LtiException("State not found")
        return self


def oidc_login() -> Any:
    """Step 1 (OIDC third-party login): remember a state and a nonce, redirect to the platform."""
    login = FlaskOIDCLogin(FlaskRequest(), DbToolConf(), launch_data_storage=DbLaunchDataStorage())
    login.pass_params_to_launch({"issued": True})
    try:
        return login.redirect(url_for("lti.launch", _external=True))
    except OIDCException:
        raise refusal("lti_unknown_issuer") from None


def validate_launch() -> ToolMessageLaunch:
    """Step 2: the platform's ``id_token`` checked (state, nonce once, registration, signature against
    the platform's JWKS, expiry, deployment, message). Refusals are Vietnamese 4xx :class:`UserError`."""
    launch = ToolMessageLaunch(FlaskRequest(), DbToolConf(), launch_data_storage=DbLaunchDataStorage(),
                               requests_session=TimeoutSession())
    try:
        launch.validate()
    except LtiException as exc:
        body = launch._jwt.get("body") or {}
        if body and find_platform(body.get("iss")) is None:
            raise refusal("lti_unknown_issuer") from None
        raise from_exception(str(exc)) from None
    return launch


def platform_of(data: dict) -> LtiPlatform:
    aud = data.get("aud")
    platform = find_platform(data.get("iss"), aud[0] if isinstance(aud, list) else aud)
    if platform is None:
        raise refusal("lti_audience")
    return platform


def is_teacher(data: dict) -> bool:
    return any(role.endswith(TEACHER_ROLES) for role in data.get(CLAIM + "roles") or [])


def identity_for(platform: LtiPlatform, data: dict) -> LtiIdentity:
    """The platform's learner (issuer + subject), created on the first launch; name and e-mail refreshed.
    An e-mail never links anyone."""
    sub = str(data.get("sub") or "")
    if not sub:
        raise refusal("lti_message")
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.platform_id == platform.id,
                                                           LtiIdentity.sub == sub))
    if identity is None:
        identity = LtiIdentity(platform_id=platform.id, sub=sub)
        try:
            with db.session.begin_nested():
                db.session.add(identity)
        except IntegrityError:
            identity = db.session.scalars(select(LtiIdentity).where(LtiIdentity.platform_id == platform.id,
                                                                    LtiIdentity.sub == sub)).one()
    identity.name = str(data.get("name") or identity.name or "")[:255]
    identity.email = (str(data["email"]).strip().lower()[:255] if data.get("email") else identity.email)
    identity.last_launch_at = utcnow()
    db.session.flush()
    return identity


def module_code(data: dict) -> str:
    """The module a resource link launches: its custom parameter ``module`` (set by deep linking)."""
    code = (data.get(CLAIM + "custom") or {}).get("module")
    if not code:
        raise refusal("lti_module")
    return str(code)


def linked_user(identity: LtiIdentity) -> User:
    user = db.session.get(User, identity.user_id) if identity.user_id else None
    if user is None or not user.active or user.cadre_id != identity.cadre_id:
        raise refusal("lti_user")
    return user


def record_launch(platform: LtiPlatform, identity: LtiIdentity, module: Module, attempt_id: int | None,
                  data: dict) -> LtiLaunch:
    """Where this launch's grade goes (AGS line item) and where its course roster is (NRPS)."""
    ags = data.get(AGS_CLAIM) or {}
    nrps = data.get(NRPS_CLAIM) or {}
    context = data.get(CLAIM + "context") or {}
    launch = LtiLaunch(
        platform_id=platform.id, identity_id=identity.id, module_id=module.id, attempt_id=attempt_id,
        context_id=str(context.get("id") or "")[:255], context_title=str(context.get("title") or "")[:255],
        resource_link_id=str((data.get(CLAIM + "resource_link") or {}).get("id") or "")[:255],
        lineitem_url=ags.get("lineitem"), ags_scopes=" ".join(ags.get("scope") or []),
        memberships_url=nrps.get("context_memberships_url"),
        score_status="pending" if ags.get("lineitem") else "none")
    db.session.add(launch)
    db.session.flush()
    return launch


def start_session(user: User, launch: LtiLaunch, module: Module) -> None:
    """Open the launch session (learner rights, this module only, not permanent)."""
    session.clear()
    session[LAUNCH_SESSION_KEY] = {"module": module.code, "module_id": module.id, "quiz": None,
                                   "lti": launch.platform_id, "lti_launch": launch.id}
    login_user(user, remember=False)
    session.permanent = False
