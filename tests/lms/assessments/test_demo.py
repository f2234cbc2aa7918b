"""The demo step imports each shipped bank and creates one quiz per module, idempotently."""

from sqlalchemy import func, select

from lms.assessments.demo import seed_quizzes
from lms.assessments.models import Question, QuestionVersion, Quiz
from lms.catalog.models import Module
from lms.core.db import db


def test_demo_step_creates_modules_banks_and_quizzes_once(app):
    lines: list[str] = []
    seed_quizzes(lines.append)
    seed_quizzes(lines.append)
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.id)).all()
    assert len(quizzes) == 4 == db.session.scalar(select(func.count(Module.id)))
    assert {q.module.code for q in quizzes} == {"ATVSLD", "DTDC", "LCD2024", "TCCD"}
    assert all(q.question_count == 20 and q.time_limit_minutes == 30 and q.attempts_allowed == 3 for q in quizzes)
    assert all(str(q.pass_mark) == "70.00" and q.review_policy == "after_submit" for q in quizzes)
    questions = db.session.scalar(select(func.count(Question.id)))
    assert questions == db.session.scalar(select(func.count(QuestionVersion.id))) >= 120  # second run: no new versions
    assert "0 new, 0 updated" in lines[-1]
