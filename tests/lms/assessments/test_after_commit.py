"""A pass's compliance statuses and module certificate come from the cadre's job after the request's commit
(lms.records.deferred): the figures managers read are right once the job has run, a failing job writes
nothing and is retried, and a record arriving while the cadre's job is queued or running is not missed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.records import deferred
from lms.records.models import TrainingRecord
from lms.records.services import append_record
from lms.reports.models import Certificate
from lms.standards import engine, headline
from lms.standards.counts import OVERALL
from lms.standards.models import ComplianceStatus
from tests.lms.assessments.test_submit_queries import start_and_fill
from tests.lms.standards.helpers import standard


@pytest.fixture
def requirement(app, module):
    reqs = standard([{"code": "R1", "satisfied_by": [{"any_modules": [module.code]}]}])
    engine.recompute()
    db.session.commit()
    return reqs["R1"]


def pass_quiz(client, auth, quiz, queued) -> int:
    """The learner starts and passes the quiz through the pages; returns the attempt's id."""
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz)
    resp = client.post(f"/quiz/attempt/{attempt.id}/submit", data=MultiDict(data))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/result")
    (grading,) = queued_jobs(queued)  # the quiz's grading job (lms.assessments.receiving) runs first
    assert db.session.get(Job, grading).key == f"quiz:grade:{quiz.id}" and jobs.run(grading)
    return attempt.id


def queued_jobs(queued: list[int]) -> list[int]:
    """The jobs handed over so far (the list is emptied)."""
    handed = list(queued)
    queued.clear()
    return handed


def overall(unit) -> tuple[int, int]:
    figure = next(f for f in headline.headline(unit) if f.standard_id == OVERALL)
    return figure.met, figure.applicable


def state(cadre, requirement) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(ComplianceStatus.state).where(ComplianceStatus.cadre_id == cadre.id,
                                                                  ComplianceStatus.requirement_id == requirement.id))


def certificates(cadre) -> list[int]:
    return db.session.scalars(select(Certificate.record_id).where(Certificate.cadre_id == cadre.id)).all()


def compliance_csv_row(client) -> str:
    """The requirement's row of the province's compliance table (the dashboard's, as the manager exports it)."""
    page = client.get("/reports/units/HN/compliance.csv")
    assert page.status_code == 200
    return next(line for line in page.get_data(as_text=True).splitlines() if line.startswith("R1,"))


def test_the_figures_and_the_certificate_are_right_once_the_cadres_job_ran(client, auth, tree, quiz, requirement,
                                                                            queued, clock):
    cadre, hn = tree["hn_cadre"], tree["hn"]
    assert overall(hn) == (0, 1)
    pass_quiz(client, auth, quiz, queued)
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id))
    assert record is not None and record.source == "assessment"
    # graded before the follow-ups: the record is stored, the grading run's job for its cadres queued, nothing else
    (job_id,) = queued
    job = db.session.get(Job, job_id)
    assert (job.key, job.state, job.task) == (None, "queued", deferred.settle_cadres.lms_task)
    assert state(cadre, requirement) != "compliant" and certificates(cadre) == []
    auth.logout()
    auth.login("ql.hanoi")
    # columns: code, name, target, applicable, met, due soon, overdue, expired, not yet due, waived, %
    assert compliance_csv_row(client).split(",")[3:5] == ["1", "0"] and overall(hn) == (0, 1)
    assert jobs.run(job_id)
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == "succeeded"
    assert state(cadre, requirement) == "compliant"
    assert certificates(cadre) == [record.id]
    assert overall(hn) == (1, 1) and overall(tree["cb"]) == (0, 1)
    assert overall(tree["tld"]) == overall(None) == (1, 2)
    assert compliance_csv_row(client) == "R1,Yêu cầu R1,100.0,1,1,0,0,0,0,0,100.0"


def test_a_failing_job_writes_nothing_and_its_retry_does_it_all(client, auth, tree, quiz, requirement, queued,
                                                                 clock, monkeypatch):
    from lms.reports import certificates_due

    cadre = tree["hn_cadre"]
    before = state(cadre, requirement), overall(None)
    pass_quiz(client, auth, quiz, queued)
    (job_id,) = queued
    real = certificates_due.issue_modules
    calls: list[list[int]] = []

    def fail_once(cadre_ids, as_of=None):
        calls.append(cadre_ids)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(cadre_ids, as_of)

    monkeypatch.setattr(certificates_due, "issue_modules", fail_once)
    assert not jobs.run(job_id)  # the compliance part ran before the failure: rolled back with it
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts) == ("queued", 1) and job.error
    assert (state(cadre, requirement), overall(None)) == before == ("overdue", (0, 2))
    assert certificates(cadre) == []
    assert jobs.run(job_id)
    assert state(cadre, requirement) == "compliant" and len(certificates(cadre)) == 1
    assert overall(None) == (1, 2) and db.session.get(Job, job_id).state == "succeeded"


def _append_in_request(app, cadre, module, n: int) -> None:
    """A learner's request appending a pass (what the quiz submission does), committed."""
    with app.test_request_context("/"):
        append_record(cadre.id, source="assessment", completed_on=date(2026, 3, n),
                      topic=module.topic, hours=4, module_id=module.id, score=90, dedupe_key=f"t:{n}")
        db.session.commit()


def test_records_of_one_cadre_share_its_job_and_none_is_missed_while_it_runs(app, tree, module, requirement, queued):
    cadre = tree["hn_cadre"]
    key = f"ledger:cadre:{cadre.id}"
    _append_in_request(app, cadre, module, 1)
    _append_in_request(app, cadre, module, 2)  # while the first record's job is still queued: the same job
    assert db.session.scalars(select(Job.key)).all() == [key] and len(queued) == 1
    # the cadre's job has started (it may have read the ledger before the next record commits): a second run
    db.session.get(Job, queued[0]).state = "running"
    db.session.commit()
    _append_in_request(app, cadre, module, 3)
    _append_in_request(app, cadre, module, 4)
    assert sorted(db.session.scalars(select(Job.key)).all()) == [key, f"{key}:next"] and len(queued) == 2
    # both keyed runs running: a run of its own
    db.session.get(Job, queued[1]).state = "running"
    db.session.commit()
    _append_in_request(app, cadre, module, 5)
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.key.is_(None))) == 1
    for job in db.session.scalars(select(Job)).all():
        job.state = "queued"
    db.session.commit()
    for job_id in queued:
        assert jobs.run(job_id)
    assert state(cadre, requirement) == "compliant" and len(certificates(cadre)) == 1


def test_other_records_and_records_outside_a_request_update_in_their_transaction(app, tree, module, requirement,
                                                                                 queued):
    cadre, other = tree["hn_cadre"], tree["cb_cadre"]
    append_record(cadre.id, source="assessment", completed_on=date(2026, 3, 2), topic=module.topic, hours=4,
                  module_id=module.id, score=90)  # a command or a job: no request
    with app.test_request_context("/"):  # an in-person class recorded by a lecturer's request
        append_record(other.id, source="in_person", completed_on=date(2026, 3, 2), topic=module.topic, hours=4,
                      module_id=module.id)
        assert state(cadre, requirement) == state(other, requirement) == "compliant"
        assert len(certificates(cadre)) == len(certificates(other)) == 1
        db.session.commit()
    assert queued == [] and db.session.scalar(select(func.count()).select_from(Job)) == 0
