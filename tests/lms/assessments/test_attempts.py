"""Attempts: drawing, shuffling, time limit with grace (injected clock), review policies, forged submissions,
the ledger record and the "quiz_passed" condition, question versions."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.assessments import services
from lms.assessments.models import Question, QuizAttempt
from lms.core.db import db
from lms.core.errors import UserError
from lms.records.models import TrainingRecord
from tests.factories import gen_cadre, gen_unit
from tests.lms.assessments.conftest import T0, make_quiz, right_answer, wrong_answer


@pytest.fixture
def cadre(app):
    return gen_cadre(gen_unit())


def by_type(attempt):
    return {item.version.qtype: item for item in attempt.items}


def test_start_draws_every_question_once_with_opaque_shuffled_choices(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id, rng=random.Random(1))
    assert attempt.number == 1 and len(attempt.items) == 5
    assert sorted(i.version.question.ident for i in attempt.items) == ["M-001", "N-001", "O-001", "S-001", "T-001"]
    assert services.aware(attempt.deadline_at) == T0 + timedelta(minutes=30)
    ordering = by_type(attempt)["ordering"]
    assert [index for _cid, index in ordering.choice_map] != [0, 1, 2, 3]  # never shown solved
    ids = [cid for item in attempt.items for cid, _ in item.choice_map]
    assert len(ids) == len(set(ids)) and all(len(cid) == 12 for cid in ids)


def test_start_resumes_the_open_attempt(quiz, cadre, clock):
    first = services.start_attempt(quiz, cadre.id)
    assert services.start_attempt(quiz, cadre.id).id == first.id


def test_all_right_scores_100_and_records_the_pass_with_module_hours(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    for item in attempt.items:
        services.save_answer(attempt, item.position, right_answer(item))
    clock.advance(minutes=5)
    services.submit_attempt(attempt, attempt.submit_token)
    assert attempt.score == Decimal("100.00") and attempt.passed is True
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id))
    assert record.source == "assessment" and record.module_id == quiz.module_id
    assert record.hours == Decimal("4.00")  # completion rule is only quiz_passed
    assert record.score == Decimal("100.00") and record.dedupe_key == f"quiz_attempt:{attempt.id}"
    assert record.evidence["quiz_attempt_id"] == attempt.id
    assert record.completed_on.isoformat() == "2026-03-02"
    assert services.quiz_passed(cadre.id, quiz.module) == (True, "Đã đạt bài kiểm tra của học phần.")


def test_a_pass_that_is_part_of_the_module_rule_records_nothing_of_its_own(quiz, cadre, clock):
    """Issue 15: one record and one certificate per module completion — a quiz in a rule that also needs
    the SCORM part only re-evaluates the module (its completion record carries the hours)."""
    quiz.module.completion_rule = {"all": [{"kind": "completed"}, {"kind": "quiz_passed"}]}
    attempt = services.start_attempt(quiz, cadre.id)
    for item in attempt.items:
        services.save_answer(attempt, item.position, right_answer(item))
    services.submit_attempt(attempt, attempt.submit_token)
    assert attempt.passed is True and services.quiz_passed(cadre.id, quiz.module)[0] is True
    assert db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id)) is None


def test_three_of_five_is_60_percent_and_passes_at_60(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    items = by_type(attempt)
    for qtype in ("single", "true_false", "numeric"):
        services.save_answer(attempt, items[qtype].position, right_answer(items[qtype]))
    services.save_answer(attempt, items["multiple"].position, wrong_answer(items["multiple"]))  # half right → 0
    services.submit_attempt(attempt, attempt.submit_token)
    assert attempt.points == 3.0 and attempt.score == Decimal("60.00") and attempt.passed is True


def test_a_fail_records_nothing(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    services.submit_attempt(attempt, attempt.submit_token)
    assert attempt.score == Decimal("0.00") and attempt.passed is False
    assert db.session.scalar(select(TrainingRecord)) is None
    assert services.quiz_passed(cadre.id, quiz.module)[0] is False


def test_late_submission_is_graded_on_answers_saved_before_deadline_plus_grace(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    items = by_type(attempt)
    clock.advance(minutes=10)
    services.save_answer(attempt, items["single"].position, right_answer(items["single"]))
    clock.now = T0 + timedelta(minutes=30, seconds=20)  # after the deadline, inside the 30 s grace
    services.save_answer(attempt, items["true_false"].position, right_answer(items["true_false"]))
    clock.now = T0 + timedelta(minutes=30, seconds=31)  # past the grace: refused
    with pytest.raises(UserError) as refused:
        services.save_answer(attempt, items["numeric"].position, right_answer(items["numeric"]))
    assert refused.value.status == 409 and refused.value.code == "time_up"
    clock.now = T0 + timedelta(minutes=45)
    late_answers = {items["numeric"].position: right_answer(items["numeric"]),
                    items["single"].position: wrong_answer(items["single"])}
    services.submit_attempt(attempt, attempt.submit_token, answers=late_answers)
    assert attempt.late is True
    assert attempt.points == 2.0  # single (saved at 10 min) + true/false (in grace); late answers ignored
    assert attempt.score == Decimal("40.00")
    assert items["numeric"].response is None


def test_submission_within_grace_counts_the_posted_answers(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    items = by_type(attempt)
    clock.now = T0 + timedelta(minutes=30, seconds=29)
    services.submit_attempt(attempt, attempt.submit_token, answers={items["single"].position: right_answer(items["single"])})
    assert attempt.points == 1.0 and attempt.late is False


def test_an_abandoned_attempt_is_finalized_on_the_next_visit(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    items = by_type(attempt)
    services.save_answer(attempt, items["single"].position, right_answer(items["single"]))
    clock.advance(hours=2)
    second = services.start_attempt(quiz, cadre.id)
    assert attempt.status == "submitted" and attempt.late and attempt.points == 1.0
    assert second.number == 2 and second.id != attempt.id


def test_deadline_is_capped_by_the_close_date(module, bank, cadre, clock):
    quiz = make_quiz(module, bank, closes_at=T0 + timedelta(minutes=10))
    attempt = services.start_attempt(quiz, cadre.id)
    assert services.aware(attempt.deadline_at) == T0 + timedelta(minutes=10)


def test_closed_or_not_yet_open_quiz_cannot_be_started(module, bank, cadre, clock):
    early = make_quiz(module, bank, opens_at=T0 + timedelta(days=1))
    late = make_quiz(module, bank, closes_at=T0 - timedelta(days=1))
    for quiz in (early, late):
        with pytest.raises(UserError) as exc:
            services.start_attempt(quiz, cadre.id)
        assert exc.value.status == 409


def test_attempts_allowed_is_enforced(module, bank, cadre, clock):
    quiz = make_quiz(module, bank, attempts_allowed=2)
    for _ in range(2):
        a = services.start_attempt(quiz, cadre.id)
        services.submit_attempt(a, a.submit_token)
    assert services.attempts_left(quiz, cadre.id) == 0
    with pytest.raises(UserError) as exc:
        services.start_attempt(quiz, cadre.id)
    assert exc.value.code == "no_attempts_left"


def test_resubmission_and_forged_token_are_refused(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    token = attempt.submit_token
    with pytest.raises(UserError) as forged:
        services.submit_attempt(attempt, "not-the-token")
    assert forged.value.status == 400 and attempt.status == "in_progress"
    services.submit_attempt(attempt, token)
    with pytest.raises(UserError) as replay:
        services.submit_attempt(attempt, token)
    assert replay.value.status == 409
    with pytest.raises(UserError) as after:
        services.save_answer(attempt, 1, None)
    assert after.value.status == 409


def test_a_choice_id_of_another_question_is_refused(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    items = by_type(attempt)
    foreign = items["multiple"].choice_map[0][0]
    with pytest.raises(UserError) as exc:
        services.save_answer(attempt, items["single"].position, foreign)
    assert exc.value.status == 400 and items["single"].response is None


def test_another_learners_attempt_is_not_found(quiz, cadre, clock):
    other = gen_cadre(cadre.org_unit)
    attempt = services.start_attempt(quiz, cadre.id)
    with pytest.raises(UserError) as exc:
        services.get_attempt_for(attempt.id, other.id)
    assert exc.value.status == 404


@pytest.mark.parametrize(("policy", "closes_in", "at_offset", "expected"), [
    ("after_submit", None, 0, True),
    ("never", None, 0, False),
    ("after_close", 60, 0, False),     # submitted, the quiz still open
    ("after_close", 60, 61, True),     # after the close date
])
def test_review_policies(module, bank, cadre, clock, policy, closes_in, at_offset, expected):
    closes = T0 + timedelta(minutes=closes_in) if closes_in else None
    quiz = make_quiz(module, bank, review_policy=policy, closes_at=closes)
    attempt = services.start_attempt(quiz, cadre.id)
    assert services.can_review(attempt) is False  # never before submission
    services.submit_attempt(attempt, attempt.submit_token)
    clock.advance(minutes=at_offset)
    assert services.can_review(attempt) is expected


def test_editing_a_question_keeps_past_attempts_graded_on_their_version(quiz, cadre, clock):
    attempt = services.start_attempt(quiz, cadre.id)
    single = by_type(attempt)["single"]
    old_version_id = single.question_version_id
    services.save_answer(attempt, single.position, right_answer(single))  # "Bravo", key 1
    question = db.session.scalar(select(Question).where(Question.ident == "S-001"))
    data = {**services.question_dict(question), "key": 3}  # the lecturer changes the key to "Delta"
    version = services.edit_question(question, data)
    assert version.number == 2 and question.current_version_id == version.id
    services.submit_attempt(attempt, attempt.submit_token)
    assert single.question_version_id == old_version_id and single.credit == 1.0
    assert services.edit_question(question, data) is None  # no change → no new version
    clock.advance(minutes=1)
    second_cadre = gen_cadre(cadre.org_unit)
    new_attempt = services.start_attempt(quiz, second_cadre.id)
    assert by_type(new_attempt)["single"].question_version_id == version.id


def test_pools_draw_by_difficulty_and_tag(module, bank, cadre, clock):
    quiz = make_quiz(module, bank, pools=[{"count": 1, "difficulty": "hard", "tags": ["t2"]}, {"count": 2, "tags": ["t1"]}])
    attempt = services.start_attempt(quiz, cadre.id)
    assert sorted(i.version.question.ident for i in attempt.items) == ["M-001", "S-001", "T-001"]
    too_many = make_quiz(module, bank, pools=[{"count": 3, "difficulty": "hard"}])
    with pytest.raises(UserError) as exc:
        services.check_quiz(too_many)
    assert exc.value.status == 422


def test_attempts_of_a_cadre_are_numbered(quiz, cadre, clock):
    a = services.start_attempt(quiz, cadre.id)
    services.submit_attempt(a, a.submit_token)
    b = services.start_attempt(quiz, cadre.id)
    assert (a.number, b.number) == (1, 2)
    assert db.session.scalar(select(QuizAttempt).where(QuizAttempt.id == b.id)).status == "in_progress"


def test_quiz_passed_condition_is_registered_with_the_player(app):
    from lms.player.rules import registered_condition

    assert registered_condition("quiz_passed") is services.quiz_passed
