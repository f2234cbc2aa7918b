"""The commit endpoint: idempotent retries, order, regression guard, total time, validation, access."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import select, text

from lms.core.db import db
from lms.player import commit_sql, commits, merge
from lms.player.models import Attempt, CommitLog, ScoState
from lms.records.models import TrainingRecord
from tests.conftest import csrf_token_from


class Player:
    """Drive the player endpoints as the logged-in learner."""

    def __init__(self, client, auth, login="hv.nhung"):
        self.client = client
        auth.login(login)
        self.token = csrf_token_from(client.get("/player/").get_data(as_text=True))

    def launch(self, code, **form):
        response = self.client.post(f"/player/modules/{code}/launch", data={"csrf_token": self.token, **form})
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].split("/attempts/")[1].split("/")[0])

    def commit(self, attempt_id, seq, cmi, sco="sco1", session="s1", terminate=False):
        return self.commit_body(attempt_id, {"seq": seq, "session": session, "cmi": cmi, "terminate": terminate},
                                sco=sco)

    def commit_body(self, attempt_id, body, sco="sco1"):
        return self.client.post(f"/player/attempts/{attempt_id}/scos/{sco}/commit", json=body,
                                headers={"X-CSRFToken": self.token})


@pytest.fixture
def player(client, auth, module12):
    return Player(client, auth)


def state(attempt_id, sco="sco1") -> ScoState:
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt_id, ScoState.sco_id == sco))


def test_commit_is_stored_and_retry_is_a_duplicate(player):
    attempt_id = player.launch("T12")
    first = player.commit(attempt_id, 5, {"cmi.core.lesson_location": "p2", "cmi.suspend_data": "abc"})
    assert first.status_code == 200 and first.json["status"] == "stored"
    again = player.commit(attempt_id, 5, {"cmi.core.lesson_location": "p3"})
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p2"
    assert state(attempt_id).last_seq == 5
    assert [c.status for c in db.session.scalars(select(CommitLog).order_by(CommitLog.id))] == ["stored", "duplicate"]


def test_out_of_order_commit_never_overwrites_newer_state(player):
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 20, {"cmi.core.lesson_location": "new"}).json["status"] == "stored"
    late = player.commit(attempt_id, 10, {"cmi.core.lesson_location": "old"})
    assert late.status_code == 200 and late.json["status"] == "stale"
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "new"


def test_the_sco_value_is_stored_as_set_and_the_best_result_never_regresses(player):
    """SCORM 1.2 RTE 3.4.4 (cmi.core.lesson_status): the SCO may set completed back to incomplete; the
    data model keeps what it set, the learner's best result (the state's completion) stays completed."""
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_status": "completed"})
    player.commit(attempt_id, 2, {"cmi.core.lesson_status": "incomplete"})
    assert state(attempt_id).cmi["cmi.core.lesson_status"] == "incomplete"
    assert state(attempt_id).completion == "completed"


def test_total_time_accumulates_once_per_session(player):
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.session_time": "00:01:00"}, session="a")
    # the same session reports its whole time so far: 3 minutes, not 1 + 3
    player.commit(attempt_id, 2, {"cmi.core.session_time": "00:03:00"}, session="a")
    player.commit(attempt_id, 3, {"cmi.core.session_time": "00:02:00"}, session="b")
    row = state(attempt_id)
    assert row.cmi["cmi.core.total_time"] == "0000:05:00.00"
    assert float(row.total_seconds) == 300.0


def test_an_invalid_element_is_refused_and_the_others_are_stored(player):
    """SCORM 1.2 RTE 3.4.4 (cmi.core.score.raw is a CMIDecimal): the invalid element is answered with its
    SetValue error code (405 in 1.2: incorrect data type) and kept on the state; the rest is stored."""
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p1"})
    bad = player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p9", "cmi.core.score.raw": "lots"})
    assert bad.status_code == 200 and bad.json["status"] == "stored"
    assert [(e["element"], e["code"]) for e in bad.json["refused"]] == [("cmi.core.score.raw", 405)]
    row = state(attempt_id)
    assert row.cmi["cmi.core.lesson_location"] == "p9" and row.last_seq == 2
    assert "cmi.core.score.raw" not in row.cmi
    assert [(e["element"], e["seq"]) for e in row.refused] == [("cmi.core.score.raw", 2)]
    log = db.session.scalar(select(CommitLog).where(CommitLog.seq == 2))
    assert log.status == "stored" and log.errors[0]["element"] == "cmi.core.score.raw"


def test_a_body_that_is_not_an_element_map_is_a_422_and_nothing_changes(player):
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p1"})
    bad = player.commit(attempt_id, 2, ["cmi.core.lesson_location", "p9"])
    assert bad.status_code == 422 and bad.json["errorCode"] == 201
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p1" and state(attempt_id).last_seq == 1


def test_missing_sequence_is_a_400(player):
    attempt_id = player.launch("T12")
    response = player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", json={"cmi": {}},
                                  headers={"X-CSRFToken": player.token})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_sequence"





def test_passing_appends_one_training_record(player, tree):
    attempt_id = player.launch("T12")
    # mastery score 80: raw 85 makes the status "passed"
    result = player.commit(attempt_id, 1, {"cmi.core.score.raw": "85", "cmi.core.lesson_status": "completed"})
    assert result.json["attempt"] == {"status": "completed", "score": 85.0, "rule_met": True}
    # the session is still running: the record waits for its end, with the score the learner leaves with
    assert db.session.scalars(select(TrainingRecord)).all() == []
    player.client.post(f"/player/attempts/{attempt_id}/scos/sco1/commit", headers={"X-CSRFToken": player.token},
                       json={"seq": 2, "session": "s1", "cmi": {"cmi.core.score.raw": "90"}, "terminate": True})
    player.commit(attempt_id, 3, {"cmi.core.score.raw": "95", "cmi.core.exit": ""}, session="s2")  # a new session
    records = db.session.scalars(select(TrainingRecord)).all()
    assert len(records) == 1
    record = records[0]
    assert (record.cadre_id, record.source, float(record.hours), float(record.score)) == (
        tree["hn_cadre"].id, "online", 4.0, 90.0)
    assert record.evidence == {"attempt_id": attempt_id}
    assert record.dedupe_key == f"attempt:{attempt_id}"
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.record_id == record.id
    assert attempt.rule_reasons[0]["met"] is True


def test_suspend_data_over_4096_is_kept_by_default(player):
    attempt_id = player.launch("T12")
    data = "x" * 10000
    assert player.commit(attempt_id, 1, {"cmi.suspend_data": data}).status_code == 200
    assert state(attempt_id).cmi["cmi.suspend_data"] == data


def test_strict_suspend_data_setting(app, player):
    app.config["LMS_SCORM12_STRICT_SUSPEND_DATA"] = True
    try:
        attempt_id = player.launch("T12")
        response = player.commit(attempt_id, 1, {"cmi.suspend_data": "x" * 5000, "cmi.core.lesson_location": "p"})
        assert response.status_code == 200 and response.json["refused"][0]["element"] == "cmi.suspend_data"
        assert "cmi.suspend_data" not in state(attempt_id).cmi and state(attempt_id).cmi["cmi.core.lesson_location"] == "p"
    finally:
        app.config["LMS_SCORM12_STRICT_SUSPEND_DATA"] = False


def test_launch_resumes_then_policy_starts_new_attempt(player, module12):
    first = player.launch("T12")
    assert player.launch("T12") == first  # never: resume
    player.commit(first, 1, {"cmi.core.lesson_status": "completed"})
    # issue 18: a finished module opens on its result, never silently re-opened or restarted
    result = player.client.post("/player/modules/T12/launch", data={"csrf_token": player.token})
    assert result.status_code == 302 and result.headers["Location"].endswith("/player/modules/T12")
    second = player.launch("T12", new="1")
    assert second != first
    assert db.session.get(Attempt, second).number == 2


def test_attempts_allowed_limit(player, module12):
    module12.attempts_allowed = 1
    module12.new_attempt = "on_complete"
    db.session.commit()
    first = player.launch("T12")
    player.commit(first, 1, {"cmi.core.lesson_status": "completed"})
    response = player.client.post("/player/modules/T12/launch", data={"csrf_token": player.token, "new": "1"})
    assert response.status_code == 409


def test_play_page_hands_resume_state(player):
    attempt_id = player.launch("T12")
    page = player.client.get(f"/player/attempts/{attempt_id}/play").get_data(as_text=True)
    assert '"cmi.core.entry": "ab-initio"' in page
    player.commit(attempt_id, 1, {"cmi.core.exit": "suspend", "cmi.suspend_data": "bookmark-1"})
    page = player.client.get(f"/player/attempts/{attempt_id}/play").get_data(as_text=True)
    assert '"cmi.core.entry": "resume"' in page
    assert '"cmi.suspend_data": "bookmark-1"' in page
    assert '"cmi.student_data.mastery_score": "80"' in page
    assert '"cmi.launch_data": "chapter=1"' in page
    assert "index.html?page=one" in page


def test_my_modules_and_lecturer_pages(client, auth, player, tree):
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_status": "completed", "cmi.interactions.0.id": "q1",
                                  "cmi.interactions.0.type": "choice", "cmi.interactions.0.result": "correct"})
    body = client.get("/player/").get_data(as_text=True)
    assert 'data-module="T12" data-status="completed"' in body
    auth.logout()
    auth.login("gv.hanoi")
    detail = client.get(f"/player/attempts/{attempt_id}")
    assert detail.status_code == 200 and "q1" in detail.get_data(as_text=True)
    assert client.get(f"/player/cadres/{tree['hn_cadre'].id}/attempts").status_code == 200
    assert client.get("/player/modules/T12/attempts").status_code == 200
    auth.logout()
    auth.login("ql.caobang")
    assert client.get(f"/player/attempts/{attempt_id}").status_code == 404
    assert "Trần Thị" not in client.get("/player/modules/T12/attempts").get_data(as_text=True)


def test_a_plain_commit_runs_few_queries(player, count_queries, monkeypatch):
    """A commit that changes no outcome (bookmark, suspend data): no user or roles loaded (the session's
    claim is checked in the state query), no re-grading, no manifest or version loads. On PostgreSQL:
    two statements on an autocommit connection (read; UPDATE with its log row), no BEGIN/COMMIT; on
    SQLite: the locking path's read, UPDATE and log INSERT."""
    raw: list[str] = []
    real = commit_sql.autocommit_cursor

    @contextlib.contextmanager
    def counting():
        with real() as cursor:
            yield _CountingCursor(cursor, raw)

    monkeypatch.setattr(commit_sql, "autocommit_cursor", counting)
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_status": "incomplete"}).json["status"] == "stored"
    raw.clear()
    with count_queries() as q:
        response = player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p2", "cmi.suspend_data": "x"})
    assert response.json["status"] == "stored"
    print(f"{q.count} + {len(raw)} statements per plain commit:", *q.statements, *raw, sep="\n  ")
    if db.engine.dialect.name == "postgresql":
        assert (q.count, len(raw)) == (0, 2), (q.statements, raw)
    else:
        assert (q.count, len(raw)) == (3, 0), q.statements  # was 9, then 5 (user + roles loaded)
    raw.clear()
    with count_queries() as q:  # this process wrote the row last: no read (lms.player.state_cache)
        assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p3"}).json["status"] == "stored"
    if db.engine.dialect.name == "postgresql":
        assert (q.count, len(raw)) == (0, 1) and raw[0].startswith("WITH written AS (UPDATE"), (q.statements, raw)
    raw.clear()
    with count_queries() as q:
        assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p4"}).json["status"] == "duplicate"
    assert q.count + len(raw) <= 2, (q.statements, raw)
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "p3"


class _CountingCursor:
    def __init__(self, cursor, seen: list[str]):
        self._cursor, self._seen = cursor, seen

    def execute(self, sql, params=None):
        self._seen.append(sql)
        return self._cursor.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)






@pytest.mark.parametrize("plain", [True, False])
def test_both_commit_paths_store_the_same_thing(player, app, plain):
    """The same sequence of commits through the plain path (PostgreSQL) and the locking path gives the
    same state, total time, outcome, log and record."""
    app.config["LMS_PLAYER_PLAIN_COMMITS"] = plain
    try:
        attempt_id = player.launch("T12")
        steps = [
            (1, {"cmi.core.lesson_status": "incomplete", "cmi.core.session_time": "00:00:10"}, "stored"),
            (2, {"cmi.core.lesson_location": "p2", "cmi.suspend_data": "a" * 5000,
                 "cmi.core.session_time": "00:01:00"}, "stored"),
            (2, {"cmi.core.lesson_location": "again"}, "duplicate"),
            (1, {"cmi.core.lesson_location": "old"}, "stale"),
            (3, {"cmi.core.score.raw": "abc"}, "stored"),  # the element is refused, the commit stored
            (4, {"cmi.core.lesson_location": "p3", "cmi.core.session_time": "00:02:00"}, "stored"),
            (5, {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "90", "cmi.core.exit": ""}, "stored"),
        ]
        for seq, cmi, expected in steps:
            response = player.commit(attempt_id, seq, cmi)
            assert (response.json.get("status") or response.json["error"]["code"]) in (expected, "scorm_invalid")
    finally:
        app.config.pop("LMS_PLAYER_PLAIN_COMMITS")
    db.session.expire_all()
    stored = state(attempt_id)
    assert stored.last_seq == 5 and stored.cmi["cmi.core.lesson_location"] == "p3"
    assert stored.cmi["cmi.suspend_data"] == "a" * 5000
    assert stored.cmi["cmi.core.total_time"] == "0000:02:00.00" and stored.total_seconds == 120
    assert (stored.completion, stored.success) == ("completed", "passed")
    assert [c.status for c in db.session.scalars(select(CommitLog).order_by(CommitLog.id))] == [
        "stored", "stored", "duplicate", "stale", "stored", "stored", "stored"]
    assert [e["element"] for e in stored.refused] == ["cmi.core.score.raw"]
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.rule_met and attempt.record_id is not None


@pytest.mark.parametrize("plain", [True, False])
def test_the_mastery_score_decides_a_resent_12_status_on_both_paths(player, app, plain):
    """Mastery 80: "completed" with 50 is stored as "failed" (RTE 3.4.4). The SCO sending "completed" again
    with its bookmark changes no outcome — on PostgreSQL the plain path stores it — and the stored
    status must still be "failed", not the SCO's "completed"."""
    app.config["LMS_PLAYER_PLAIN_COMMITS"] = plain
    try:
        attempt_id = player.launch("T12")
        assert player.commit(attempt_id, 1, {"cmi.core.lesson_status": "completed",
                                             "cmi.core.score.raw": "50"}).json["status"] == "stored"
        assert state(attempt_id).cmi["cmi.core.lesson_status"] == "failed"
        assert player.commit(attempt_id, 2, {"cmi.core.lesson_status": "completed",
                                             "cmi.core.lesson_location": "p9"}).json["status"] == "stored"
    finally:
        app.config.pop("LMS_PLAYER_PLAIN_COMMITS")
    db.session.expire_all()
    stored = state(attempt_id)
    assert stored.cmi["cmi.core.lesson_location"] == "p9" and stored.last_seq == 2
    assert stored.cmi["cmi.core.lesson_status"] == "failed" and stored.success == "failed"


def test_a_plain_commit_that_loses_a_race_reads_again(player, monkeypatch):
    """Another tab's commit lands between the plain path's read and its UPDATE: the conditional UPDATE
    changes nothing, the commit reads again and is judged against the newer state (here: stale)."""
    attempt_id = player.launch("T12")
    assert player.commit(attempt_id, 1, {"cmi.core.lesson_status": "incomplete"}).json["status"] == "stored"
    if db.engine.dialect.name != "postgresql":  # SQLite has no plain path: every commit takes the locking one
        monkeypatch.setattr(commits, "_plain_commit", lambda *a, **k: pytest.fail("plain path on SQLite"))
        assert player.commit(attempt_id, 5, {"cmi.core.lesson_location": "this-tab"}).json["status"] == "stored"
        return
    real_merge = merge._merge
    calls = []

    def merge_while_another_tab_commits(*args, **kwargs):
        if not calls:
            with db.engine.connect() as other:  # the other tab, in its own transaction
                other.execute(text("UPDATE player_sco_states SET last_seq = 9, cmi = :cmi WHERE attempt_id = :a"),
                              {"cmi": '{"cmi.core.lesson_location": "other-tab", "cmi.core.lesson_status": '
                                      '"incomplete"}', "a": attempt_id})
                other.commit()
        calls.append(1)
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(merge, "_merge", merge_while_another_tab_commits)
    response = player.commit(attempt_id, 5, {"cmi.core.lesson_location": "this-tab"})
    assert response.json["status"] == "stale" and response.json["seq"] == 9
    assert len(calls) == 1  # read twice, merged once: the second read saw the newer sequence
    db.session.expire_all()
    assert state(attempt_id).cmi["cmi.core.lesson_location"] == "other-tab"


def test_the_commit_log_can_keep_only_problems(player, app):
    app.config["LMS_PLAYER_COMMIT_LOG"] = "problems"
    try:
        attempt_id = player.launch("T12")
        assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p1"}).json["status"] == "stored"
        assert player.commit(attempt_id, 3, {"cmi.core.lesson_location": "p1"}).json["status"] == "duplicate"
        assert player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p0"}).json["status"] == "stale"
        assert player.commit(attempt_id, 4, {"cmi.core.score.raw": "x"}).json["refused"]
        assert player.commit(attempt_id, 5, "not a map").status_code == 422
    finally:
        app.config.pop("LMS_PLAYER_COMMIT_LOG")
    assert [c.status for c in db.session.scalars(select(CommitLog).order_by(CommitLog.id))] == [
        "duplicate", "stale", "stored", "refused"]


def test_an_incomplete_12_sco_reporting_a_practice_score_is_not_failed(player):
    """Mastery score 80: a running score of 20 while "incomplete" leaves it incomplete (not failed =
    completed); once the SCO reports completed, the mastery score decides (passed at 85)."""
    attempt_id = player.launch("T12")
    body = player.commit(attempt_id, 1, {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "20"}).json
    assert body["attempt"] == {"status": "in_progress", "score": 20.0, "rule_met": False}
    assert (state(attempt_id).completion, state(attempt_id).success) == ("incomplete", "unknown")
    body = player.commit(attempt_id, 2, {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "85"}).json
    assert body["attempt"] == {"status": "completed", "score": 85.0, "rule_met": True}
    assert (state(attempt_id).completion, state(attempt_id).success) == ("completed", "passed")



def test_a_rule_met_in_a_session_that_never_ended_is_recorded_at_the_next_launch(player):
    attempt_id = player.launch("T12")
    player.commit(attempt_id, 1, {"cmi.core.score.raw": "88", "cmi.core.lesson_status": "completed"})
    assert db.session.scalars(select(TrainingRecord)).all() == []  # the browser died: no terminate
    # the next launch lands on the module's result (issue 18) and records the completion
    response = player.client.post("/player/modules/T12/launch", data={"csrf_token": player.token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/player/modules/T12")
    records = db.session.scalars(select(TrainingRecord)).all()
    assert [float(r.score) for r in records] == [88.0]
