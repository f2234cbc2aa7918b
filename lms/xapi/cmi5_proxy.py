"""The LRS proxy a launched AU talks to (its ``endpoint``, on the content origin: ``/c/_lms/xapi/``).

The AU authenticates with the session's ``auth-token`` (``Authorization: Basic …``, cmi5 §8.2.2); the
proxy lets it do only what an AU of that session may do (docs/xapi.md, "cmi5"), forwards to the
configured LRS with the LMS's own credentials, and reads the statements that got stored
(lms.xapi.cmi5_progress). The AU never holds LRS credentials of its own.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.xapi import cmi5_launch, lrs
from lms.xapi.cmi5_models import Cmi5Session

#: verbs only the LMS makes (§9.3)
LMS_VERBS = frozenset({"http://adlnet.gov/expapi/verbs/launched", "https://w3id.org/xapi/adl/verbs/satisfied",
                       "https://w3id.org/xapi/adl/verbs/abandoned", "https://w3id.org/xapi/adl/verbs/waived"})


#: an AU's auth token works this long after the launch (a day of study; then launch again)
SESSION_LIFETIME = timedelta(hours=24)


class Refused(Exception):
    """The AU asked for something outside its session (403)."""


def session_of(authorization: str) -> Cmi5Session | None:
    """The live session whose auth token is in the ``Authorization`` header, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.auth_hash == cmi5_launch.digest(token.strip())))
    if session is None or session.fetched_at is None or session.terminated_at is not None:
        return None
    started = session.created_at if session.created_at.tzinfo else session.created_at.replace(tzinfo=UTC)
    return session if utcnow() - started <= SESSION_LIFETIME else None


def _same_actor(session: Cmi5Session, agent: Any) -> bool:
    mine = cmi5_launch.actor_of(session.registration.cadre)["account"]
    return isinstance(agent, dict) and agent.get("account") == mine


def check_statement(session: Cmi5Session, statement: Any) -> None:
    """A statement of this session's actor, registration and AU, with an AU verb; raises :class:`Refused`."""
    if not isinstance(statement, dict):
        raise Refused("not a statement")
    verb = (statement.get("verb") or {}).get("id")
    context = statement.get("context") or {}
    if verb in LMS_VERBS or not verb:
        raise Refused(f"verb {verb} is the LMS's")
    if not _same_actor(session, statement.get("actor")):
        raise Refused("another actor")
    if (statement.get("object") or {}).get("id") != session.au.au_iri:
        raise Refused("another activity")
    if context.get("registration") != session.registration_id:
        raise Refused("another registration")


def statements_of(method: str, params: dict[str, str], body: bytes) -> list[dict[str, Any]]:
    """The statements of a PUT/POST body (each given an id when it has none, so it can be followed)."""
    try:
        parsed = json.loads(body or b"null")
    except ValueError as exc:
        raise Refused("not JSON") from exc
    items = parsed if isinstance(parsed, list) else [parsed]
    if method == "PUT" and len(items) == 1 and isinstance(items[0], dict):
        items[0].setdefault("id", params.get("statementId"))
    for item in items:
        if isinstance(item, dict) and not item.get("id"):
            item["id"] = str(uuid.uuid4())
    return items


def check_state(session: Cmi5Session, method: str, params: dict[str, str]) -> None:
    """State API: only this AU's documents for this actor and registration; LMS.LaunchData is read-only."""
    try:
        agent = json.loads(params.get("agent") or "null")
    except ValueError as exc:
        raise Refused("agent is not JSON") from exc
    if params.get("activityId") != session.au.au_iri or params.get("registration") != session.registration_id \
            or not _same_actor(session, agent):
        raise Refused("another AU's state")
    if method != "GET" and params.get("stateId") == cmi5_launch.LAUNCH_DATA:
        raise Refused("LMS.LaunchData is the LMS's")


def check_profile(session: Cmi5Session, method: str, params: dict[str, str]) -> None:
    """Agent profile: read the learner's own ``cmi5LearnerPreferences`` only (§11)."""
    try:
        agent = json.loads(params.get("agent") or "null")
    except ValueError as exc:
        raise Refused("agent is not JSON") from exc
    if method != "GET" or not _same_actor(session, agent):
        raise Refused("another agent's profile")


def forward(session: Cmi5Session, method: str, resource: str, params: dict[str, str], body: bytes,
            content_type: str | None) -> tuple[int, bytes, str, list[dict[str, Any]]]:
    """Check the request, forward it; returns status, body, content type and the statements stored."""
    stored: list[dict[str, Any]] = []
    if resource == "statements" and method in ("PUT", "POST"):
        stored = statements_of(method, params, body)
        for statement in stored:
            check_statement(session, statement)
        body, content_type = json.dumps(stored if method == "POST" else stored[0]).encode(), "application/json"
    elif resource == "activities/state":
        check_state(session, method, params)
        if method == "GET" and params.get("stateId") == cmi5_launch.LAUNCH_DATA:
            return 200, json.dumps(session.launch_data).encode(), "application/json", []
    elif resource == "agents/profile":
        check_profile(session, method, params)
    elif not (resource == "about" and method == "GET"):
        raise Refused(f"{method} {resource} is not open to an AU")
    response = lrs.call(method, resource, params=params, data=body or None, content_type=content_type)
    ok = response.status_code in (200, 204)
    return (response.status_code, response.content, response.headers.get("Content-Type", "application/json"),
            stored if ok else [])
