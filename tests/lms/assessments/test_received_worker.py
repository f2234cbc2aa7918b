"""A submission graded by a real ``lms worker`` process on Redis (issue #20): the request leaves the attempt
received, the worker's grading job grades it and the cadre's job settles its certificate. Skipped (with
the reason printed) only outside CI when Redis is down."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.assessments.models import QuizAttempt
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.reports.models import Certificate
from tests.lms.assessments.test_submit_queries import start_and_fill
from tests.lms.jobs.test_worker import _worker, redis_queue  # noqa: F401 - the fixture


def test_a_worker_grades_a_received_submission(app, client, auth, tree, quiz, redis_queue):  # noqa: F811
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz)
    assert client.post(f"/quiz/attempt/{attempt.id}/submit", data=MultiDict(data)).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).status == "received"  # nothing ran in this process
    _worker(app, redis_queue)
    db.session.expire_all()
    graded = db.session.get(QuizAttempt, attempt.id)
    assert (graded.status, graded.points, graded.passed) == ("submitted", 5.0, True)
    assert set(db.session.scalars(select(Job.state))) == {"succeeded"}
    assert db.session.scalar(select(Certificate.cadre_id)) == graded.cadre_id
