"""scorm-again's sequencing engine driven from our parsed tree (scorm/sequencing_tree.py) through the page's
glue (lms/static/js/sequencing.js), run in Node: the measurement behind docs/sequencing.md "Engine".
Sections cited are of the SCORM 2004 4th ed. Sequencing and Navigation book (SN)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from scorm.manifest import parse_manifest
from scorm.sequencing_tree import engine_settings, global_objective_ids, uses_sequencing
from tests.needs import missing
from tests.scorm import seq_manifests as m

DRIVER = Path(__file__).with_name("engine_driver.js")


def run(manifest: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        missing("node is missing")
    settings = engine_settings(parse_manifest(manifest.encode()))
    done = subprocess.run([node, str(DRIVER)], input=json.dumps({"settings": settings, "steps": steps}),
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_tree_settings_follow_the_manifest() -> None:
    parsed = parse_manifest(m.PRETEST.encode())
    tree = engine_settings(parsed)["activityTree"]
    assert uses_sequencing(parsed)
    assert [c["id"] for c in tree["children"]] == ["pre", "content", "post"]
    assert tree["sequencingControls"]["choice"] is False and tree["sequencingControls"]["flow"] is True
    content = tree["children"][1]
    assert content["sequencingRules"]["preConditionRules"][0]["action"] == "skip"
    assert content["primaryObjective"]["mapInfo"][0]["targetObjectiveID"] == "urn:seq:mastery"
    assert global_objective_ids(parsed) == ["urn:seq:mastery"]


def test_forced_sequential_order() -> None:
    """SN 3.2.1 flow with choice off: start delivers the first, Continue the next, choice is refused."""
    ids = ["s1", "s2", "s3"]
    r = run(m.FORCED, [{"op": "nav", "request": "start", "ids": ids},
                       {"op": "nav", "request": "choice", "target": "s3"},
                       {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue",
                        "ids": ids}])
    assert r[0]["current"] == "s1" and r[0]["validity"]["choice"] == dict.fromkeys(ids, False)
    assert r[1]["ok"] is False and r[1]["current"] == "s1"
    assert r[2]["current"] == "s2" and r[2]["validity"]["previous"] is True


def test_pretest_passed_skips_the_content() -> None:
    """SN 3.4 pre-condition rule skip on a global objective (SN 3.10.1) written by the pre-test."""
    r = run(m.PRETEST, [{"op": "nav", "request": "start"},
                        {"op": "finish", "cmi": {"cmi.score.scaled": "0.9", "cmi.completion_status": "completed"},
                         "request": "continue"}])
    assert r[0]["current"] == "pre" and r[1]["current"] == "post"


def test_pretest_failed_delivers_the_content() -> None:
    r = run(m.PRETEST, [{"op": "nav", "request": "start"},
                        {"op": "finish", "cmi": {"cmi.score.scaled": "0.3", "cmi.completion_status": "completed"},
                         "request": "continue"}])
    assert r[1]["current"] == "content"


def test_posttest_rolls_up_to_the_course() -> None:
    """SN 4.6 rollup: the post-test's satisfaction and completion become the root's."""
    r = run(m.POSTTEST, [{"op": "nav", "request": "start"},
                         {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"},
                         {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.75"},
                          "request": "exitAll"}])
    assert r[1]["current"] == "final"
    assert r[2]["root"]["success"] == "passed" and r[2]["root"]["completion"] == "completed"


def test_suspend_all_then_resume_all_elsewhere() -> None:
    """SN 4.2 suspendAll keeps the suspended activity; resumeAll on a restored engine delivers it."""
    r = run(m.FORCED, [{"op": "nav", "request": "start"},
                       {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"},
                       {"op": "nav", "request": "suspendAll"},
                       {"op": "reload"},
                       {"op": "nav", "request": "resumeAll"}])
    assert r[2]["ended"] == "suspend_all"
    assert r[3]["current"] is None and r[3]["suspended"] == "s2"
    assert r[4]["current"] == "s2"


def test_choice_exit_off_and_hidden_from_choice() -> None:
    """SN 3.2.1 choiceExit=false: while the cluster is active no choice leaves it; SN 3.4.2 hiddenFromChoice."""
    ids = ["u1", "u2", "answers", "extra"]
    r = run(m.CHOICE, [{"op": "nav", "request": "start", "ids": ids},
                       {"op": "nav", "request": "choice", "target": "extra"},
                       {"op": "nav", "request": "choice", "target": "u2", "ids": ids}])
    assert r[0]["current"] == "u1"
    assert r[0]["validity"]["choice"] == {"u1": True, "u2": True, "answers": False, "extra": False}
    assert r[1]["ok"] is False and r[1]["current"] == "u1"
    assert r[2]["current"] == "u2"


def test_failed_quiz_is_retried_and_attempt_limit_disables() -> None:
    """SN 3.4 post-condition retry when not satisfied; SN 3.5 attemptLimit=1 makes the briefing unavailable."""
    ids = ["brief", "quiz", "done"]
    r = run(m.RETRY, [{"op": "nav", "request": "start"},
                      {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"},
                      {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.4",
                                                                       "cmi.success_status": "failed"},
                       "request": "continue", "ids": ids},
                      {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.9"},
                       "request": "continue", "ids": ids}])
    assert r[1]["current"] == "quiz"
    assert r[2]["current"] == "quiz"  # retried
    assert r[2]["validity"]["choice"]["brief"] is False  # its one attempt is used
    assert r[3]["current"] == "done"


def test_global_objective_written_then_read() -> None:
    """SN 3.10.1: the writer's objective "safety" passed is read by the reader's, also after a reload."""
    r = run(m.GLOBAL, [{"op": "nav", "request": "start"},
                       {"op": "finish", "cmi": {"cmi.objectives.0.id": "safety",
                                                "cmi.objectives.0.success_status": "passed",
                                                "cmi.completion_status": "completed"}, "request": "continue"},
                       {"op": "reload", "keepObjectivesOnly": True}])
    assert r[1]["current"] == "reader"


def test_hidden_lms_ui_of_the_delivered_activity() -> None:
    """adlnav:hideLMSUI (CAM 5.1.6): the effective hidden LMS UI of the current activity."""
    r = run(m.HIDE_UI, [{"op": "nav", "request": "start"},
                        {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"}])
    assert r[0]["current"] == "h1" and sorted(r[0]["hideLmsUi"]) == ["continue", "previous"]
    assert r[1]["current"] == "h2" and r[1]["hideLmsUi"] == []


def test_forward_only_refuses_previous() -> None:
    """SN 3.2.4 forwardOnly=true: Previous is neither offered nor accepted."""
    r = run(m.FORWARD, [{"op": "nav", "request": "start"},
                        {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"},
                        {"op": "nav", "request": "previous"}])
    assert r[1]["current"] == "f2" and r[1]["validity"]["previous"] is False
    assert r[2]["ok"] is False and r[2]["current"] == "f2"


def test_exit_condition_rule_leaves_the_cluster() -> None:
    """SN 3.4 exitConditionRule "always → exit" on a cluster: Continue from its first lesson goes past it."""
    r = run(m.EXIT_RULE, [{"op": "nav", "request": "start"},
                          {"op": "finish", "cmi": {"cmi.completion_status": "completed"}, "request": "continue"}])
    assert r[0]["current"] == "e1" and r[1]["current"] == "after"


def test_constrained_choice_is_only_half_applied_by_the_engine() -> None:
    """SN 3.3 constrainChoice=true: the look-ahead offers only the flow neighbour c2 and c4 is refused, but
    scorm-again 3.4.3 also refuses the choice of c2 (NB.2.1-11) — so constrained choice stays out of
    APPLIED (docs/sequencing.md "Where it falls short")."""
    ids = ["c1", "c2", "c3", "c4"]
    r = run(m.CONSTRAINED, [{"op": "nav", "request": "start", "ids": ids},
                            {"op": "nav", "request": "choice", "target": "c4"},
                            {"op": "nav", "request": "choice", "target": "c2"}])
    assert r[0]["current"] == "c1"
    assert r[0]["validity"]["choice"] == {"c1": True, "c2": True, "c3": False, "c4": False}
    assert r[1]["ok"] is False and r[1]["current"] == "c1"
    assert r[2]["ok"] is False and r[2]["error"] == "NB.2.1-11"


def test_selection_is_only_half_applied_by_the_engine() -> None:
    """SN 3.11 selectCount=1 at onEachNewAttempt: one question is selected for choice, but scorm-again
    3.4.3's start still delivers the first child whether selected or not, so randomization stays out of
    APPLIED (docs/sequencing.md "Where it falls short")."""
    ids = ["q1", "q2", "q3"]
    r = run(m.RANDOM, [{"op": "nav", "request": "start", "ids": ids}])
    assert sum(r[0]["validity"]["choice"].values()) == 1
    assert r[0]["current"] == "q1"


def test_activity_left_out_of_rollup_does_not_hold_the_course_back() -> None:
    """SN 3.8 rollupObjectiveSatisfied/rollupProgressCompletion=false: an incomplete lesson left out of
    rollup; the default rules (SN 4.6.x, all children) make the course completed and passed by the test."""
    r = run(m.EXCLUDED, [{"op": "nav", "request": "start"},
                         {"op": "finish", "cmi": {"cmi.completion_status": "incomplete"}, "request": "continue"},
                         {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.75"},
                          "request": "exitAll"}])
    assert r[1]["current"] == "final"
    assert r[2]["root"]["completion"] == "completed" and r[2]["root"]["success"] == "passed"


def test_rollup_considerations_leave_out_an_unattempted_activity() -> None:
    """SN 3.9 adlseq:rollupConsiderations required…="ifAttempted": the optional reading, never attempted,
    does not hold the course back (without the considerations the course stays incomplete)."""
    r = run(m.CONSIDERED, [{"op": "nav", "request": "start"},
                           {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.75"},
                            "request": "exitAll"}])
    assert r[0]["current"] == "final"
    assert r[1]["root"]["completion"] == "completed" and r[1]["root"]["success"] == "passed"


def test_untracked_activity_leaves_nothing_to_roll_up() -> None:
    """SN 3.13 tracked=false: the survey left incomplete does not make the course incomplete."""
    r = run(m.UNTRACKED, [{"op": "nav", "request": "start"},
                          {"op": "finish", "cmi": {"cmi.completion_status": "completed", "cmi.score.scaled": "0.75"},
                           "request": "continue"},
                          {"op": "finish", "cmi": {"cmi.completion_status": "incomplete"}, "request": "exitAll"}])
    assert r[1]["current"] == "survey"
    assert r[2]["root"]["completion"] == "completed" and r[2]["root"]["success"] == "passed"
