"""The submission with the taking page's sealed layout (lms.assessments.layout, issue #20's quiz burst): the
posted answers are checked against the layout the page carries, and on PostgreSQL the attempt is received
in one statement without being read. The layout is encrypted (the map from opaque ids to choices stays
hidden) and bound to its attempt and to this server's key; whatever the statement does not receive is
answered by the way that reads the attempt (test_submit_path.py runs its refusals both ways)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from lms.assessments import layout, services
from lms.assessments.clock import aware
from lms.assessments.models import QuizAttempt
from lms.core import sealing
from lms.core.db import db
from tests.factories import gen_user
from tests.lms.assessments.conftest import right_answer, wrong_answer
from tests.lms.assessments.test_received import accept, fresh
from tests.lms.assessments.test_submit_queries import start_and_fill, statements


def on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_the_page_carries_its_attempts_layout_encrypted(client, auth, tree, quiz, clock):
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz, sealed=True)
    token = dict(data)["layout"]
    opaque = [cid for item in attempt.items for cid, _ in item.choice_map]
    assert opaque and not any(cid in token for cid in opaque)  # nor can the page tell which choice an id is
    sealed = layout.unseal(token, attempt.id)
    assert sealed is not None and (sealed.attempt_id, sealed.quiz_id) == (attempt.id, quiz.id)
    assert [(i.position, i.qtype, i.choice_map) for i in sealed.items] == \
        [(i.position, i.version.qtype, i.choice_map) for i in attempt.items]


def test_a_layout_opens_only_for_its_attempt_with_this_servers_key_and_unaltered(app):
    items = [layout.LayoutItem(1, "single", [["a1b2c3d4e5f6", 2], ["0f9e8d7c6b5a", 0]])]
    with app.app_context():
        token = layout.seal(7, 3, items)
        assert layout.unseal(token, 7) == layout.Layout(7, 3, tuple(items))
        assert layout.unseal(token, 8) is None  # another attempt's page
        middle = len(token) // 2
        altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
        assert layout.unseal(altered, 7) is None
        for junk in (None, "", "không phải", "gAAAAA", token[:-4]):
            assert layout.unseal(junk, 7) is None
        other_purpose = sealing.cipher("lms-api-secrets").encrypt(b'{"a":7,"q":3,"i":[]}').decode()
        assert layout.unseal(other_purpose, 7) is None
        key = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = key + "-rotated"
        try:
            assert layout.unseal(token, 7) is None  # a page from before a key rotation: read the attempt
        finally:
            app.config["SECRET_KEY"] = key


def test_a_sealed_submission_stores_only_the_changed_answers_in_one_statement(client, auth, tree, quiz, queued,
                                                                                clock):
    accept(quiz, tree["cb_cadre"].id, right_answer, clock.now)  # the burst's first: the quiz's job is queued
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz, sealed=True)
    first, *rest = attempt.items
    attempt_id, saved_at = attempt.id, clock.now
    services.save_answer(attempt, first.position, wrong_answer(first), saved_at)  # autosave stored these
    for item in rest:
        services.save_answer(attempt, item.position, right_answer(item), saved_at)
    expected = {first.position: None, **{item.position: saved_at for item in rest}}
    db.session.commit()
    submitted_at = expected[first.position] = clock.advance(minutes=5)
    with statements() as seen:
        resp = client.post(f"/quiz/attempt/{attempt_id}/submit", data=MultiDict(data))  # every answer right
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/quiz/attempt/{attempt_id}/result")
    # no user loaded, no attempt read: PostgreSQL receives it in one data-modifying CTE (the attempt, the
    # changed answers, the queued job locked for share); SQLite reads the attempt, then three statements
    assert len(seen) == (1 if on_postgresql() else 4), "\n".join(seen)
    received = fresh(attempt_id)
    assert (received.status, aware(received.submitted_at), received.submit_token) == ("received", submitted_at, None)
    assert {item.position: aware(item.saved_at) for item in received.items} == expected
    assert len(queued) == 1  # joined the queued run: no job of its own


def test_a_second_sealed_submission_is_refused_and_writes_nothing(client, auth, tree, quiz, queued, clock):
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz, sealed=True)
    first_at = clock.now
    assert client.post(f"/quiz/attempt/{attempt.id}/submit", data=MultiDict(data)).status_code == 302
    clock.advance(seconds=5)
    again = client.post(f"/quiz/attempt/{attempt.id}/submit", data=MultiDict(data))
    assert again.status_code == 409 and "Bài đã được nộp trước đó." in again.get_data(as_text=True)
    received = fresh(attempt.id)
    assert received.status == "received" and aware(received.submitted_at) == first_at
    assert len(queued) == 1


def test_a_sealed_submission_with_a_wrong_token_is_refused(client, auth, tree, quiz, queued, clock):
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz, sealed=True)
    forged = MultiDict([(k, "x" * 32 if k == "submit_token" else v) for k, v in data])
    resp = client.post(f"/quiz/attempt/{attempt.id}/submit", data=forged)
    assert resp.status_code == 400 and "Mã nộp bài không hợp lệ" in resp.get_data(as_text=True)
    still = fresh(attempt.id)
    assert still.status == "in_progress" and all(item.response is None for item in still.items)
    assert queued == []


def test_a_late_sealed_submission_is_graded_on_what_was_saved_in_time(client, auth, tree, quiz, queued, clock):
    auth.login("hv.nhung")
    attempt, data = start_and_fill(client, quiz, sealed=True)
    first = attempt.items[0]
    services.save_answer(attempt, first.position, right_answer(first), clock.now)
    db.session.commit()
    clock.advance(minutes=quiz.time_limit_minutes, seconds=31)  # past the deadline and its 30 s of grace
    resp = client.post(f"/quiz/attempt/{attempt.id}/submit", data=MultiDict(data))
    assert resp.status_code == 302
    late = fresh(attempt.id)
    assert (late.status, late.late, late.points) == ("submitted", True, 1.0)  # the answers posted late: ignored
    assert queued == []


def test_another_attempts_layout_does_not_say_how_to_read_the_answers(client, auth, tree, quiz, queued, clock):
    """A learner posting another attempt's page (its layout and its opaque ids) to their own attempt: the
    layout does not open for this attempt, so the answers are read against the attempt's own items."""
    auth.login("hv.nhung")
    theirs, their_data = start_and_fill(client, quiz, sealed=True)
    auth.logout()
    gen_user("hv.dung", cadre=tree["cb_cadre"])
    db.session.commit()
    auth.login("hv.dung")
    mine, my_data = start_and_fill(client, quiz, sealed=True)
    foreign = MultiDict([(k, v) for k, v in their_data if k not in ("csrf_token", "submit_token")]
                        + [(k, v) for k, v in my_data if k in ("csrf_token", "submit_token")])
    resp = client.post(f"/quiz/attempt/{mine.id}/submit", data=foreign)
    assert resp.status_code == 400
    assert fresh(mine.id).status == "in_progress" and fresh(theirs.id).status == "in_progress"
    assert db.session.scalars(select(QuizAttempt.status)).all() == ["in_progress", "in_progress"]
