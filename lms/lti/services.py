"""LTI Advantage services: Assignment and Grade Services (score and completion back to the platform's
line item) and Names and Role Provisioning (a course's roster). Both use a client-credentials access
token obtained with a JWT signed by our current key (pylti1p3's ServiceConnector)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from flask import Flask, Response, after_this_request, current_app, g, has_request_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.lti.http import TimeoutSession
from lms.lti.models import LtiIdentity, LtiLaunch, LtiPlatform
from lms.lti.toolconf import registration_for

log = logging.getLogger(__name__)
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _connector(platform: LtiPlatform) -> ServiceConnector:
    return ServiceConnector(registration_for(platform), requests_session=TimeoutSession())


def grade_of(score: Decimal | float | None) -> Grade:
    """Score in percent (None: completed without a score → full marks), completed, fully graded."""
    given = 100.0 if score is None else float(score)
    return (Grade().set_score_given(round(given, 2)).set_score_maximum(100).set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_timestamp(datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")))


def send_score(launch: LtiLaunch, score: Decimal | float | None) -> bool:
    """Post the score to the launch's line item; the outcome is kept on the launch (retried by
    ``lms lti send-scores``). Never raises: a platform being down must not lose the learner's commit."""
    if not launch.lineitem_url:
        return False
    service = AssignmentsGradesService(_connector(launch.platform), {
        "scope": launch.ags_scopes.split(), "lineitem": launch.lineitem_url})
    grade = grade_of(score).set_user_id(launch.identity.sub)
    try:
        service.put_grade(grade)
    except (LtiException, LtiServiceException, requests.RequestException) as exc:
        launch.score_status, launch.last_error = "failed", str(exc)[:1000]
        log.warning("LTI score for launch %s not sent: %s", launch.id, exc)
        return False
    launch.score_status, launch.score_sent_at, launch.last_error = "sent", utcnow(), ""
    return True


def on_record(record: Any) -> None:
    """Listener of the ledger: a module completion of an attempt launched through LTI sends its score.

    In a request the score is sent once the response is done (after the request's transaction
    committed: no HTTP call while the player holds the attempt's row lock, nothing sent for a rolled
    back record); outside one (a CLI re-grade) at once."""
    attempt_id = (record.evidence or {}).get("attempt_id")
    if attempt_id is None or record.kind != "record":
        return
    if not has_request_context():
        send_scores_of(record.id)
        return
    if "lti_scores" not in g:
        g.lti_scores = []
        after_this_request(_send_when_closed(current_app._get_current_object(), g.lti_scores))
    g.lti_scores.append(record.id)


def _send_when_closed(app: Flask, record_ids: list[int]) -> Callable[[Response], Response]:
    def run() -> None:
        with app.app_context():
            try:
                for record_id in record_ids:
                    send_scores_of(record_id)
                    db.session.commit()
            finally:
                db.session.remove()

    def attach(response: Response) -> Response:
        response.call_on_close(run)
        return response

    return attach


def send_scores_of(record_id: int) -> None:
    """Send the record's score to the line items of the LTI launches of its attempt still waiting."""
    from lms.records.models import TrainingRecord  # noqa: PLC0415 - the records feature owns the ledger

    record = db.session.get(TrainingRecord, record_id)
    if record is None:
        return
    launches = db.session.scalars(select(LtiLaunch).where(
        LtiLaunch.attempt_id == record.evidence.get("attempt_id"),
        LtiLaunch.score_status.in_(("pending", "failed"))))
    for launch in launches:
        send_score(launch, record.score)
    db.session.flush()


def retry_failed() -> tuple[int, int]:
    """Resend the failed scores (CLI); returns (sent, still failing)."""
    from lms.player.models import Attempt  # noqa: PLC0415 - the player owns attempts

    sent = failed = 0
    for launch in db.session.scalars(select(LtiLaunch).where(LtiLaunch.score_status == "failed")):
        attempt = db.session.get(Attempt, launch.attempt_id) if launch.attempt_id else None
        if attempt is None or attempt.record_id is None:
            continue
        if send_score(launch, attempt.score):
            sent += 1
        else:
            failed += 1
    return sent, failed


@dataclass(frozen=True)
class Member:
    """A roster member as the platform names them, and our link status."""

    sub: str
    name: str
    email: str
    roles: list[str]
    identity: LtiIdentity | None

    @property
    def linked(self) -> bool:
        return self.identity is not None and self.identity.cadre_id is not None


def course_contexts(platform: LtiPlatform) -> list[LtiLaunch]:
    """The latest launch of each course (context) of the platform that offered a roster URL."""
    launches = db.session.scalars(select(LtiLaunch).where(LtiLaunch.platform_id == platform.id,
                                                          LtiLaunch.memberships_url.is_not(None))
                                  .order_by(LtiLaunch.id.desc()))
    seen: dict[str, LtiLaunch] = {}
    for launch in launches:
        seen.setdefault(launch.context_id, launch)
    return list(seen.values())


def roster(platform: LtiPlatform, memberships_url: str) -> list[Member]:
    """The course's members pulled through NRPS, each with its identity here (linked or not)."""
    service = NamesRolesProvisioningService(_connector(platform), {
        "context_memberships_url": memberships_url, "service_versions": ["2.0"]})
    members = service.get_members()
    subs = [str(m.get("user_id")) for m in members]
    known = {i.sub: i for i in db.session.scalars(select(LtiIdentity).where(
        LtiIdentity.platform_id == platform.id, LtiIdentity.sub.in_(subs)))}
    return [Member(str(m.get("user_id")), str(m.get("name") or ""), str(m.get("email") or ""),
                   list(m.get("roles") or []), known.get(str(m.get("user_id")))) for m in members]


def launch_platform_name(attempt_id: int) -> str | None:
    """The name of the LTI platform whose launch started the attempt, or None for an attempt begun here."""
    return db.session.scalar(select(LtiPlatform.name).join(LtiLaunch, LtiLaunch.platform_id == LtiPlatform.id)
                             .where(LtiLaunch.attempt_id == attempt_id).limit(1))


def source_label(record: Any) -> str | None:
    """"LTI <platform name>" for a ledger record of an attempt launched through LTI, else None (the player
    appends such a record with source ``lti`` and the platform's name in ``source_detail``)."""
    if record.source == "lti" and record.source_detail:
        return f"LTI {record.source_detail}"
    attempt_id = (record.evidence or {}).get("attempt_id")
    name = None if attempt_id is None else launch_platform_name(attempt_id)
    return f"LTI {name}" if name else None
