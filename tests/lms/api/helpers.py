"""Helpers for the API and XBlock tests: a published module, a consumer, signed parameters."""

from __future__ import annotations

import time
from pathlib import Path

from lms.api import services
from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms_xblock.signing import signed_params
from tests.factories import gen_cadre, gen_unit
from tests.lms.catalog.helpers import simple_package

EMAIL = "nhung.tran@congdoan.vn"


LINKED_ANON = "anon-0001"


def setup_world(tmp_path: Path, *, consumer_key: str = "openedx-hanoi", linked: bool = True) -> dict:
    """A unit, a cadre with an email, a published one-SCO SCORM 1.2 module ATVSLD, a consumer; committed.

    With ``linked`` the consumer's learner ``anon-0001`` is already linked to the cadre, as after an admin
    confirmed it (an e-mail alone never links: the launch would wait)."""
    unit = gen_unit("HN-CDCS-9", "Công đoàn Công ty Điện lực Hà Nội", "CĐCS")
    cadre = gen_cadre(unit, "HN0099", "Trần Thị Hồng Nhung", gender="female", email=EMAIL)
    other = gen_cadre(unit, "HN0100", "Lê Văn Minh", email="minh.le@congdoan.vn")
    module = create_module("ATVSLD", "An toàn, vệ sinh lao động", topic="osh", hours=4)
    import_package(module, simple_package(tmp_path))
    consumer, secret = services.create_consumer(consumer_key, "Open edX LĐLĐ Hà Nội")
    if linked:
        link_learner(consumer, cadre, LINKED_ANON)
    db.session.commit()
    return {"unit": unit, "cadre": cadre, "other": other, "module": module, "consumer": consumer, "secret": secret,
            "key": consumer_key}


def link_learner(consumer, cadre, anon: str):
    """The consumer's learner ``anon`` linked to ``cadre`` (what an admin's confirmation leaves)."""
    from lms.api.models import ConsumerLearner

    learner = ConsumerLearner(consumer_id=consumer.id, anonymous_user_id=anon, status="linked", cadre_id=cadre.id,
                              full_name=cadre.full_name, last_module="")
    db.session.add(learner)
    db.session.flush()
    return learner


def signed(world: dict, purpose: str = "launch", *, anon: str = "anon-0001", email: str | None = EMAIL,
           module: str = "ATVSLD", now: float | None = None, ttl: int = 300, **kw) -> dict[str, str]:
    """Signed parameters for ``purpose`` as the XBlock would send them."""
    return signed_params(world["secret"], purpose, consumer=world["key"], module=module, anonymous_user_id=anon,
                         email=email, full_name="Trần Thị Hồng Nhung", now=time.time() if now is None else now,
                         ttl=ttl, **kw)


def add_quiz(module, *, questions: int = 4, pass_mark: str = "60", attempts_allowed: int = 3, code: str = "QXB"):
    """A bank of ``questions`` single-choice questions (the right answer is choice 0 of A/B/C) and an
    active quiz on ``module`` drawing all of them, no time limit; committed."""
    from decimal import Decimal

    from lms.assessments import services as quiz_services
    from lms.assessments.importers import ParseResult
    from lms.assessments.models import Quiz

    parsed = ParseResult()
    for i in range(1, questions + 1):
        parsed.add(i, {"ident": f"{code}-{i:03d}", "qtype": "single", "text_vi": f"Câu hỏi số {i}?",
                       "text_en": "", "choices": [f"Đúng {i}", f"Sai {i}a", f"Sai {i}b"], "key": 0,
                       "tolerance": 0.0, "explanation_vi": "", "citation": "", "difficulty": "easy", "tags": []})
    assert not parsed.errors, parsed.errors
    bank = quiz_services.get_or_create_bank(code, f"Ngân hàng {code}", "osh")
    quiz_services.import_questions(bank, parsed)
    quiz = Quiz(module_id=module.id, bank_id=bank.id, title="Kiểm tra cuối học phần", question_count=questions,
                pass_mark=Decimal(pass_mark), time_limit_minutes=0, attempts_allowed=attempts_allowed,
                review_policy="after_submit", pools=[], shuffle_choices=True)
    db.session.add(quiz)
    db.session.commit()
    return quiz
