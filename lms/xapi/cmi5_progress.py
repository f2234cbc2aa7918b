"""What the AU's statements mean (cmi5 §9.3, §10): ``completed``/``passed``/``failed`` update the AU's
state in the registration, ``terminated`` ends the session; when the AU's ``moveOn`` is met the LMS
queues ``satisfied`` for the AU, and when every AU of the course is satisfied, ``satisfied`` for the course
and a ledger record (source ``online`` with the module, like a SCORM completion) so requirements count it."""

from __future__ import annotations

import uuid
from typing import Any

from lms.catalog.models import PackageVersion
from lms.core.db import db, utcnow
from lms.player.grading import today
from lms.records.services import append_record
from lms.xapi import cmi5, cmi5_launch, statements
from lms.xapi.cmi5_models import Cmi5AuState, Cmi5Registration, Cmi5Session
from lms.xapi.models import XapiOutbox

ADL = "http://adlnet.gov/expapi/verbs/"


def state_of(registration_id: str, au_id: int) -> Cmi5AuState:
    state = db.session.get(Cmi5AuState, (registration_id, au_id))
    if state is None:
        state = Cmi5AuState(registration_id=registration_id, au_id=au_id, completed=False, passed=False, failed=False)
        db.session.add(state)
    return state


def record_statements(session: Cmi5Session, stored: list[dict[str, Any]]) -> None:
    """Apply statements the LRS stored for this session (flushes; the caller commits)."""
    state = state_of(session.registration_id, session.au_id)
    for statement in stored:
        verb = statement["verb"]["id"]
        if verb == ADL + "completed":
            state.completed = True
        elif verb in (ADL + "passed", ADL + "failed"):
            setattr(state, verb.removeprefix(ADL), True)
            scaled = ((statement.get("result") or {}).get("score") or {}).get("scaled")
            state.score = float(scaled) if isinstance(scaled, int | float) else state.score
        elif verb == ADL + "terminated":
            session.terminated_at = utcnow()
    if state.satisfied_at is None and cmi5.move_on_met(session.au.move_on, completed=state.completed,
                                                        passed=state.passed):
        _satisfy_au(session, state)
    db.session.flush()


def _satisfied(session: Cmi5Session, activity_id: str) -> None:
    registration = session.registration
    statement = cmi5.lms_statement(
        "satisfied", actor=cmi5_launch.actor_of(registration.cadre), activity_id=activity_id,
        statement_id=str(uuid.uuid5(statements.NAMESPACE, f"cmi5|{registration.id}|{activity_id}|satisfied")),
        registration=registration.id, session_id=session.id, au=cmi5_launch.au_value(session.au))
    if db.session.query(XapiOutbox.id).filter_by(statement_id=statement["id"]).first() is None:
        db.session.add(XapiOutbox(statement_id=statement["id"], verb="satisfied", statement=statement))


def _satisfy_au(session: Cmi5Session, state: Cmi5AuState) -> None:
    state.satisfied_at = utcnow()
    _satisfied(session, session.au.au_iri)
    db.session.flush()
    registration = session.registration
    if registration.satisfied_at is None and _every_au_satisfied(registration):
        registration.satisfied_at = utcnow()
        _satisfied(session, registration.course.course_iri)
        _append_ledger(registration, state)


def _every_au_satisfied(registration: Cmi5Registration) -> bool:
    done = {s.au_id for s in db.session.query(Cmi5AuState).filter(
        Cmi5AuState.registration_id == registration.id, Cmi5AuState.satisfied_at.is_not(None))}
    return all(au.id in done or au.move_on == "NotApplicable" for au in registration.course.aus)


def _append_ledger(registration: Cmi5Registration, state: Cmi5AuState) -> None:
    module = db.session.get(PackageVersion, registration.course.version_id).module
    append_record(registration.cadre_id, source="online", completed_on=today(), topic=module.topic,
                  hours=module.hours, module_id=module.id,
                  score=None if state.score is None else state.score * 100,
                  evidence={"cmi5_registration": registration.id}, dedupe_key=f"cmi5:{registration.id}")
