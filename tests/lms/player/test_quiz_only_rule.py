"""A module completed by its quiz alone (completion rule "quiz_passed" only): one training record and one
certificate per completion, whichever way the learner goes — quiz first then the SCORM content, content
first then the quiz, or the quiz passed twice (issue 15: "one record and one certificate per module
completion")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assessments import services as quizzes
from lms.core.db import db
from lms.player import services
from lms.records.models import TrainingRecord
from lms.records.services import effective_records
from tests.lms.assessments.conftest import bank, clock, make_quiz, right_answer  # noqa: F401 - fixtures
from tests.lms.player.conftest import make_module

QUIZ_ONLY = {"all": [{"kind": "quiz_passed"}]}


@pytest.fixture
def setup(tree, tmp_path, bank):  # noqa: F811 - the fixture
    module = make_module(tmp_path, "scorm12_single", "QONLY", completion_rule=QUIZ_ONLY)
    quiz = make_quiz(module, bank)
    db.session.commit()
    return module, quiz, tree["hn_cadre"]


def _pass(quiz, cadre) -> None:
    attempt = quizzes.start_attempt(quiz, cadre.id)
    for item in attempt.items:
        quizzes.save_answer(attempt, item.position, right_answer(item))
    quizzes.submit_attempt(attempt, attempt.submit_token)
    assert attempt.passed is True
    db.session.commit()


def _play_to_the_end(module, cadre) -> None:
    attempt = services.open_attempt(cadre, module)
    services.settle(attempt)
    services.apply_commit(attempt.id, "sco1", 1, "s1", {"cmi.core.lesson_status": "completed",
                                                       "cmi.core.exit": ""}, terminate=True)
    db.session.commit()


def _records(cadre, module) -> list[TrainingRecord]:
    db.session.expire_all()
    return list(db.session.scalars(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id,
                                                               TrainingRecord.module_id == module.id)))


def _one_effective_with_the_hours(cadre, module) -> None:
    rows = _records(cadre, module)
    assert len(rows) == 1, [(r.source, r.dedupe_key) for r in rows]
    assert rows[0].hours == module.hours
    assert len(db.session.execute(effective_records([cadre.id])).all()) == 1


@pytest.mark.usefixtures("clock")
def test_quiz_first_then_the_content_records_once(setup):
    module, quiz, cadre = setup
    _pass(quiz, cadre)
    _play_to_the_end(module, cadre)
    _one_effective_with_the_hours(cadre, module)


@pytest.mark.usefixtures("clock")
def test_content_first_then_the_quiz_records_once(setup):
    module, quiz, cadre = setup
    _play_to_the_end(module, cadre)
    assert _records(cadre, module) == []  # the rule is the quiz: the content alone completes nothing
    _pass(quiz, cadre)
    _one_effective_with_the_hours(cadre, module)


@pytest.mark.usefixtures("clock")
def test_the_quiz_passed_twice_records_once(setup):
    module, quiz, cadre = setup
    _pass(quiz, cadre)
    _pass(quiz, cadre)
    _one_effective_with_the_hours(cadre, module)


@pytest.mark.usefixtures("clock")
def test_launched_then_quiz_passed_twice_records_once(setup):
    module, quiz, cadre = setup
    services.settle(services.open_attempt(cadre, module))
    db.session.commit()
    _pass(quiz, cadre)
    _pass(quiz, cadre)
    _one_effective_with_the_hours(cadre, module)


def test_a_pass_on_a_later_day_is_a_new_completion(setup, clock):  # noqa: F811 - the fixture
    """A second pass the same day is the same completion; a pass on a later day is a renewal: its own record
    (a requirement with a validity period counts from it), while the certificate stays one per module."""
    module, quiz, cadre = setup
    _pass(quiz, cadre)
    _pass(quiz, cadre)
    clock.advance(days=200)
    _pass(quiz, cadre)
    rows = _records(cadre, module)
    assert len(rows) == 2 and len({r.completed_on for r in rows}) == 2
