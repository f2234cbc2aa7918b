"""The quiz burst's data (bench_quiz.py): standards, 500+ cadres with learner accounts, one quiz, one
attempt in progress per learner with every answer saved, and each learner's minted session cookie."""

from __future__ import annotations

import random

import requests

PASSWORD = "matkhau-123"
USER_AGENT = requests.utils.default_user_agent()


def seed(app, learners: int, standards: bool = True) -> tuple[list[tuple[int, str, str]], dict[int, int]]:
    """Create the data; return (attempt id, login, minted session cookie) per learner and the right answers
    per attempt. With ``standards``, the shipped example standards are loaded first (as a production
    database has its standards), so that a pass also updates the cadre's compliance statuses."""
    from flask import session
    from flask_login import login_user
    from flask_migrate import upgrade

    from lms.accounts.models import User, UserRole
    from lms.accounts.services import hash_password
    from lms.assessments import qtypes, services
    from lms.assessments.importers import ParseResult
    from lms.assessments.models import Quiz
    from lms.catalog.models import Module
    from lms.core.db import db
    from lms.core.i18n import fold
    from lms.org.models import Cadre
    from lms.org.services import create_unit

    rng = random.Random(7)
    with app.app_context():
        upgrade(revision="heads")
        if standards:
            from lms.standards import services as standard_services
            from lms.standards.cli import DEFAULTS

            for path in sorted(DEFAULTS.iterdir()):
                standard_services.load_file(path, recompute=False)
        # the level the example standards name (grassroots_key.toml): key cadres have requirements too
        unit = create_unit("BENCH", "Công đoàn thử tải", "Công đoàn cơ sở", None)
        module = Module(code="BENCHQ", title_vi="Học phần thử tải", topic="union_law", hours=4,
                        completion_rule={"all": [{"kind": "quiz_passed"}]})
        db.session.add(module)
        db.session.flush()
        bank = services.get_or_create_bank("BENCHQ", "Ngân hàng thử tải", "union_law")
        parsed = ParseResult()
        for i in range(40):
            qtype = ["single", "multiple", "true_false", "numeric", "ordering"][i % 5]
            q = {"ident": f"B-{i:03d}", "qtype": qtype, "text_vi": f"Câu hỏi thử {i}", "text_en": "",
                 "choices": [], "key": None, "tolerance": 0.0, "explanation_vi": "Giải thích", "citation": "Điều 1",
                 "difficulty": "medium", "tags": []}
            if qtype in ("single", "multiple", "ordering"):
                q["choices"] = [f"Lựa chọn {i}-{c}" for c in range(4)]
            q["key"] = {"single": 1, "multiple": [0, 2], "true_false": True, "numeric": 37, "ordering": None}[qtype]
            parsed.add(i + 1, q)
        services.import_questions(bank, parsed)
        quiz = Quiz(module_id=module.id, bank_id=bank.id, title="Thử tải", question_count=20, pass_mark=70,
                    time_limit_minutes=60, attempts_allowed=3, review_policy="after_submit", pools=[])
        db.session.add(quiz)
        db.session.flush()
        password = hash_password(PASSWORD)
        at = services.now()
        out = []
        expected: dict[int, int] = {}
        for n in range(learners):
            cadre = Cadre(code=f"BQ{n:05d}", full_name=f"Học viên {n}", name_search=fold(f"Hoc vien {n}"),
                          org_unit=unit, gender="male", position="executive_member", employment=("full_time", "part_time")[n % 2],
                          is_key=n % 3 == 0,
                          active=True)
            db.session.add(cadre)
            db.session.flush()
            user = User(login=f"bq{n:05d}", password_hash=password, full_name=cadre.full_name, cadre_id=cadre.id)
            user.role_rows = [UserRole(role="learner")]
            db.session.add(user)
            attempt = services.start_attempt(quiz, cadre.id, at=at, rng=rng)
            expected[attempt.id] = 0
            for item in attempt.items:  # what autosave stores, without a flush per answer
                v = item.version
                to_id = {index: cid for cid, index in item.choice_map}
                right = rng.random() < 0.8
                expected[attempt.id] += right
                raw = answer_for(v.qtype, v.key, to_id, right)
                item.response = qtypes.get(v.qtype).parse(raw, dict(item.choice_map))
                item.saved_at = at
            db.session.flush()
            with app.app_context(), app.test_request_context(
                    "/login", environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}):
                session["lang"] = user.locale  # what the login view does on success
                login_user(user)
                cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
            out.append((attempt.id, user.login, cookie))
            if n % 100 == 99:
                db.session.commit()
        db.session.commit()
        return out, expected


def answer_for(qtype: str, key, to_id: dict, right: bool):
    """A raw answer (opaque ids) that is right or wrong."""
    if qtype == "single":
        return to_id[key if right else 0]
    if qtype == "multiple":
        return [to_id[k] for k in (key if right else [1])]
    if qtype == "true_false":
        return right
    if qtype == "numeric":
        return 37 if right else 1
    return [to_id[i] for i in (range(4) if right else (3, 2, 1, 0))]
