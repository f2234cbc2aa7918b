"""Launching a cmi5 AU (cmi5 §8, §10): the cadre's registration, a session with its one-use fetch token,
the ``LMS.LaunchData`` State document written to the LRS, the ``launched`` statement queued, and the
AU's launch URL whose ``endpoint`` is our LRS proxy (lms.xapi.cmi5_proxy)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.catalog.content import content_url, required_origin
from lms.catalog.models import PackageVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.org.models import Cadre
from lms.xapi import cmi5, lrs
from lms.xapi.cmi5_models import Cmi5Au, Cmi5AuState, Cmi5Course, Cmi5Registration, Cmi5Session
from lms.xapi.models import XapiOutbox

LAUNCH_DATA = "LMS.LaunchData"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def auth_token(session_id: str) -> str:
    """The Basic credentials of a session (§8.2.2 ``auth-token``): base64 of ``<session id>:<HMAC>``."""
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"cmi5-auth|{session_id}".encode(),
                   hashlib.sha256).hexdigest()
    return base64.b64encode(f"{session_id}:{mac}".encode()).decode()


def course_of(version: PackageVersion | None) -> Cmi5Course | None:
    if version is None:
        return None
    return db.session.scalar(select(Cmi5Course).where(Cmi5Course.version_id == version.id))


def actor_of(cadre: Cadre) -> dict[str, Any]:
    """The same account actor as every other statement (docs/xapi.md)."""
    return {"objectType": "Agent", "account": {"homePage": current_app.config["LMS_BASE_URL"], "name": cadre.code}}


def registration_for(course: Cmi5Course, cadre: Cadre) -> Cmi5Registration:
    """The cadre's registration in the course (made on the first launch)."""
    found = db.session.scalar(select(Cmi5Registration).where(
        Cmi5Registration.course_id == course.id, Cmi5Registration.cadre_id == cadre.id))
    if found is None:
        found = Cmi5Registration(id=str(uuid.uuid4()), course_id=course.id, cadre_id=cadre.id)
        db.session.add(found)
        db.session.flush()
    return found


def states_for(course: Cmi5Course, cadre: Cadre) -> dict[int, Cmi5AuState]:
    """The cadre's state of each AU of the course (AU id → state), empty before the first launch."""
    rows = db.session.scalars(select(Cmi5AuState).join(
        Cmi5Registration, Cmi5Registration.id == Cmi5AuState.registration_id).where(
        Cmi5Registration.course_id == course.id, Cmi5Registration.cadre_id == cadre.id))
    return {row.au_id: row for row in rows}


def au_at(course: Cmi5Course, position: int) -> Cmi5Au | None:
    return next((au for au in course.aus if au.position == position), None)


def launch(au: Cmi5Au, cadre: Cadre, *, user_id: int, lms_root: str, return_url: str) -> str:
    """Prepare a launch and return the URL to open (flushes; the caller commits)."""
    registration = registration_for(au.course, cadre)
    session_id, fetch = str(uuid.uuid4()), secrets.token_urlsafe(32)
    actor = actor_of(cadre)
    document = launch_data(au, session_id, return_url)
    db.session.add(Cmi5Session(id=session_id, registration_id=registration.id, au_id=au.id, fetch_hash=digest(fetch),
                               auth_hash=digest(auth_token(session_id)), launch_data=document))
    db.session.flush()
    _put_launch_data(au, actor, registration.id, document)
    base = required_origin() or lms_root.rstrip("/")
    version = db.session.get(PackageVersion, au.course.version_id)
    url = au.url if au.url.startswith(("http://", "https://")) else content_url(version, au.url, user_id=user_id)
    url = cmi5.launch_url(url, endpoint=f"{base}/c/_lms/xapi/", fetch=f"{base}/c/_lms/cmi5/fetch/{fetch}",
                          actor=actor, registration=registration.id, activity_id=au.au_iri)
    _queue_launched(au, actor, registration.id, session_id, url)
    return url


def launch_data(au: Cmi5Au, session_id: str, return_url: str) -> dict[str, Any]:
    """The ``LMS.LaunchData`` State document (§10.2.1)."""
    document: dict[str, Any] = {
        "contextTemplate": {"contextActivities": {"grouping": [{"objectType": "Activity", "id": au.au_iri}]},
                            "extensions": {cmi5.EXT + "sessionid": session_id}},
        "launchMode": "Normal", "moveOn": au.move_on, "returnURL": return_url, "launchMethod": au.launch_method}
    if au.launch_parameters:
        document["launchParameters"] = au.launch_parameters
    if au.mastery_score is not None:
        document["masteryScore"] = au.mastery_score
    return document


#: answers of an LRS without the State API (Ralph 5 implements only statements): the proxy serves the
#: LMS's copy of LMS.LaunchData (``cmi5_sessions.launch_data``) instead
NO_STATE_API = (404, 405, 501)


def _put_launch_data(au: Cmi5Au, actor: dict[str, Any], registration: str, document: dict[str, Any]) -> None:
    """Write LMS.LaunchData to the LRS before the AU starts; 502 when the LRS refuses it (nothing launched)."""
    response = lrs.call("PUT", "activities/state", data=json.dumps(document).encode(), content_type="application/json",
                        params={"activityId": au.au_iri, "agent": json.dumps(actor), "registration": registration,
                                "stateId": LAUNCH_DATA})
    if response.status_code not in (200, 204, *NO_STATE_API):
        raise UserError("Kho dữ liệu học tập (LRS) không lưu được dữ liệu khởi chạy; hãy thử lại sau.",
                        f"The LRS refused the launch data (HTTP {response.status_code}).", status=502, code="lrs_refused")


def _queue_launched(au: Cmi5Au, actor: dict[str, Any], registration: str, session_id: str, url: str) -> None:
    statement = cmi5.lms_statement("launched", statement_id=str(uuid.uuid4()), actor=actor, activity_id=au.au_iri,
                                   registration=registration, session_id=session_id, au=au_value(au),
                                   launch_url_=url)
    db.session.add(XapiOutbox(statement_id=statement["id"], verb="launched", statement=statement))


def au_value(au: Cmi5Au) -> cmi5.AU:
    return cmi5.AU(au.au_iri, au.title, au.url, au.move_on, au.mastery_score, au.launch_method, au.launch_parameters)
