"""scorm/sequencing_tree.py hands scorm-again's ActivitySettings every part of the parsed sequencing
(scorm-again 3.4.3 dist/types/types/sequencing_types.d.ts). Sections: SCORM 2004 4th ed. SN book."""

from __future__ import annotations

from typing import Any

import pytest

from scorm.build_course import build_course_manifest
from scorm.manifest import parse_manifest
from scorm.sequencing_tree import engine_settings, uses_sequencing
from tests.scorm import seq_courses
from tests.scorm import seq_manifests as m


def _tree(items: str, org_sequencing: str = "") -> tuple[dict[str, Any], bool]:
    parsed = parse_manifest(m.manifest("T", items, org_sequencing).encode())
    return engine_settings(parsed)["activityTree"], uses_sequencing(parsed)


def _one(sequencing: str) -> tuple[dict[str, Any], bool]:
    tree, uses = _tree(m.item("a", "A", sequencing) + m.item("b", "B"))
    return tree["children"][0], uses


def test_constrained_choice_considerations() -> None:
    """SN 3.3 adlseq:constrainedChoiceConsiderations → sequencingControls."""
    act, uses = _one('<adlseq:constrainedChoiceConsiderations constrainChoice="true" preventActivation="true"/>')
    assert act["sequencingControls"]["constrainChoice"] is True
    assert act["sequencingControls"]["preventActivation"] is True
    assert uses


def test_randomization_and_selection() -> None:
    """SN 3.11/3.12 imsss:randomizationControls → sequencingControls."""
    act, uses = _one('<imsss:randomizationControls selectionTiming="onEachNewAttempt" selectCount="1" '
                     'randomizationTiming="once" reorderChildren="true"/>')
    controls = act["sequencingControls"]
    assert (controls["selectionTiming"], controls["selectCount"]) == ("onEachNewAttempt", 1)
    assert (controls["randomizeChildren"], controls["randomizationTiming"]) == (True, "once")
    assert uses


def test_rollup_considerations() -> None:
    """SN 3.9 adlseq:rollupConsiderations."""
    act, uses = _one('<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" '
                     'requiredForCompleted="ifNotSkipped" measureSatisfactionIfActive="false"/>')
    assert act["rollupConsiderations"] == {
        "requiredForSatisfied": "ifAttempted", "requiredForNotSatisfied": "always",
        "requiredForCompleted": "ifNotSkipped", "requiredForIncomplete": "always",
        "measureSatisfactionIfActive": False}
    assert uses


def test_extended_map_info_joins_the_imsss_map_of_the_same_target() -> None:
    """SN 3.10 (4th ed.) adlseq:objectives/mapInfo adds raw/min/max/completion/progress read and write."""
    act, uses = _one(
        '<imsss:objectives><imsss:primaryObjective objectiveID="o1">'
        '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/></imsss:primaryObjective>'
        '</imsss:objectives><adlseq:objectives><adlseq:objective objectiveID="o1">'
        '<adlseq:mapInfo targetObjectiveID="g1" writeRawScore="true" writeCompletionStatus="true" '
        'readProgressMeasure="false"/><adlseq:mapInfo targetObjectiveID="g2" writeMaxScore="true"/>'
        '</adlseq:objective></adlseq:objectives>')
    g1, g2 = act["primaryObjective"]["mapInfo"]
    assert g1["targetObjectiveID"] == "g1" and g1["writeSatisfiedStatus"] is True
    assert g1["writeRawScore"] is True and g1["writeCompletionStatus"] is True
    assert g1["readProgressMeasure"] is False and g1["readRawScore"] is True
    assert g2["targetObjectiveID"] == "g2" and g2["writeMaxScore"] is True
    assert g2["readSatisfiedStatus"] is False  # no imsss:mapInfo reads g2's satisfaction
    assert uses


def test_auxiliary_resources() -> None:
    """SN 3.6 imsss:auxiliaryResources → auxiliaryResources {resourceId, purpose}."""
    act, _ = _one('<imsss:auxiliaryResources><imsss:auxiliaryResource auxiliaryResourceID="urn:glossary" '
                  'purpose="glossary"/></imsss:auxiliaryResources>')
    assert act["auxiliaryResources"] == [{"resourceId": "urn:glossary", "purpose": "glossary"}]


def test_duration_limit_is_passed_and_tracked_false_gets_the_engine() -> None:
    """SN 3.5.2 attemptAbsoluteDurationLimit goes to the engine when there is one, but alone keeps the plain
    player (which seeds cmi.max_time_allowed, RTE 4.2.15); SN 3.13 tracked=false gets the engine."""
    act, uses = _one('<imsss:limitConditions attemptAbsoluteDurationLimit="PT1H"/>')
    assert act["attemptAbsoluteDurationLimit"] == "PT1H" and not uses
    act, uses = _one('<imsss:deliveryControls tracked="false"/>')
    assert act["deliveryControls"]["tracked"] is False and uses


def test_defaults_alone_keep_the_plain_player() -> None:
    """Parts given with the specification's defaults ask nothing of the engine."""
    _, uses = _one('<imsss:randomizationControls/><adlseq:rollupConsiderations/>'
                   '<adlseq:constrainedChoiceConsiderations/><imsss:deliveryControls tracked="true"/>')
    assert not uses


def test_collection_idref_parts_reach_the_tree() -> None:
    """SN 2.1.2: the parser merges the sequencingCollection entry named by IDRef; the tree gets it."""
    xml = m.manifest("T", m.item("a", "A", "").replace(
        "<title>A</title>", '<title>A</title><imsss:sequencing IDRef="shared"/>') + m.item("b", "B"))
    xml = xml.replace("</organizations>", "</organizations><imsss:sequencingCollection>"
                      '<imsss:sequencing ID="shared"><imsss:randomizationControls selectCount="1" '
                      'selectionTiming="once"/></imsss:sequencing></imsss:sequencingCollection>')
    parsed = parse_manifest(xml.encode())
    act = engine_settings(parsed)["activityTree"]["children"][0]
    assert act["sequencingControls"]["selectCount"] == 1 and uses_sequencing(parsed)


def _strip(node: dict[str, Any]) -> dict[str, Any]:
    """The activity without the root's identifier (the builder names the organization ORG-<course>)."""
    return {k: ([_strip(c) for c in v] if k == "children" else v) for k, v in node.items() if k != "id" or
            not str(v).startswith(("ORG", "SEQ"))}


@pytest.mark.parametrize("name", seq_courses.ALL)
def test_built_courses_give_the_engine_the_hand_written_trees(name: str) -> None:
    """The e2e packages built by scorm/build_course.py carry the sequencing of tests/scorm/seq_manifests.py."""
    built = parse_manifest(build_course_manifest(getattr(seq_courses, name)))
    hand = parse_manifest(getattr(m, name).encode())
    assert uses_sequencing(built)
    built_tree, hand_tree = engine_settings(built)["activityTree"], engine_settings(hand)["activityTree"]
    built_tree["title"] = hand_tree["title"]
    assert _strip(built_tree) == _strip(hand_tree)
