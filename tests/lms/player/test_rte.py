"""Run-time rules on the server (issue 15): learner attempts and entry, suspendAll, session time, the LMS's
defaults when a SCO ends, assets, seeding, shared data, refused elements, the commit bound, request_valid
and the table of contents. Each test names the book section that decides it."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.player.models import Attempt, ScoState, SharedData
from tests.lms.player.packages import RTE_12, RTE_2004, module_from
from tests.lms.player.test_commits import Player


@pytest.fixture
def m2004(app, tree, tmp_path):
    return module_from(tmp_path, RTE_2004, "2004", "R04")


@pytest.fixture
def m12(app, tree, tmp_path):
    return module_from(tmp_path, RTE_12, "1.2", "R12")


@pytest.fixture
def player(client, auth, tree):
    return Player(client, auth)


def config(player, attempt_id, sco=None):
    """The page's #player-config of a launch."""
    url = f"/player/attempts/{attempt_id}/play" + (f"?sco={sco}" if sco else "")
    html = player.client.get(url).get_data(as_text=True)
    return json.loads(re.search(r'id="player-config">(.*?)</script>', html, re.S).group(1))


def row(attempt_id, sco) -> ScoState:
    db.session.expire_all()
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt_id, ScoState.sco_id == sco))


# --- learner attempts and entry -------------------------------------------------------------------------


def test_2004_first_launch_is_ab_initio_with_the_manifest_seeds(player, m2004):
    """2004 4th ed. RTE 4.2.8 (entry ab-initio), 4.2.17 (objectives from the manifest), 4.2.22
    (scaled_passing_score from minNormalizedMeasure), 4.2.14/4.2.25 (max_time_allowed from
    attemptAbsoluteDurationLimit, time_limit_action), 4.2.13 (launch_data), 4.2.4 (completion_threshold)."""
    attempt_id = player.launch("R04")
    state = config(player, attempt_id, "sco_a")["state"]
    assert state["cmi.entry"] == "ab-initio"
    assert (state["cmi.objectives.0.id"], state["cmi.objectives.1.id"]) == ("obj_primary", "obj_second")
    assert state["cmi.scaled_passing_score"] == "0.7" and state["cmi.completion_threshold"] == "0.8"
    assert state["cmi.max_time_allowed"] == "PT1H" and state["cmi.time_limit_action"] == "exit,message"
    assert state["cmi.launch_data"] == "from-manifest-a"


def test_12_launch_values_from_the_manifest(player, m12):
    """SCORM 1.2 RTE 3.4.4 (cmi.student_data.*, cmi.launch_data; CAM 2.3.4 adlcp:masteryscore …)."""
    state = config(player, player.launch("R12"), "sco1")["state"]
    assert state["cmi.core.entry"] == "ab-initio"
    assert state["cmi.student_data.mastery_score"] == "80"
    assert state["cmi.student_data.max_time_allowed"] == "00:30:00"
    assert state["cmi.student_data.time_limit_action"] == "exit,no message"
    assert state["cmi.launch_data"] == "from-manifest-1"


def test_2004_normal_exit_starts_a_new_learner_attempt(player, m2004):
    """2004 4th ed. RTE 4.2.8 / 4.2.10: after exit "normal" the next launch is a new learner attempt —
    entry ab-initio, fresh data except the manifest's seeds; the earlier attempt's time is kept."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.location": "p5", "cmi.suspend_data": "old", "cmi.objectives.0.score.scaled":
                                  "0.5", "cmi.session_time": "PT2M", "cmi.exit": "normal"}, sco="sco_a", session="s1")
    state = config(player, attempt_id, "sco_a")["state"]
    assert state["cmi.entry"] == "ab-initio"
    assert "cmi.location" not in state and "cmi.suspend_data" not in state
    assert state["cmi.objectives.0.id"] == "obj_primary" and "cmi.objectives.0.score.scaled" not in state
    player.commit(attempt_id, 2, {"cmi.location": "p1", "cmi.session_time": "PT1M"}, sco="sco_a", session="s2")
    stored = row(attempt_id, "sco_a")
    assert stored.sco_attempt == 2 and "cmi.suspend_data" not in stored.cmi
    assert stored.cmi["cmi.location"] == "p1" and stored.cmi["cmi.objectives.0.id"] == "obj_primary"
    assert stored.cmi["cmi.total_time"] == "PT1M"  # the new learner attempt's own total (RTE 4.2.26)
    assert stored.total_seconds == Decimal(180) and stored.prior_seconds == Decimal(120)


def test_2004_suspend_resumes_with_the_suspended_data(player, m2004):
    """2004 4th ed. RTE 4.2.8: entry "resume" after exit "suspend", with the data of the suspended session."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.location": "p5", "cmi.suspend_data": "abc", "cmi.exit": "suspend"},
                  sco="sco_a", session="s1")
    state = config(player, attempt_id, "sco_a")["state"]
    assert (state["cmi.entry"], state["cmi.location"], state["cmi.suspend_data"]) == ("resume", "p5", "abc")
    assert "cmi.exit" not in state


def test_a_normal_exit_after_an_earlier_suspend_is_recorded(player, m2004):
    """2004 4th ed. RTE 4.2.10: the resumed session's exit "normal" replaces the earlier "suspend" — the
    next launch is a new learner attempt, not a resume."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.suspend_data": "abc", "cmi.exit": "suspend"}, sco="sco_a", session="s1")
    player.commit(attempt_id, 2, {"cmi.location": "end", "cmi.exit": "normal"}, sco="sco_a", session="s2")
    assert row(attempt_id, "sco_a").cmi["cmi.exit"] == "normal"
    assert config(player, attempt_id, "sco_a")["state"]["cmi.entry"] == "ab-initio"


def test_a_resumed_session_without_exit_ends_the_attempt(player, m2004):
    """2004 4th ed. RTE 4.2.10: exit is per session ("" when the SCO sets none): a session resumed after
    a suspend that ends without exit ends the learner attempt."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.suspend_data": "abc", "cmi.exit": "suspend"}, sco="sco_a", session="s1")
    player.commit(attempt_id, 2, {"cmi.location": "x"}, sco="sco_a", session="s2", terminate=True)
    assert "cmi.exit" not in row(attempt_id, "sco_a").cmi
    assert config(player, attempt_id, "sco_a")["state"]["cmi.entry"] == "ab-initio"


def test_12_entry_is_resume_only_after_suspend_and_the_data_stays(player, m12):
    """SCORM 1.2 RTE 3.4.4 cmi.core.entry: "resume" only after exit "suspend", otherwise "" — and 1.2 has
    no learner attempts: the data stays."""
    attempt_id = player.launch("R12")
    player.commit(attempt_id, 1, {"cmi.core.lesson_location": "p2", "cmi.core.exit": "suspend"}, session="s1",
                  sco="sco2")
    state = config(player, attempt_id, "sco2")["state"]
    assert (state["cmi.core.entry"], state["cmi.core.lesson_location"]) == ("resume", "p2")
    player.commit(attempt_id, 2, {"cmi.core.lesson_location": "p3", "cmi.core.exit": ""}, session="s2", sco="sco2")
    state = config(player, attempt_id, "sco2")["state"]
    assert (state["cmi.core.entry"], state["cmi.core.lesson_location"]) == ("", "p3")


def test_suspend_all_saves_the_position_and_the_next_launch_resumes_that_sco(player, m2004):
    """2004 4th ed. RTE 4.4.2 / SN 4.6.2 (suspendAll): every SCO's state is kept, the position is saved,
    the next launch of the course opens the suspended SCO with entry "resume"."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.location": "a-end", "cmi.exit": "normal"}, sco="sco_a", session="s1")
    player.commit(attempt_id, 2, {"cmi.location": "b-3", "cmi.suspend_data": "B", "adl.nav.request": "suspendAll"},
                  sco="sco_b", session="s2", terminate=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).suspended_sco == "sco_b"
    assert player.launch("R04") == attempt_id
    cfg = config(player, attempt_id)
    assert cfg["scoId"] == "sco_b"
    assert (cfg["state"]["cmi.entry"], cfg["state"]["cmi.location"]) == ("resume", "b-3")
    player.commit(attempt_id, 3, {"cmi.location": "b-4"}, sco="sco_b", session="s3")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).suspended_sco is None


# --- session time ----------------------------------------------------------------------------------------


def test_session_time_is_the_scos_when_set(player, m2004):
    """2004 4th ed. RTE 4.2.23: the SCO's session_time is the session's time, even when the page measured more."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.session_time": "PT30S"}, sco="sco_b", session="s1")
    player.commit_body(attempt_id, {"seq": 2, "session": "s1", "cmi": {}, "terminate": True, "elapsed": 95},
                       sco="sco_b")
    assert row(attempt_id, "sco_b").total_seconds == Decimal(30)


def test_without_session_time_initialize_to_terminate_counts(player, m12):
    """SCORM 1.2 RTE 3.4.4 cmi.core.session_time / 2004 RTE 4.2.23: when the SCO reports none, the LMS
    counts Initialize → Terminate (the page's ``elapsed``); also when the LMS terminated the SCO."""
    attempt_id = player.launch("R12")
    player.commit_body(attempt_id, {"seq": 1, "session": "s1", "cmi": {"cmi.core.lesson_location": "x"},
                                    "terminate": True, "elapsed": 75.5}, sco="sco2")
    assert row(attempt_id, "sco2").total_seconds == Decimal("75.50")
    player.commit_body(attempt_id, {"seq": 2, "session": "s2", "cmi": {}, "terminate_by_lms": True,
                                    "elapsed": "20"}, sco="sco2")
    stored = row(attempt_id, "sco2")
    assert stored.total_seconds == Decimal("95.50") and stored.cmi["cmi.core.total_time"] == "0000:01:35.50"


# --- the LMS's defaults when a SCO ends --------------------------------------------------------------------


def test_12_finish_without_lesson_status_is_completed(player, m12):
    """SCORM 1.2 RTE 3.4.4 (lesson_status, LMS behaviour): a SCO that calls only LMSInitialize/LMSFinish is
    completed; the LMS writes "completed" into its data."""
    attempt_id = player.launch("R12")
    player.commit_body(attempt_id, {"seq": 1, "session": "s1", "cmi": {}, "terminate": True}, sco="sco2")
    stored = row(attempt_id, "sco2")
    assert stored.completion == "completed" and stored.cmi["cmi.core.lesson_status"] == "completed"


def test_12_finish_with_a_raw_score_is_passed_or_failed_by_the_mastery_score(player, m12):
    """SCORM 1.2 RTE 3.4.4: with adlcp:masteryscore and a raw score, the LMS sets passed/failed."""
    attempt_id = player.launch("R12")
    player.commit_body(attempt_id, {"seq": 1, "session": "s1", "cmi": {"cmi.core.score.raw": "60"},
                                    "terminate": True}, sco="sco1")
    stored = row(attempt_id, "sco1")
    assert (stored.cmi["cmi.core.lesson_status"], stored.completion, stored.success) == ("failed", "completed",
                                                                                          "failed")


def test_2004_initialize_terminate_only_is_completed_and_satisfied(player, m2004):
    """2004 4th ed. SN 3.12 (deliveryControls completionSetByContent/objectiveSetByContent false by default)
    and UP.4: the LMS sets completion and satisfaction when the attempt ends without the SCO's report;
    the SCO's data keeps what it set (nothing)."""
    attempt_id = player.launch("R04")
    player.commit_body(attempt_id, {"seq": 1, "session": "s1", "cmi": {}, "terminate": True}, sco="sco_b")
    stored = row(attempt_id, "sco_b")
    assert (stored.completion, stored.success) == ("completed", "passed")
    assert "cmi.completion_status" not in stored.cmi


def test_2004_completion_threshold_decides_against_progress_measure(player, m2004):
    """2004 4th ed. RTE 4.2.4.1: with a completion threshold (0.8) the progress measure decides."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.progress_measure": "0.5", "cmi.completion_status": "completed",
                                  "cmi.exit": "suspend"}, sco="sco_a")
    assert row(attempt_id, "sco_a").completion == "incomplete"
    player.commit(attempt_id, 2, {"cmi.progress_measure": "0.9"}, sco="sco_a")
    assert row(attempt_id, "sco_a").completion == "completed"


def test_values_are_stored_as_set_and_the_best_result_never_regresses(player, m2004):
    """2004 4th ed. RTE 4.2.4 (completion_status is read/write): completed → incomplete is stored; the
    learner's best result is kept apart and does not regress, also across learner attempts."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.completion_status": "completed", "cmi.success_status": "passed",
                                  "cmi.score.scaled": "0.9"}, sco="sco_b")
    player.commit(attempt_id, 2, {"cmi.completion_status": "incomplete", "cmi.success_status": "failed",
                                  "cmi.score.scaled": "0.2", "cmi.exit": "normal"}, sco="sco_b")
    stored = row(attempt_id, "sco_b")
    assert (stored.cmi["cmi.completion_status"], stored.cmi["cmi.success_status"]) == ("incomplete", "failed")
    assert (stored.completion, stored.success, stored.score_scaled) == ("completed", "passed", 0.9)
    player.commit(attempt_id, 3, {"cmi.score.scaled": "0.1"}, sco="sco_b", session="s2")  # a new learner attempt
    assert row(attempt_id, "sco_b").score_scaled == 0.9


# --- assets ------------------------------------------------------------------------------------------------


def test_an_asset_is_completed_once_launched_and_never_blocks_completion(player, m12):
    """CAM 3.4.1 (adlcp:scormtype asset: no API) / SN 4.2.1: the asset counts completed once launched and
    is not counted among the SCOs: finishing the two SCOs completes the module."""
    attempt_id = player.launch("R12")
    for seq, sco in ((1, "sco1"), (2, "sco2")):
        player.commit_body(attempt_id, {"seq": seq, "session": "s", "cmi": {"cmi.core.lesson_status": "passed"},
                                        "terminate": True}, sco=sco)
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "completed" and attempt.rule_met and attempt.record_id is not None
    cfg = config(player, attempt_id, "handout")
    assert cfg["asset"] is True
    assert row(attempt_id, "handout").completion == "completed"


# --- shared data ---------------------------------------------------------------------------------------


def test_shared_data_is_seeded_written_back_and_shared_across_scos(player, m2004):
    """2004 4th ed. RTE 4.3 (adl.data) / CAM adlcp:data, adlcp:map: a bucket the SCO writes is given to
    every SCO that maps it (and across attempts); a map with writeSharedData="false" refuses the write."""
    attempt_id = player.launch("R04")
    state = config(player, attempt_id, "sco_a")["state"]
    assert (state["adl.data.0.id"], state["adl.data.1.id"]) == ("urn:test:notes", "urn:test:fixed")
    assert "adl.data.0.store" not in state
    answer = player.commit(attempt_id, 1, {"adl.data.0.store": "ghi chú", "adl.data.1.store": "x"}, sco="sco_a")
    assert answer.status_code == 200
    assert [(e["element"], e["code"]) for e in answer.json["refused"]] == [("adl.data.1.store", 404)]
    state_b = config(player, attempt_id, "sco_b")["state"]
    assert (state_b["adl.data.0.id"], state_b["adl.data.0.store"]) == ("urn:test:notes", "ghi chú")
    player.commit(attempt_id, 1, {"adl.data.0.store": "sửa ở B"}, sco="sco_b")
    assert db.session.scalar(select(SharedData.store).where(SharedData.key == "urn:test:notes")) == "sửa ở B"
    assert not any(k.startswith("adl.data") for k in row(attempt_id, "sco_a").cmi)


# --- commits ---------------------------------------------------------------------------------------------


def _interactions(count: int, bad: int | None = None) -> dict[str, str]:
    cmi: dict[str, str] = {}
    for n in range(count):
        cmi[f"cmi.interactions.{n}.id"] = f"q{n}"
        cmi[f"cmi.interactions.{n}.type"] = "true-false"
        cmi[f"cmi.interactions.{n}.learner_response"] = "maybe" if n == bad else "true"
        cmi[f"cmi.interactions.{n}.result"] = "correct"
        cmi[f"cmi.interactions.{n}.description"] = "Câu hỏi " + "x" * 700
    return cmi


def test_one_invalid_element_among_250_interactions_the_rest_is_stored(player, m2004, tree):
    """2004 4th ed. RTE 4.2.9.1 (true-false learner_response is "true"/"false"): the refused element is
    answered and kept on the state for the lecturer's attempt page; the other 249 interactions and every
    other element are stored."""
    attempt_id = player.launch("R04")
    answer = player.commit(attempt_id, 1, {**_interactions(250, bad=137), "cmi.location": "end"}, sco="sco_b")
    assert answer.status_code == 200 and answer.json["status"] == "stored"
    assert [(e["element"], e["code"]) for e in answer.json["refused"]] == [
        ("cmi.interactions.137.learner_response", 406)]
    stored = row(attempt_id, "sco_b")
    assert stored.cmi["cmi.location"] == "end" and stored.cmi["cmi.interactions.249.learner_response"] == "true"
    assert "cmi.interactions.137.learner_response" not in stored.cmi and stored.cmi["cmi.interactions.137.id"] == "q137"


def test_the_lecturer_sees_refused_elements_on_the_attempt_page(client, auth, m2004, tree):
    """Issue 15: the refused element is shown to the lecturer on the attempt page."""
    learner = Player(client, auth)
    attempt_id = learner.launch("R04")
    learner.commit(attempt_id, 1, {"cmi.score.scaled": "7"}, sco="sco_b")
    auth.logout()
    auth.login("gv.hanoi")
    html = client.get(f"/player/attempts/{attempt_id}").get_data(as_text=True)
    assert "cmi.score.scaled" in html and "Bị từ chối" in html


def test_an_oversize_commit_is_a_413_and_nothing_is_stored(player, m2004, app):
    """Issue 15: a commit above LMS_MAX_COMMIT_KB (bounded by scorm.limits.commit_bound_bytes, the largest
    legal data model of 2004 4th ed. RTE 4.1.1.6 SPMs) gets 413 with a Vietnamese error; nothing stored."""
    attempt_id = player.launch("R04")
    player.commit(attempt_id, 1, {"cmi.location": "kept"}, sco="sco_b")
    app.config["LMS_MAX_COMMIT_KB"] = 64
    try:
        answer = player.commit(attempt_id, 2, {"cmi.location": "lost", "cmi.suspend_data": "x" * 70_000}, sco="sco_b")
    finally:
        app.config["LMS_MAX_COMMIT_KB"] = 4096
    assert answer.status_code == 413 and answer.json["error"]["code"] == "commit_too_large"
    assert "quá lớn" in answer.json["error"]["message"]
    stored = row(attempt_id, "sco_b")
    assert stored.last_seq == 1 and stored.cmi["cmi.location"] == "kept"


# --- navigation and the table of contents ---------------------------------------------------------------


def test_request_valid_is_delivered_at_launch(player, m2004):
    """2004 4th ed. RTE 4.4.3 (adl.nav.request_valid) with SN control modes: flow="true" on the
    organization makes continue/previous valid where a neighbour exists; choice/jump name real targets."""
    attempt_id = player.launch("R04")
    first = config(player, attempt_id, "sco_a")["navValid"]
    assert (first["continue"], first["previous"]) == (True, False)
    assert first["choice"] == {"sco_a": True, "sco_b": True, "sco_c": True, "handout": True}
    assert first["jump"]["sco_c"] is True and "nope" not in first["jump"]
    last = config(player, attempt_id, "handout")["navValid"]
    assert (last["continue"], last["previous"]) == (False, True)


def test_request_valid_continue_is_false_without_flow(player, tmp_path):
    """IMS SS controlMode flow defaults to false (2004 4th ed. SN 3.2.1): without it continue/previous are
    not valid; choice stays valid (choice defaults to true)."""
    no_flow = RTE_2004.replace('<imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>', "")
    module_from(tmp_path, no_flow, "2004", "NF04")
    valid = config(player, player.launch("NF04"), "sco_a")["navValid"]
    assert (valid["continue"], valid["previous"]) == (False, False) and valid["choice"]["sco_b"] is True


def test_isvisible_false_hides_only_that_item(player, m2004):
    """CAM 3.4.1.12 (isvisible): the hidden folder is not in the table of contents, its child is."""
    from lms.player import services

    attempt = db.session.get(Attempt, player.launch("R04"))
    rows = services.toc(services.manifest_of(attempt.package_version))
    assert [(r["identifier"], r["depth"]) for r in rows] == [("sco_a", 0), ("sco_b", 0), ("sco_c", 0),
                                                             ("handout", 0)]
