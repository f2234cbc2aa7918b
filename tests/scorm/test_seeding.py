"""Manifest seeding, shared data buckets, assets and the visible table of contents (scorm.seeding)."""

from __future__ import annotations

from scorm.manifest import parse_manifest
from scorm.seeding import (
    DataBucket,
    DeliveryFlags,
    delivery_flags,
    is_asset,
    seed_values,
    shared_data_access,
    shared_data_buckets,
    shared_data_values,
    shared_data_writes,
    visible_rows,
)
from tests.scorm.conftest import manifest

ITEM_2004 = """
<item identifier="i1" identifierref="r1"><title>Bài 1</title>
  <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/>
  <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
  <adlcp:dataFromLMS>chapter=2</adlcp:dataFromLMS>
  <adlcp:data><adlcp:map targetID="notes" readSharedData="true" writeSharedData="false"/>
    <adlcp:map targetID="score-bank"/><adlcp:map targetID="notes"/></adlcp:data>
  <imsss:sequencing>
    <imsss:limitConditions attemptAbsoluteDurationLimit="PT1H30M"/>
    <imsss:objectives>
      <imsss:objective objectiveID="obj-b"/>
      <imsss:primaryObjective objectiveID="obj-primary" satisfiedByMeasure="true">
        <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>
      <imsss:objective objectiveID="obj-c"/>
    </imsss:objectives>
  </imsss:sequencing>
</item>"""


def _item(version: str, items: str, resources: str | None = None):
    parsed = parse_manifest(manifest(version=version, items=items, resources=resources).encode())
    return parsed, parsed.default_organization.items[0]


def test_2004_seeds_objectives_primary_first_and_the_item_limits() -> None:
    """SCORM 2004 4th ed. RTE 4.2.17 (objectives from the manifest), 4.2.19 (scaled_passing_score from
    satisfiedByMeasure/minNormalizedMeasure), 4.2.15 (max_time_allowed from attemptAbsoluteDurationLimit),
    4.2.24 (time_limit_action), 4.2.10 (launch_data), 4.2.5 (completion_threshold)."""
    _, item = _item("2004 4th Edition", ITEM_2004)
    assert seed_values(item, "2004") == {
        "cmi.objectives.0.id": "obj-primary", "cmi.objectives.1.id": "obj-b", "cmi.objectives.2.id": "obj-c",
        "cmi.scaled_passing_score": "0.6", "cmi.max_time_allowed": "PT1H30M",
        "cmi.time_limit_action": "exit,message", "cmi.launch_data": "chapter=2", "cmi.completion_threshold": "0.75",
    }


def test_2004_primary_objective_without_measure_seeds_no_passing_score() -> None:
    """SCORM 2004 4th ed. RTE 4.2.19: no satisfiedByMeasure, no cmi.scaled_passing_score."""
    _, item = _item("2004 4th Edition", '<item identifier="i1" identifierref="r1"><title>A</title><imsss:sequencing>'
                    '<imsss:objectives><imsss:primaryObjective objectiveID="p"/></imsss:objectives>'
                    '</imsss:sequencing></item>')
    assert seed_values(item, "2004") == {"cmi.objectives.0.id": "p"}


def test_12_seeds_student_data_and_launch_data() -> None:
    """SCORM 1.2 RTE 3.4.4 cmi.student_data.* and cmi.launch_data from adlcp:masteryscore ... (CAM 2.3.4)."""
    _, item = _item("1.2", '<item identifier="i1" identifierref="r1"><title>A</title>'
                    '<adlcp:masteryscore>80</adlcp:masteryscore><adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>'
                    '<adlcp:timelimitaction>exit,no message</adlcp:timelimitaction>'
                    '<adlcp:datafromlms>x=1</adlcp:datafromlms></item>')
    assert seed_values(item, "1.2") == {
        "cmi.student_data.mastery_score": "80", "cmi.student_data.max_time_allowed": "00:30:00",
        "cmi.student_data.time_limit_action": "exit,no message", "cmi.launch_data": "x=1"}


def test_shared_data_buckets_and_their_values() -> None:
    """SCORM 2004 4th ed. CAM adlcp:data/adlcp:map, RTE 4.3: one adl.data.n per targetID, in manifest order;
    an unwritten store is not handed over (GetValue answers 403); only writable buckets are persisted."""
    parsed, item = _item("2004 4th Edition", ITEM_2004)
    buckets = shared_data_buckets(parsed, item)
    assert buckets == (DataBucket("notes", True, False, True, "notes"),
                       DataBucket("score-bank", True, True, True, "score-bank"))
    assert shared_data_values(buckets, {"score-bank": "42"}) == {
        "adl.data.0.id": "notes", "adl.data.1.id": "score-bank", "adl.data.1.store": "42"}
    assert shared_data_access(buckets) == [{"read": True, "write": False}, {"read": True, "write": True}]
    state = {"adl.data.0.store": "refused", "adl.data.1.store": "43"}
    assert shared_data_writes(buckets, state) == {"score-bank": "43"}


def test_shared_data_not_global_to_system_is_keyed_by_the_package() -> None:
    """SCORM 2004 4th ed. CAM adlcp:sharedDataGlobalToSystem="false": buckets belong to this package only."""
    text = manifest(version="2004 4th Edition", items=ITEM_2004).replace(
        '<organization identifier="o1"', '<organization identifier="o1" adlcp:sharedDataGlobalToSystem="false"')
    parsed = parse_manifest(text.encode())
    buckets = shared_data_buckets(parsed, parsed.default_organization.items[0])
    assert [b.key for b in buckets] == ["m1/notes", "m1/score-bank"] and not buckets[0].global_to_system


def test_assets_are_identified() -> None:
    """SCORM 2004 CAM adlcp:scormType="asset": launched, never talks to the API, completed once launched."""
    items = ('<item identifier="i1" identifierref="r1"><title>A</title></item>'
             '<item identifier="i2" identifierref="r2"><title>B</title></item>')
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="a.html"/>'
                 '<resource identifier="r2" type="webcontent" adlcp:scormType="asset" href="b.pdf"/>')
    parsed = parse_manifest(manifest(version="2004 4th Edition", items=items, resources=resources).encode())
    first, second = parsed.default_organization.items
    assert (is_asset(parsed, first), is_asset(parsed, second)) == (False, True)


def test_isvisible_false_hides_only_the_item_not_its_children() -> None:
    """SCORM 2004 CAM 3.4.1.12 isvisible: the item is not shown; its children still are."""
    items = ('<item identifier="top" isvisible="false"><title>Ẩn</title>'
             '<item identifier="i1" identifierref="r1"><title>Bài 1</title></item>'
             '<item identifier="i2" identifierref="r1" isvisible="false"><title>Bài 2</title></item></item>')
    parsed = parse_manifest(manifest(version="2004 4th Edition", items=items).encode())
    rows = visible_rows(parsed)
    assert [(row.item.identifier, row.depth, row.launchable) for row in rows] == [("i1", 0, True)]


def test_delivery_controls_default_to_the_lms_setting_status() -> None:
    """SCORM 2004 4th ed. SN 3.12: tracked true, completionSetByContent and objectiveSetByContent false."""
    _, plain = _item("2004 4th Edition", ITEM_2004)
    assert delivery_flags(plain) == DeliveryFlags(True, False, False)
    _, item = _item("2004 4th Edition", '<item identifier="i1" identifierref="r1"><title>A</title><imsss:sequencing>'
                    '<imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>'
                    '</imsss:sequencing></item>')
    assert delivery_flags(item) == DeliveryFlags(True, True, True)
