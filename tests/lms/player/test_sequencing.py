"""The sequencing state endpoint and service (docs/sequencing.md): per-attempt activity tree state with the
commit endpoint's rules (CSRF header, own attempt, sequence numbers), global objectives per learner
(SN 3.10.1; ``objectivesGlobalToSystem`` false keeps them inside the package), the module's result from
the root activity's rollup (SN 4.6), and packages without sequencing kept on the plain player."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.player import sequencing
from lms.player.models import Attempt, GlobalObjective, SequencingState
from tests.lms.player.packages import module_from
from tests.lms.player.test_commits import Player
from tests.scorm import seq_manifests as m


def saved_tree(root: str = "ORG", completion: str = "unknown", success: str = "unknown", measure: float | None = None,
         current: str | None = "pre", suspended: str | None = None) -> str:
    state = {"completionStatus": completion, "successStatus": success,
             "objectiveMeasureStatus": measure is not None, "objectiveNormalizedMeasure": measure or 0}
    return json.dumps({"version": "1.0", "sequencing": {"currentActivity": current, "suspendedActivity": suspended,
                                                        "activityStates": {root: state}}})


@pytest.fixture
def pretest(app, tree, tmp_path):
    return module_from(tmp_path, m.PRETEST, "2004", "SQP")


@pytest.fixture
def player(client, auth, pretest):
    return Player(client, auth)


def save(player, attempt_id, body, headers=True):
    return player.client.post(f"/player/attempts/{attempt_id}/sequencing", json=body,
                              headers={"X-CSRFToken": player.token} if headers else {})


def row(attempt_id) -> SequencingState:
    db.session.expire_all()
    return db.session.scalar(select(SequencingState).where(SequencingState.attempt_id == attempt_id))


def test_the_play_page_hands_the_engine_its_settings(player):
    attempt_id = player.launch("SQP")
    html = player.client.get(f"/player/attempts/{attempt_id}/play").get_data(as_text=True)
    config = json.loads(html.split('id="player-config">')[1].split("</script>")[0])
    assert config["sequencing"]["settings"]["activityTree"]["id"] == "ORG"
    assert config["sequencing"]["saveUrl"] == f"/player/attempts/{attempt_id}/sequencing"
    assert "js/sequencing.js" in html and "scorm2004.min.js" in html


def test_save_stores_then_ignores_older_saves(player):
    attempt_id = player.launch("SQP")
    objectives = {"urn:seq:mastery": {"satisfiedStatus": True, "satisfiedStatusKnown": True},
                  "urn:other:package": {"satisfiedStatus": True}}
    first = save(player, attempt_id, {"seq": 10, "tree": saved_tree(), "objectives": objectives})
    assert first.status_code == 200 and first.json["status"] == "stored"
    assert save(player, attempt_id, {"seq": 10, "tree": saved_tree(current="post")}).json["status"] == "duplicate"
    assert save(player, attempt_id, {"seq": 9, "tree": saved_tree(current="post")}).json["status"] == "stale"
    assert row(attempt_id).current_activity == "pre"
    keys = db.session.scalars(select(GlobalObjective.key)).all()
    assert keys == ["urn:seq:mastery"]  # objectives the package does not map are not stored
    config = sequencing.engine_config(db.session.get(Attempt, attempt_id), _manifest(attempt_id))
    assert config["objectives"]["urn:seq:mastery"]["satisfiedStatus"] is True and config["seq"] == 10


def _manifest(attempt_id):
    from lms.player.services import manifest_of

    return manifest_of(db.session.get(Attempt, attempt_id).package_version)


@pytest.mark.parametrize("body", [{"seq": 1, "tree": "not json"}, {"seq": 1, "tree": "{}"},
                                  {"seq": 1, "tree": saved_tree(), "objectives": {"urn:seq:mastery": {"a": {"b": 1}}}},
                                  {"seq": 1, "tree": "x" * (sequencing.MAX_TREE_CHARS + 1)}])
def test_a_bad_state_is_refused_whole(player, body):
    attempt_id = player.launch("SQP")
    response = save(player, attempt_id, body)
    assert response.status_code == 422 and response.json["error"]["code"] == "sequencing_invalid"
    assert "không hợp lệ" in response.json["error"]["message"]
    assert row(attempt_id) is None and db.session.scalar(select(GlobalObjective)) is None


def test_save_needs_csrf_seq_and_the_learners_own_attempt(client, auth, player, other_learner):
    attempt_id = player.launch("SQP")
    assert save(player, attempt_id, {"seq": 1, "tree": saved_tree()}, headers=False).status_code == 400
    assert save(player, attempt_id, {"tree": saved_tree()}).status_code == 400
    auth.logout()
    dung = Player(client, auth, "hv.dung")
    assert save(dung, attempt_id, {"seq": 1, "tree": saved_tree()}).status_code == 404
    assert row(attempt_id) is None


def test_the_root_rollup_is_the_modules_result(player):
    """SN 4.6: the root activity's completion, success and measure become the attempt's status, success and
    score — whatever the SCO aggregation would say."""
    attempt_id = player.launch("SQP")
    save(player, attempt_id, {"seq": 1, "tree": saved_tree(completion="completed", success="passed", measure=0.75,
                                                     current=None)})
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.success, float(attempt.score)) == ("completed", "passed", 75.0)
    assert attempt.rule_met  # the default rule "completed"
    explained = sequencing.rollup_explanation(attempt, _manifest(attempt_id))
    assert explained["course_vi"] == "hoàn thành, đạt" and explained["measure"] == 75.0


def test_objectives_not_global_to_system_stay_in_the_package(app, tree, tmp_path, client, auth):
    """CAM adlseq:objectivesGlobalToSystem="false": the learner's objective is keyed by the package."""
    manifest = m.PRETEST.replace('<organization identifier="ORG" ',
                                 '<organization identifier="ORG" adlseq:objectivesGlobalToSystem="false" ')
    module_from(tmp_path, manifest, "2004", "SQL")
    player = Player(client, auth)
    attempt_id = player.launch("SQL")
    save(player, attempt_id, {"seq": 1, "tree": saved_tree(),
                              "objectives": {"urn:seq:mastery": {"satisfiedStatus": True}}})
    assert db.session.scalars(select(GlobalObjective.key)).all() == ["SEQ_PRETEST/urn:seq:mastery"]


def test_a_2004_package_without_sequencing_keeps_the_plain_player(app, tree, tmp_path, client, auth):
    from tests.lms.player.packages import RTE_2004

    module_from(tmp_path, RTE_2004.replace('<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
                                           '</imsss:sequencing>', ""), "2004", "SQN")
    player = Player(client, auth)
    attempt_id = player.launch("SQN")
    html = player.client.get(f"/player/attempts/{attempt_id}/play").get_data(as_text=True)
    assert "js/sequencing.js" not in html and '"sequencing"' not in html
