"""The attempt limit cannot be exceeded by parallel launches (issue 15, a security defect: a learner could
get more attempts than ``attempts_allowed`` by launching twice at once). The database decides: attempt
rows are inserted with ON CONFLICT on the unique (cadre, module, number) constraint."""

from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import func, select

from lms.core.db import db
from lms.player import attempts as attempts_module
from lms.player import services
from lms.player.models import Attempt
from tests.conftest import AuthActions, csrf_token_from
from tests.lms.player.conftest import make_module


@pytest.fixture
def limited(app, tree, tmp_path):
    """A module allowing 2 attempts, a new one after each completion; attempt 1 completed."""
    module = make_module(tmp_path, "scorm12_single", "LIM", attempts_allowed=2, new_attempt="on_complete")
    db.session.commit()
    first = services.open_attempt(tree["hn_learner"].cadre, module)
    first.status = "completed"
    db.session.commit()
    return module


def _count(module) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.module_id == module.id))


def test_two_launches_that_both_chose_the_same_number_get_one_attempt(limited, tree, monkeypatch):
    """Both launches read "latest = 1" before either inserted: the second insert of number 2 conflicts and
    plays the first's attempt 2 — two attempts in all, never three."""
    cadre = tree["hn_learner"].cadre
    stale = services.attempts_of(cadre.id, limited.id)
    monkeypatch.setattr(attempts_module, "attempts_of", lambda *a: list(stale))
    one = services.open_attempt(cadre, limited)
    db.session.commit()
    two = services.open_attempt(cadre, limited)
    db.session.commit()
    assert one.id == two.id and one.number == 2
    assert _count(limited) == 2


def test_parallel_launch_requests_never_exceed_the_limit(app, limited, tree, monkeypatch):
    """Two launch requests at once, held together after both read the attempts (the race window): both
    answer 302 to the same attempt, and the learner has exactly ``attempts_allowed`` attempts."""
    clients = [app.test_client() for _ in range(2)]
    tokens = []
    for client in clients:
        AuthActions(client).login("hv.nhung")
        tokens.append(csrf_token_from(client.get("/player/").get_data(as_text=True)))
    barrier = threading.Barrier(2, timeout=3)
    real = attempts_module.attempts_of

    def attempts_of(cadre_id, module_id):
        found = real(cadre_id, module_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return found

    monkeypatch.setattr(attempts_module, "attempts_of", attempts_of)
    answers: list = [None, None]

    def go(i: int) -> None:
        try:
            with app.app_context():
                answers[i] = clients[i].post("/player/modules/LIM/launch", data={"csrf_token": tokens[i], "new": "1"})
        except BaseException as exc:  # noqa: BLE001 - reported below
            answers[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = [getattr(a, "status_code", repr(a)) for a in answers]
    assert statuses == [302, 302], statuses
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert _count(limited) == 2
    third = clients[0].post("/player/modules/LIM/launch", data={"csrf_token": tokens[0]})
    assert third.status_code == 302 and _count(limited) == 2  # attempt 2 is unfinished: resumed
