"""Learner-side fixtures: a published 1.2 module (the player's) that a standard requires of Nhung."""

from __future__ import annotations

from datetime import date

import pytest

from lms.core.db import db
from lms.standards import engine
from lms.standards import services as standards
from lms.standards.loader import validate_standard
from tests.lms.player.conftest import make_module, module12  # noqa: F401 - fixtures
from tests.lms.player.test_commits import Player


def add_standard(modules: list[str], due: str | None = None, due_days: int | None = 180, hours: dict | None = None):
    """A standard with one requirement on every cadre, satisfied by any of ``modules`` (or hours)."""
    satisfied = [{"any_modules": modules}] + ([hours] if hours else [])
    req = {"code": "ATVSLD-01", "name_vi": "Bồi dưỡng an toàn, vệ sinh lao động", "applies_to": {},
           "satisfied_by": satisfied}
    if due:
        req["due_date"] = due
    else:
        req["due_days"] = due_days
    data = validate_standard({"code": "CHUAN-2025", "name_vi": "Chuẩn bồi dưỡng cán bộ công đoàn",
                              "target_pct": 85, "effective_from": "2024-01-01", "requirements": [req]})
    standards.upsert_standard(data, date(2024, 1, 1))
    engine.recompute()
    db.session.commit()


@pytest.fixture
def player(client, auth, module12):  # noqa: F811 - the fixture above
    return Player(client, auth)


def finish(player: Player, code: str = "T12", score: str = "90") -> int:
    """Launch and finish the module (1.2: passed with ``score``); the attempt's id."""
    attempt_id = player.launch(code)
    response = player.commit(attempt_id, 1, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": score,
                                             "cmi.core.exit": ""}, terminate=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return attempt_id
