"""Issue 18: one certificate per achievement. The module's completion rule decides when the module is
done; a quiz that is part of the rule issues nothing of its own, and a second pass or a retake issues no
second certificate while the first is valid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.assessments import services as quizzes
from lms.core.db import db
from lms.records.models import TrainingRecord
from lms.reports import certificates
from lms.reports.models import Certificate
from tests.lms.assessments.conftest import bank, clock, make_quiz, module, quiz, right_answer  # noqa: F401
from tests.lms.learning.conftest import finish, player  # noqa: F401
from tests.lms.player.conftest import module12  # noqa: F401


def _count() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


def _pass(quiz, cadre_id):  # noqa: F811
    attempt = quizzes.start_attempt(quiz, cadre_id)
    for item in attempt.items:
        quizzes.save_answer(attempt, item.position, right_answer(item))
    quizzes.submit_attempt(attempt, attempt.submit_token)
    assert attempt.passed is True


@pytest.fixture
def cadre(tree):
    return tree["hn_cadre"]


def test_a_quiz_only_module_passed_twice_gives_one_certificate(quiz, cadre, clock):  # noqa: F811
    _pass(quiz, cadre.id)
    clock.advance(days=1)
    _pass(quiz, cadre.id)
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == 2  # both passes are in the ledger
    assert _count() == 1


def test_scorm_plus_quiz_rule_gives_one_module_certificate(player, module12, bank, clock):  # noqa: F811
    module12.completion_rule = {"all": [{"kind": "completed"}, {"kind": "quiz_passed"}]}
    quiz = make_quiz(module12, bank)  # noqa: F811
    db.session.commit()
    finish(player)
    assert _count() == 0  # the SCORM part alone does not meet the rule
    _pass(quiz, player_cadre_id(module12))
    certs = db.session.scalars(select(Certificate)).all()
    assert len(certs) == 1 and certs[0].kind == "module" and certs[0].module_id == module12.id
    assert db.session.get(TrainingRecord, certs[0].record_id).source == "online"


def player_cadre_id(of) -> int:
    from lms.player.models import Attempt

    return db.session.scalar(select(Attempt.cadre_id).where(Attempt.module_id == of.id))


def test_a_retake_issues_none_until_the_first_is_revoked(player, module12):  # noqa: F811
    finish(player)
    player.launch("T12", new="1")
    first = db.session.scalar(select(Certificate))
    assert _finish_again(player) == 2 and _count() == 1  # two completions in the ledger, one certificate
    certificates.revoke(first, reason="cấp lại", by_user_id=None)
    record = db.session.scalar(select(TrainingRecord).order_by(TrainingRecord.id.desc()).limit(1))
    again = certificates.issue_for_record(record)
    assert again is not None and again.id != first.id and _count() == 2


def _finish_again(player) -> int:  # noqa: F811
    attempt_id = player.launch("T12")
    response = player.commit(attempt_id, 1, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "95"},
                             terminate=True)
    assert response.status_code == 200
    return db.session.scalar(select(func.count(TrainingRecord.id)))
