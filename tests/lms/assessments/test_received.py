"""A submission is accepted in its request (answers stored, attempt ``received``) and graded by the quiz's
job right after (issue #20, lms.assessments.receiving). With the eager queue nothing changes for the
learner (the other tests of this package); here the job is held back (``queued``) to see each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from lms.assessments import receiving, services
from lms.assessments.clock import aware
from lms.assessments.closing import local_date
from lms.assessments.models import QuizAttempt
from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.records.models import TrainingRecord
from tests.lms.assessments.conftest import right_answer, wrong_answer
from tests.lms.assessments.test_submit_queries import start_and_fill


def records_of(attempt_id: int) -> list[TrainingRecord]:
    return db.session.scalars(select(TrainingRecord).where(TrainingRecord.dedupe_key == f"quiz_attempt:{attempt_id}")).all()


def fresh(attempt_id: int) -> QuizAttempt:
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def submit_page(client, auth, quiz) -> tuple[QuizAttempt, MultiDict]:
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz)
    form = MultiDict(data)
    resp = client.post(f"/quiz/attempt/{attempt.id}/submit", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/quiz/attempt/{attempt.id}/result")
    return fresh(attempt.id), form


def accept(quiz, cadre_id: int, answers, at) -> int:
    """Start an attempt for ``cadre_id`` and have it accepted with ``answers(item)`` (service level)."""
    attempt = services.start_attempt(quiz, cadre_id, at)
    raw = {item.position: answers(item) for item in attempt.items}
    closing = services.read_for_closing(attempt.id)
    assert receiving.accept(closing, at, token=attempt.submit_token, answers=raw)
    db.session.commit()
    return attempt.id


def test_a_submission_is_received_then_graded_as_of_its_time_by_the_quizs_job(client, auth, tree, quiz, queued, clock):
    attempt, _ = submit_page(client, auth, quiz)
    # received: answers stored, submitted at the request's time, no grade, no record, an attempt used
    assert (attempt.status, aware(attempt.submitted_at), attempt.points, attempt.submit_token) == ("received", clock.now, None, None)
    assert all(item.response is not None and item.credit is None for item in attempt.items)
    assert records_of(attempt.id) == [] and services.open_attempt(quiz, attempt.cadre_id) is None
    assert services.attempts_left(quiz, attempt.cadre_id) == quiz.attempts_allowed - 1
    page = client.get(f"/quiz/attempt/{attempt.id}/result").get_data(as_text=True)
    assert "Đã nhận bài nộp của bạn; bài đang được chấm." in page and 'http-equiv="refresh" content="2"' in page
    assert "Đang chấm" in client.get(f"/quiz/{quiz.id}").get_data(as_text=True)
    (job_id,) = queued
    assert db.session.get(Job, job_id).key == f"quiz:grade:{quiz.id}"
    clock.advance(hours=3)  # the job runs long after the deadline: the submission was received in time
    assert jobs.run(job_id)
    graded = fresh(attempt.id)
    assert (graded.status, graded.late, graded.points, str(graded.score)) == ("submitted", False, 5.0, "100.00")
    assert aware(graded.submitted_at) == clock.now - timedelta(hours=3)
    (record,) = records_of(attempt.id)
    assert record.completed_on == local_date(graded.submitted_at)
    assert "100.00%" in client.get(f"/quiz/attempt/{attempt.id}/result").get_data(as_text=True)
    assert receiving.grade_each([attempt.id]) == (0, 0)  # graded already: a second run changes nothing
    assert len(records_of(attempt.id)) == 1 and fresh(attempt.id).points == 5.0


def test_the_job_grades_each_attempt_with_exactly_its_answers_and_a_failure_holds_back_no_other(
        app, tree, quiz, queued, clock, monkeypatch):
    two_wrong = lambda item: wrong_answer(item) if item.position > 3 else right_answer(item)  # noqa: E731
    first = accept(quiz, tree["hn_cadre"].id, two_wrong, clock.now)
    second = accept(quiz, tree["cb_cadre"].id, wrong_answer, clock.now)
    assert len(queued) == 1  # both joined the quiz's one queued job
    real = receiving.grade_received

    def fail_first(closing):
        if closing.id == first:
            raise RuntimeError("a bad attempt")
        return real(closing)

    monkeypatch.setattr(receiving, "grade_received", fail_first)
    assert jobs.run(queued[0])
    assert fresh(first).status == "received" and records_of(first) == []
    assert (fresh(second).status, fresh(second).points, fresh(second).passed) == ("submitted", 0.0, False)
    monkeypatch.setattr(receiving, "grade_received", real)
    assert receiving.grade_each([first, second]) == (1, 0)
    db.session.commit()
    assert (fresh(first).points, str(fresh(first).score), fresh(first).passed) == (3.0, "60.00", True)
    assert len(records_of(first)) == 1 and records_of(second) == []


def test_a_job_whose_every_attempt_fails_is_retried(app, tree, quiz, queued, clock, monkeypatch):
    attempt_id = accept(quiz, tree["hn_cadre"].id, right_answer, clock.now)
    monkeypatch.setattr(receiving, "grade_received", lambda closing: 1 / 0)
    assert not jobs.run(queued[0])
    assert db.session.get(Job, queued[0]).state == "queued" and fresh(attempt_id).status == "received"


def test_a_second_submission_is_refused_and_a_late_one_is_graded_in_its_request(client, auth, tree, quiz, queued,
                                                                                clock):
    attempt, form = submit_page(client, auth, quiz)
    assert client.post(f"/quiz/attempt/{attempt.id}/submit", data=form).status_code == 409
    assert fresh(attempt.id).status == "received" and len(queued) == 1
    queued.clear()
    other = services.start_attempt(quiz, attempt.cadre_id, clock.now)
    db.session.commit()
    clock.advance(minutes=quiz.time_limit_minutes + 5)  # past the deadline and the grace: as before issue #20
    resp = client.post(f"/quiz/attempt/{other.id}/submit", data={"submit_token": other.submit_token,
                                                                   "csrf_token": form["csrf_token"]})
    assert resp.status_code == 302
    late = fresh(other.id)
    assert (late.status, late.late, late.points) == ("submitted", True, 0.0) and queued == []


def test_a_stranded_submission_is_graded_by_the_sweep_and_by_its_result_page(client, auth, tree, quiz, queued,
                                                                            clock):
    attempt, _ = submit_page(client, auth, quiz)  # its job is never run (Redis lost it)
    other = accept(quiz, tree["cb_cadre"].id, right_answer, clock.now)
    assert receiving.sweep_received(None) == "Đã chấm 0 bài."  # not stranded yet
    clock.advance(seconds=61)
    assert "100.00%" in client.get(f"/quiz/attempt/{attempt.id}/result").get_data(as_text=True)
    assert fresh(attempt.id).status == "submitted" and len(records_of(attempt.id)) == 1
    assert receiving.sweep_received(None) == "Đã chấm 1 bài."
    db.session.commit()
    assert fresh(other).status == "submitted" and fresh(other).late is False
    assert jobs.PERIODIC["quiz-grading"] == ("lms.assessments.receiving:sweep_received", "* * * * *")


def test_a_submission_joins_the_quizs_queued_job_without_another_row(app, tree, quiz, queued, clock):
    accept(quiz, tree["hn_cadre"].id, right_answer, clock.now)
    attempt = services.start_attempt(quiz, tree["cb_cadre"].id, clock.now)
    raw = {item.position: right_answer(item) for item in attempt.items}
    attempt_id, token = attempt.id, attempt.submit_token
    db.session.commit()
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        closing = services.read_for_closing(attempt_id)
        receiving.accept(closing, clock.now, token=token, answers=raw)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    # the attempt (one SELECT), two UPDATEs, the queued job found and locked (one SELECT … FOR SHARE): a
    # burst adds no job and no queue hand-over. PostgreSQL: the UPDATEs and the lock are one statement (a
    # data-modifying CTE), so 2
    assert len(seen) == (2 if db.engine.dialect.name == "postgresql" else 4), "\n".join(seen)
    assert len(queued) == 1 and db.session.scalars(select(Job.key)).all() == [f"quiz:grade:{quiz.id}"]


def test_the_grading_job_waits_until_the_burst_has_settled(app, tree, quiz, queued, clock, monkeypatch):
    """A burst is graded once no submission has arrived for a second: grading while it still arrives would
    take the cores the submissions need (docs/assessments.md)."""
    first = accept(quiz, tree["hn_cadre"].id, right_answer, clock.now)
    clock.advance(seconds=0.4)
    second = accept(quiz, tree["cb_cadre"].id, right_answer, clock.now)
    (job_id,) = queued  # the second joined the first's job
    slept: list[float] = []
    monkeypatch.setattr(receiving, "_sleep", lambda seconds: (slept.append(seconds), clock.advance(seconds=seconds)))
    assert jobs.run(job_id)
    assert slept == [1.0]  # until the last submission was a second old
    assert fresh(first).status == fresh(second).status == "submitted"


def test_a_stream_of_submissions_is_graded_at_most_ten_seconds_after_its_first(app, tree, quiz, queued, clock,
                                                                                monkeypatch):
    quiz.attempts_allowed = 20
    db.session.commit()
    received = [accept(quiz, tree["hn_cadre"].id, right_answer, clock.now)]
    slept: list[float] = []

    def another_arrives(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)
        received.append(accept(quiz, tree["hn_cadre"].id, right_answer, clock.now))

    monkeypatch.setattr(receiving, "_sleep", another_arrives)
    assert jobs.run(queued[0])
    assert sum(slept) == 10.0 and len(received) == 11
    assert {fresh(attempt_id).status for attempt_id in received} == {"submitted"}


def test_without_a_queue_or_when_turned_off_the_grading_job_does_not_wait(app, tree, quiz, clock, monkeypatch):
    monkeypatch.setattr(receiving, "_sleep", lambda seconds: (_ for _ in ()).throw(AssertionError("slept")))
    attempt = services.start_attempt(quiz, tree["hn_cadre"].id, clock.now)
    closing = services.read_for_closing(attempt.id)
    assert receiving.accept(closing, clock.now, token=attempt.submit_token, answers={})
    assert receiving.settle(quiz.id) == 0.0  # eager: the job runs in the request that submitted
    monkeypatch.setitem(app.config, "LMS_JOBS_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config, "LMS_QUIZ_GRADING_SETTLE_SECONDS", 0)
    assert receiving.settle(quiz.id) == 0.0


def test_a_downgrade_past_received_waits_until_the_waiting_submissions_are_graded(app, tree, quiz, queued, clock,
                                                                                capfd):
    """Migration 0840's downgrade: the schema before it has no "received"; it refuses, with the command to
    run, instead of failing on the check constraint half-way (the data is never dropped)."""
    attempt_id = accept(quiz, tree["hn_cadre"].id, right_answer, clock.now)
    db.session.remove()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's error and exits 1
        downgrade(revision="0830")
    assert "1 bài nộp đang chờ chấm: chạy `lms quiz grade-received`" in capfd.readouterr().err
    assert fresh(attempt_id).status == "received"
    out = app.test_cli_runner().invoke(args=["quiz", "grade-received"])
    assert out.exit_code == 0 and "Graded 1 waiting submissions." in out.output, out.output
    assert fresh(attempt_id).status == "submitted" and len(records_of(attempt_id)) == 1
    db.session.remove()
    downgrade(revision="0830")
    upgrade(revision="heads")
    assert fresh(attempt_id).status == "submitted"
