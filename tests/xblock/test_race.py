"""Two simultaneous first launches of the same new learner against the live server: both answer (no
unique-constraint error) with the waiting page — an e-mail never links — and there is one learner row."""

from __future__ import annotations

import contextlib
import threading

import pytest
import requests
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.api import services
from lms.api.models import ConsumerLearner
from lms.core.db import db
from lms.player.models import Attempt
from lms_xblock import client as xclient
from tests.lms.api.helpers import EMAIL, setup_world


@pytest.fixture
def world(app, tmp_path, backend):
    world = setup_world(tmp_path)
    world["url"] = backend.url
    return world


def both_past_the_lookup(monkeypatch) -> None:
    """Hold the first two lookups of the learner until both launches have made theirs (both see "no
    learner yet", the race window), at most 3 s: on SQLite the second launch waits for the first's
    write lock before it looks, so the barrier times out and they run one after the other."""
    barrier = threading.Barrier(2, timeout=3)
    calls = {"n": 0}
    lock = threading.Lock()
    original = services.find_learner

    def find_learner(consumer, anonymous_user_id):
        found = original(consumer, anonymous_user_id)
        with lock:
            calls["n"] += 1
            first_two = calls["n"] <= 2
        if first_two and found is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return found

    monkeypatch.setattr(services, "find_learner", find_learner)


def test_two_simultaneous_first_launches_both_succeed(world, monkeypatch):
    both_past_the_lookup(monkeypatch)
    learner = xclient.Learner("anon-race-1", EMAIL, "Trần Thị Hồng Nhung")
    urls = [xclient.launch_url(world["url"], world["key"], world["secret"], "ATVSLD", learner) for _ in range(2)]
    answers: list[requests.Response | BaseException] = [None, None]  # type: ignore[list-item]

    def go(i: int) -> None:
        try:
            answers[i] = requests.get(urls[i], allow_redirects=False, timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            answers[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
    statuses = [a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers]
    assert statuses == [202, 202], [getattr(a, "text", a)[:300] for a in answers]
    assert all("Đang chờ xác nhận" in a.text for a in answers)

    db.session.expire_all()
    cadre_id = world["cadre"].id
    rows = db.session.execute(select(ConsumerLearner.status, ConsumerLearner.cadre_id).where(
        ConsumerLearner.anonymous_user_id == "anon-race-1")).all()
    assert [tuple(r) for r in rows] == [("pending", None)]
    assert db.session.scalar(select(func.count(User.id)).where(User.cadre_id == cadre_id)) == 0
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.cadre_id == cadre_id)) == 0


def test_insert_learner_twice_is_a_no_op(world):
    """The second insert of the same learner (what a concurrent launch does) neither raises nor
    duplicates, and the session stays usable (ON CONFLICT DO NOTHING / savepoint)."""
    consumer = world["consumer"]
    services._insert_learner(consumer, "anon-twice")
    services._insert_learner(consumer, "anon-twice")
    db.session.commit()
    rows = db.session.scalars(select(ConsumerLearner).where(ConsumerLearner.anonymous_user_id == "anon-twice")).all()
    assert len(rows) == 1 and rows[0].status == "pending"


def test_learner_account_created_once_when_it_collides(world, monkeypatch):
    """learner_user: when the account insert collides (another launch created it), that account is used."""
    cadre = world["cadre"]
    first = services.learner_user(cadre)
    db.session.commit()
    real_scalar = db.session.scalar
    misses = {"n": 0}

    def scalar(statement, *args, **kwargs):  # the first lookup misses, as in the race window
        if misses["n"] == 0 and "users" in str(statement) and "cadre_id" in str(statement):
            misses["n"] += 1
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar)
    again = services.learner_user(cadre)
    monkeypatch.undo()
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(select(func.count(User.id)).where(User.cadre_id == cadre.id)) == 1
