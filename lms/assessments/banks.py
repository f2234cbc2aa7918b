"""Question banks and their versioned questions: create, edit (a new version only when something changed),
import (planned first: new, changed, unchanged), export. Plain values in; flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from lms.assessments.importers import ParseResult, normalize, validate
from lms.assessments.models import Question, QuestionBank, QuestionVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.i18n import nfc


def get_or_create_bank(code: str, title: str | None = None, topic: str = "other") -> QuestionBank:
    """The bank called ``code``, created when missing."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        bank = QuestionBank(code=code, title=nfc(title or code), topic=topic)
        db.session.add(bank)
        db.session.flush()
    return bank


def question_dict(question: Question) -> dict[str, Any]:
    """The current content of a question as an import/export dict."""
    v = question.current_version
    data = v.content()
    data["ident"] = question.ident
    return data


def add_version(question: Question, data: dict[str, Any], user_id: int | None = None) -> QuestionVersion:
    """Store ``data`` (validated, normalized) as the question's next version and make it current."""
    number = (db.session.scalar(
        select(func.max(QuestionVersion.number)).where(QuestionVersion.question_id == question.id)
    ) or 0) + 1
    version = QuestionVersion(
        question_id=question.id, number=number, qtype=data["qtype"], text_vi=data["text_vi"],
        text_en=data.get("text_en", ""), choices=list(data["choices"]), key=data["key"],
        tolerance=float(data.get("tolerance") or 0), explanation_vi=data.get("explanation_vi", ""),
        citation=data.get("citation", ""), difficulty=data["difficulty"], tags=list(data.get("tags") or []),
        created_by_id=user_id,
    )
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    question.current_version = version
    db.session.flush()
    return version


def edit_question(question: Question, data: dict[str, Any], user_id: int | None = None) -> QuestionVersion | None:
    """Save an edit as a new version (None when nothing changed). Raises UserError (422) when invalid."""
    data = {**data, "ident": question.ident}
    problems = validate(data)
    if problems:
        raise UserError("; ".join(p[0] for p in problems), "; ".join(p[1] for p in problems), status=422,
                        code="invalid_question")
    clean = normalize(data)
    if question.current_version is not None and _same(question.current_version.content(), clean):
        return None
    return add_version(question, clean, user_id)


def _same(current: dict[str, Any], new: dict[str, Any]) -> bool:
    return all(current.get(k) == new.get(k) for k in current)


@dataclass
class ImportPlan:
    """What an import would do: ids created, ids given a new version, ids unchanged; and the errors."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def plan_import(bank: QuestionBank, parsed: ParseResult) -> ImportPlan:
    """Compare the parsed questions with the bank without writing anything."""
    plan = ImportPlan(errors=[e.as_dict() for e in parsed.errors])
    existing = {q.ident: q for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))}
    for data in parsed.questions:
        question = existing.get(data["ident"])
        if question is None:
            plan.created.append(data["ident"])
        elif question.current_version is not None and _same(question.current_version.content(), data):
            plan.unchanged.append(data["ident"])
        else:
            plan.updated.append(data["ident"])
    return plan


def import_questions(bank: QuestionBank, parsed: ParseResult, *, dry_run: bool = False,
                     user_id: int | None = None) -> ImportPlan:
    """Import parsed questions into ``bank``: all or nothing.

    With any row error, raises UserError (422) listing every row's errors and writes nothing; with
    ``dry_run`` returns the plan and writes nothing.
    """
    plan = plan_import(bank, parsed)
    if not plan.ok:
        raise UserError(
            f"Tệp có {len(plan.errors)} lỗi; chưa có câu hỏi nào được lưu.",
            f"The file has {len(plan.errors)} error(s); nothing was saved.",
            status=422, code="import_errors", details=plan.errors,
        )
    if dry_run:
        return plan
    existing = {q.ident: q for q in db.session.scalars(select(Question).where(Question.bank_id == bank.id))}
    for data in parsed.questions:
        if data["ident"] in plan.unchanged:
            continue
        question = existing.get(data["ident"])
        if question is None:
            question = Question(bank_id=bank.id, ident=data["ident"])
            db.session.add(question)
            db.session.flush()
        question.active = True
        add_version(question, data, user_id)
    return plan


def export_dicts(bank: QuestionBank) -> list[dict[str, Any]]:
    """The bank's active questions (current versions) as dicts, by id."""
    questions = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.active, Question.current_version_id.isnot(None))
        .order_by(Question.ident)
    )
    return [question_dict(q) for q in questions]
