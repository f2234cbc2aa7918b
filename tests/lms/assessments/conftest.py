"""Fixtures for the assessment tests: a module, a bank with one question of each type, a quiz, a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lms.assessments import receiving, services
from lms.assessments.importers import ParseResult
from lms.assessments.models import Quiz
from lms.catalog.models import Module
from lms.core import jobs_rq
from lms.core.db import db

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội

#: one question of each type; markers in explanations/citations make leaks easy to find
SAMPLE = [
    {"ident": "S-001", "qtype": "single", "text_vi": "Câu một lựa chọn?", "choices": ["Alpha", "Bravo", "Charlie", "Delta"],
     "key": 1, "explanation_vi": "GIAITHICH-S1", "citation": "CANCU-S1", "difficulty": "easy", "tags": ["t1"]},
    {"ident": "M-001", "qtype": "multiple", "text_vi": "Câu nhiều lựa chọn?", "choices": ["Echo", "Foxtrot", "Golf", "Hotel"],
     "key": [0, 2], "explanation_vi": "GIAITHICH-M1", "citation": "CANCU-M1", "difficulty": "medium", "tags": ["t1", "t2"]},
    {"ident": "T-001", "qtype": "true_false", "text_vi": "Câu đúng sai?", "choices": [], "key": True,
     "explanation_vi": "GIAITHICH-T1", "citation": "CANCU-T1", "difficulty": "hard", "tags": ["t2"]},
    {"ident": "N-001", "qtype": "numeric", "text_vi": "Câu trả lời bằng số?", "choices": [], "key": 98765.25,
     "tolerance": 0.5, "explanation_vi": "GIAITHICH-N1", "citation": "CANCU-N1", "difficulty": "medium", "tags": []},
    {"ident": "O-001", "qtype": "ordering", "text_vi": "Sắp xếp?", "choices": ["India", "Juliet", "Kilo", "Lima"],
     "key": None, "explanation_vi": "GIAITHICH-O1", "citation": "CANCU-O1", "difficulty": "hard", "tags": ["t3"]},
]


def parsed(questions: list[dict]) -> ParseResult:
    """A ParseResult built from question dicts (validated like a file's rows)."""
    result = ParseResult()
    for i, q in enumerate(questions, start=1):
        result.add(i, {"text_en": "", "tolerance": 0.0, **q})
    assert not result.errors, result.errors
    return result


@pytest.fixture
def module(app):
    m = Module(code="LCDTEST", title_vi="Học phần thử", topic="union_law", hours=Decimal("4"),
               completion_rule={"all": [{"kind": "quiz_passed"}]})
    db.session.add(m)
    db.session.flush()
    return m


@pytest.fixture
def bank(app):
    b = services.get_or_create_bank("LCDTEST", "Ngân hàng thử", "union_law")
    services.import_questions(b, parsed(SAMPLE))
    return b


def make_quiz(module, bank, **fields) -> Quiz:
    values = {"title": "Bài kiểm tra thử", "question_count": 5, "pass_mark": Decimal("60"), "time_limit_minutes": 30,
              "attempts_allowed": 3, "review_policy": "after_submit", "pools": [], "shuffle_choices": True}
    values.update(fields)
    quiz = Quiz(module_id=module.id, bank_id=bank.id, **values)
    db.session.add(quiz)
    db.session.flush()
    return quiz


@pytest.fixture
def quiz(module, bank):
    q = make_quiz(module, bank)
    db.session.commit()
    return q


class Clock:
    """An injectable clock: ``clock.now`` is what the services see; ``advance`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock(app):
    c = Clock(T0)
    app.config["LMS_ASSESSMENT_CLOCK"] = c
    yield c
    app.config.pop("LMS_ASSESSMENT_CLOCK", None)


def _advance(app, seconds: float) -> None:
    clock = app.config.get("LMS_ASSESSMENT_CLOCK")
    if isinstance(clock, Clock):
        clock.advance(seconds=seconds)


def right_answer(item) -> object:
    """The raw (opaque-id) answer that is right for an attempt item — computed from the server's data."""
    v = item.version
    to_id = {index: cid for cid, index in item.choice_map}
    if v.qtype == "single":
        return to_id[v.key]
    if v.qtype == "multiple":
        return [to_id[k] for k in v.key]
    if v.qtype == "true_false":
        return bool(v.key)
    if v.qtype == "numeric":
        return str(v.key)
    return [to_id[i] for i in range(len(v.choices))]


def wrong_answer(item) -> object:
    v = item.version
    to_id = {index: cid for cid, index in item.choice_map}
    if v.qtype == "single":
        return to_id[(v.key + 1) % len(v.choices)]
    if v.qtype == "multiple":
        return [to_id[v.key[0]]]
    if v.qtype == "true_false":
        return not v.key
    if v.qtype == "numeric":
        return str(v.key + 10)
    return [to_id[i] for i in reversed(range(len(v.choices)))]


@pytest.fixture
def queued(app, monkeypatch) -> list[int]:
    """Jobs go to a queue (as with Redis and ``lms worker``) instead of running after the request: the ids
    handed over after each commit are collected; the test runs them."""
    handed: list[int] = []
    monkeypatch.setitem(app.config, "LMS_JOBS_REDIS_URL", "redis://127.0.0.1:1/0")
    # a grading job's wait for its burst to settle passes on the tests' clock, when one is injected
    monkeypatch.setattr(receiving, "_sleep", lambda seconds: _advance(app, seconds))
    monkeypatch.setattr(jobs_rq, "push", lambda pending: handed.extend(job_id for job_id, _ in pending))
    return handed
