"""Demo step (order 40): a question bank and a quiz for each shipped module (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from lms.assessments import services
from lms.assessments.importers import parse_file
from lms.assessments.models import Quiz
from lms.catalog.models import Module
from lms.content.builder import find_course_dirs
from lms.content.source import load_course
from lms.core.db import db
from lms.demo import demo_step

QUIZ_QUESTIONS = 20


def ensure_module(course) -> Module:
    """The course's module, created from module.toml when the content step has not made it."""
    module = db.session.scalar(select(Module).where(Module.code == course.code))
    if module is None:
        module = Module(code=course.code, title_vi=course.title_vi, title_en=course.title_en, topic=course.topic,
                        hours=Decimal(str(course.hours)), description_vi=course.summary_vi,
                        description_en=course.summary_en)
        db.session.add(module)
        db.session.flush()
    return module


def seed_course(folder, echo=lambda _m: None) -> Quiz:
    """Import the course's questions.toml into bank <CODE> and make sure its quiz exists."""
    course = load_course(folder)
    module = ensure_module(course)
    bank = services.get_or_create_bank(course.code, f"{course.code} — {course.title_vi}", course.topic)
    parsed = parse_file("questions.toml", course.bank_file.read_bytes(), "toml", ident_prefix=course.code)
    plan = services.import_questions(bank, parsed)
    quiz = db.session.scalar(select(Quiz).where(Quiz.module_id == module.id, Quiz.bank_id == bank.id))
    if quiz is None:
        quiz = Quiz(module_id=module.id, bank_id=bank.id, title=f"Kiểm tra: {course.title_vi}"[:255],
                    question_count=min(QUIZ_QUESTIONS, len(parsed.questions)), pass_mark=Decimal("70"),
                    time_limit_minutes=30, attempts_allowed=3, review_policy="after_submit", pools=[])
        db.session.add(quiz)
        db.session.flush()
    echo(f"  {course.code}: {len(plan.created)} new, {len(plan.updated)} updated questions; quiz #{quiz.id}")
    return quiz


@demo_step(40, "Ngân hàng câu hỏi và bài kiểm tra / question banks and quizzes")
def seed_quizzes(echo) -> None:
    """One bank and one quiz (20 questions, 70 %, 30 minutes, 3 attempts) per shipped module."""
    for folder in find_course_dirs():
        seed_course(folder, echo)
