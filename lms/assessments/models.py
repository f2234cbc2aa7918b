"""Question banks, versioned questions, quizzes and their attempts.

A :class:`Question` is a stable identity (``ident`` such as ``"UL-001"``) in a bank; its content lives
in immutable :class:`QuestionVersion` rows. Editing a question adds a version and moves
``current_version_id``; attempt items reference the version they were drawn with, so past attempts keep
being graded (and reviewed) as they were.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalog.models import Module
from lms.core.db import db, utcnow
from lms.org.models import Cadre


class Difficulty(enum.StrEnum):
    """How hard a question is meant to be."""

    easy = "easy"
    medium = "medium"
    hard = "hard"


DIFFICULTY_LABELS = {
    Difficulty.easy: ("Dễ", "Easy"),
    Difficulty.medium: ("Trung bình", "Medium"),
    Difficulty.hard: ("Khó", "Hard"),
}


class ReviewPolicy(enum.StrEnum):
    """When a learner may see feedback (right answers, explanations, citations) of a submitted attempt."""

    after_submit = "after_submit"
    after_close = "after_close"
    never = "never"


REVIEW_LABELS = {
    ReviewPolicy.after_submit: ("Ngay sau khi nộp bài", "Right after submission"),
    ReviewPolicy.after_close: ("Sau ngày đóng bài kiểm tra", "After the close date"),
    ReviewPolicy.never: ("Không cho xem", "Never"),
}


class AttemptStatus(enum.StrEnum):
    """An attempt is being taken, received (submitted, its grading job not yet run), or submitted and
    graded."""

    in_progress = "in_progress"
    #: accepted by the submit request (answers stored, ``submitted_at`` set); graded by a job right after
    received = "received"
    submitted = "submitted"


class QuestionBank(db.Model):
    """A bank of questions, usually one per module or topic (ngân hàng câu hỏi)."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    #: the topic of the bank's questions (a Module topic)
    topic: Mapped[str] = mapped_column(String(16), default="other")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.ident")

    def __repr__(self) -> str:
        return f"<QuestionBank {self.code}>"


class Question(db.Model):
    """A question's stable identity in a bank; its content is in the versions."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("bank_id", "ident", name="uq_questions_bank_ident"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    #: stable identifier inside the bank, e.g. "UL-001"
    ident: Mapped[str] = mapped_column(String(64))
    #: the version new attempts draw; set right after the first version is created
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version_id"), nullable=True
    )
    #: retired questions are not drawn any more (past attempts keep them)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", foreign_keys="QuestionVersion.question_id", order_by="QuestionVersion.number"
    )
    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Question {self.ident}>"


class QuestionVersion(db.Model):
    """One immutable version of a question's content (text, choices, key, explanation …)."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_versions_question_number"),
        CheckConstraint("qtype IN ('single', 'multiple', 'true_false', 'numeric', 'ordering')", name="qtype_valid"),
        CheckConstraint("difficulty IN ('easy', 'medium', 'hard')", name="difficulty_valid"),
        CheckConstraint("tolerance >= 0", name="tolerance_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: 1, 2, 3 … per question
    number: Mapped[int] = mapped_column(Integer)
    #: the question-type plugin name (see lms.assessments.qtypes)
    qtype: Mapped[str] = mapped_column(String(16))
    text_vi: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    #: choice texts; for ordering, in the correct order
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the key: single → int index; multiple → sorted list of indexes; true_false → bool; numeric → number;
    #: ordering → None (the choices' order)
    key: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: numeric questions: an answer within key ± tolerance is right
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    explanation_vi: Mapped[str] = mapped_column(Text, default="")
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    #: the legal basis, e.g. "Luật Công đoàn 2024, Điều 29"
    citation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[str] = mapped_column(String(8), default=Difficulty.medium.value)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])

    def text(self, lang: str = "vi") -> str:
        """The question text in ``lang``, falling back to Vietnamese."""
        return self.text_en if lang.startswith("en") and self.text_en else self.text_vi

    def content(self) -> dict[str, Any]:
        """The editable content as a plain dict (compared on import to decide whether to add a version)."""
        return {
            "qtype": self.qtype, "text_vi": self.text_vi, "text_en": self.text_en or "",
            "choices": list(self.choices or []), "key": self.key, "tolerance": float(self.tolerance or 0),
            "explanation_vi": self.explanation_vi or "", "citation": self.citation or "",
            "difficulty": self.difficulty, "tags": list(self.tags or []),
        }


class Quiz(db.Model):
    """A server-graded test attached to a module (đề kiểm tra)."""

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark_range"),
        CheckConstraint("time_limit_minutes >= 0", name="time_limit_nonneg"),
        CheckConstraint("attempts_allowed >= 0", name="attempts_allowed_nonneg"),
        CheckConstraint("question_count >= 1", name="question_count_positive"),
        CheckConstraint("review_policy IN ('after_submit', 'after_close', 'never')", name="review_policy_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_banks.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    #: draw rules: [{"count": 5, "difficulty": "hard", "tags": ["x"], "topic": "osh"}]; empty = draw
    #: ``question_count`` from the whole bank
    pools: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: number of questions when no pools are given (with pools: their counts' sum)
    question_count: Mapped[int] = mapped_column(Integer, default=20)
    #: percent needed to pass
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("70"))
    #: minutes, 0 = no limit
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=30)
    #: 0 = unlimited
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)
    review_policy: Mapped[str] = mapped_column(String(16), default=ReviewPolicy.after_submit.value)
    one_per_page: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    module: Mapped[Module] = relationship()
    bank: Mapped[QuestionBank] = relationship()

    @property
    def total_questions(self) -> int:
        """How many questions an attempt gets."""
        if self.pools:
            return sum(int(p.get("count", 0)) for p in self.pools)
        return self.question_count


class QuizAttempt(db.Model):
    """One cadre's attempt at a quiz."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "cadre_id", "number", name="uq_quiz_attempts_quiz_cadre_number"),
        CheckConstraint("status IN ('in_progress', 'received', 'submitted')", name="status_valid"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
        Index("ix_quiz_attempts_cadre_quiz", "cadre_id", "quiz_id"),
        #: the attempts waiting for their grading job (few at any time; read by the job and the sweep)
        Index("ix_quiz_attempts_received", "quiz_id", "submitted_at", postgresql_where=text("status = 'received'"),
              sqlite_where=text("status = 'received'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    #: 1, 2, 3 … per cadre and quiz
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.in_progress.value)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: started_at + time limit; None when the quiz has no limit
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: one-time token the submit request must carry; cleared on submission
    submit_token: Mapped[str | None] = mapped_column(String(64))
    #: sum of credits (0–1 per question)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[int] = mapped_column(Integer, default=0)
    #: percent, 0–100
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool | None] = mapped_column(Boolean)
    #: the submission came after the deadline plus grace: graded on what was saved in time
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship()
    cadre: Mapped[Cadre] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(back_populates="attempt", order_by="AttemptItem.position")


class AttemptItem(db.Model):
    """One question of an attempt: the version drawn, the choice order shown, the saved answer, the credit."""

    __tablename__ = "quiz_attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position", name="uq_quiz_attempt_items_attempt_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), index=True)
    #: 1, 2, 3 … in the order shown
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    #: the choices as shown: [[opaque id, index in the version's choices], …]
    choice_map: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    #: the saved answer in terms of the version (indexes / bool / number), None when unanswered
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: 0–1 after grading
    credit: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()
