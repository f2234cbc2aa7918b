"""scorm.sequencing.report and the upload report: which sequencing features a package uses (information,
in Vietnamese and English) and one warning naming what the player does not apply — a package with
sequencing never reads "valid, no warnings"."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from scorm.package import inspect
from scorm.sequencing.messages import INFO, MESSAGES
from scorm.sequencing.report import APPLIED, FEATURES, LABELS, describe_sequencing
from tests.scorm.seqkit import codes, manifest_xml, parse, sco, seq

FORCED = seq('<imsss:controlMode choice="false" flow="true"/>')
PRE_SKIP = seq('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition '
               'condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
               '</imsss:sequencingRules>')


def by_code(issues) -> dict[str, str]:
    return {i.code: i.message_vi for i in issues}


def test_forced_order_and_pre_test_skip_are_described_in_vietnamese():
    found = by_code(describe_sequencing(parse(sco("PRE") + sco("LESSON", PRE_SKIP), org_sequencing=FORCED)))
    assert found["sequencing.uses_forced_flow"] == "Gói dùng điều hướng tuần tự bắt buộc (flow, choice=false): o."
    assert found["sequencing.uses_precondition"] == "Quy tắc tiền điều kiện: LESSON: skip khi đã đạt (satisfied)."
    assert "sequencing.not_applied" not in found  # both applied by the engine (tests/scorm/test_engine.py)


def test_features_the_player_does_not_apply_are_named_in_one_warning():
    """Randomization and constrained choice are applied only half by scorm-again 3.4.3 (test_engine.py)."""
    lesson = seq('<imsss:randomizationControls selectCount="1" selectionTiming="once"/>'
                 '<adlseq:constrainedChoiceConsiderations constrainChoice="true"/>')
    found = by_code(describe_sequencing(parse(sco("PRE") + sco("LESSON", lesson), org_sequencing=FORCED)))
    assert found["sequencing.not_applied"].endswith(
        ": randomizationControls, adlseq:constrainedChoiceConsiderations.")


def test_custom_rollup_and_global_objectives():
    rollup = seq('<imsss:rollupRules><imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
                 '<imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions><imsss:rollupAction '
                 'action="satisfied"/></imsss:rollupRule></imsss:rollupRules>')
    writer = seq('<imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="g1" '
                 'readSatisfiedStatus="false" readNormalizedMeasure="false" writeSatisfiedStatus="true"/>'
                 '</imsss:primaryObjective></imsss:objectives>')
    reader = seq('<imsss:objectives><imsss:primaryObjective objectiveID="q"><imsss:mapInfo targetObjectiveID="g1"/>'
                 '</imsss:primaryObjective></imsss:objectives>')
    found = by_code(describe_sequencing(parse(sco("A", writer) + sco("B", reader), org_sequencing=rollup)))
    assert found["sequencing.uses_rollup"] == ("Cuộn lên (rollup) tùy chỉnh: o: satisfied khi bất kỳ hoạt động con "
                                               "đã đạt (satisfied).")
    assert found["sequencing.uses_global_objectives"] == "Mục tiêu toàn cục: g1 — ghi: A; đọc: B."


@pytest.mark.parametrize(("inner", "code", "detail"), [
    ('<imsss:controlMode flow="true" forwardOnly="true" choiceExit="false"/>', "sequencing.uses_forward_only", "i"),
    ('<imsss:controlMode choiceExit="false"/>', "sequencing.uses_choice_exit_off", "i"),
    ('<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition='
     '"completed" operator="not"/></imsss:ruleConditions><imsss:ruleAction action="exit"/></imsss:exitConditionRule>'
     '</imsss:sequencingRules>', "sequencing.uses_exitcondition", "i: exit khi không đã hoàn thành (completed)"),
    ('<imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions conditionCombination="any">'
     '<imsss:ruleCondition condition="satisfied" operator="not"/><imsss:ruleCondition condition='
     '"objectiveMeasureLessThan" measureThreshold="0.5"/></imsss:ruleConditions><imsss:ruleAction action="retry"/>'
     '</imsss:postConditionRule></imsss:sequencingRules>', "sequencing.uses_postcondition",
     "i: retry khi không đã đạt (satisfied) hoặc điểm < 0.5 (objectiveMeasureLessThan)"),
    ('<imsss:limitConditions attemptLimit="2"/>', "sequencing.uses_attempt_limit", "i: 2"),
    ('<imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>', "sequencing.uses_duration_limit", "i: PT30M"),
    ('<imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="0"/>',
     "sequencing.uses_rollup_excluded", "i (objective satisfied, measure)"),
    ('<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted"/>', "sequencing.uses_rollup_considerations",
     "i"),
    ('<imsss:randomizationControls reorderChildren="true"/>', "sequencing.uses_randomization", "i"),
    ('<imsss:deliveryControls tracked="false"/>', "sequencing.uses_delivery_controls", "i: tracked=false"),
    ('<adlseq:constrainedChoiceConsiderations constrainChoice="true"/>', "sequencing.uses_constrained_choice", "i"),
    ('<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.8'
     '</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>',
     "sequencing.uses_measure_satisfaction", "i: ≥ 0.8"),
    ('<imsss:auxiliaryResources><imsss:auxiliaryResource auxiliaryResourceID="x" purpose="help"/>'
     '</imsss:auxiliaryResources>', "sequencing.uses_auxiliary_resources", "i"),
])
def test_each_feature_is_named_with_its_activity(inner, code, detail):
    issues = describe_sequencing(parse(sco("i", seq(inner))))
    issue = next(i for i in issues if i.code == code)
    assert issue.message_vi == INFO[code][0].format(detail=detail)
    assert issue.message_en == INFO[code][1].format(detail=detail)


def test_hidden_lms_ui_is_described():
    inner = ("<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>"
             "<adlnav:hideLMSUI>previous</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>")
    found = by_code(describe_sequencing(parse(sco("i", inner))))
    assert found["sequencing.uses_hidden_ui"] == "Ẩn nút điều hướng của LMS (hideLMSUI): i: continue, previous."
    assert "sequencing.not_applied" not in found


def test_many_activities_are_listed_up_to_six_then_counted():
    items = "".join(sco(f"i{n}", seq('<imsss:limitConditions attemptLimit="1"/>')) for n in range(8))
    [info] = describe_sequencing(parse(items))
    assert info.message_vi.endswith("i5: 1; … (+2).")


def test_only_applied_features_give_information_and_no_warning():
    issues = describe_sequencing(parse(sco("i"), org_sequencing=seq('<imsss:controlMode flow="true"/>')))
    assert codes(issues) == ["sequencing.uses_flow"]


def test_no_sequencing_no_finding():
    assert describe_sequencing(parse(sco("i"))) == []


def test_every_feature_has_an_info_message_and_a_label():
    assert set(FEATURES.values()) == set(INFO)
    assert set(LABELS) == set(FEATURES)
    assert APPLIED - set(FEATURES) <= {"delivery_content_sets"}


def _zip(manifest: bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("a.html", "<html></html>")
    out.seek(0)
    return out


def test_upload_report_carries_the_information_and_the_not_applied_warning():
    lesson = seq('<imsss:randomizationControls reorderChildren="true" randomizationTiming="once"/>')
    report = inspect(_zip(manifest_xml(sco("PRE") + sco("LESSON", lesson), org_sequencing=FORCED)))
    assert report.ok
    assert codes(report.info) == ["sequencing.uses_forced_flow", "sequencing.uses_randomization"]
    assert codes(report.warnings) == ["sequencing.not_applied"]
    summary = report.summary()
    assert [i["code"] for i in summary["info"]] == codes(report.info)
    assert summary["warnings"][0]["message_vi"].startswith("Trình phát chưa áp dụng")


def test_upload_report_of_a_package_without_sequencing_is_unchanged():
    report = inspect(_zip(manifest_xml(sco("i"))))
    assert report.ok and report.info == [] and report.warnings == [] and report.summary()["info"] == []


# --- documentation ------------------------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "sequencing.md"


def test_every_sequencing_code_and_message_is_documented():
    doc = DOC.read_text(encoding="utf-8")
    for code, (vi, en) in MESSAGES.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{code}` |")), "")
        assert vi.replace("|", "\\|") in row and en.replace("|", "\\|") in row, code


def test_every_test_the_documentation_names_exists():
    here = Path(__file__).parent
    for file, names in re.findall(r"(test_\w+\.py)::([\w, \[\]]+)", DOC.read_text(encoding="utf-8")):
        source = (here / file).read_text(encoding="utf-8")
        for name in (n.strip().split("[")[0] for n in names.split(",")):
            if name.startswith("test_"):
                assert f"def {name}(" in source, f"{file}::{name}"


def test_captivate_style_export_reports_its_sequencing(kit):
    """The fixture imitating a Captivate 2004 3rd-edition export (pre-test, lesson, post-test)."""
    report = inspect(io.BytesIO(kit.fixture_zip("captivate_2004_3rd")))
    info = codes(report.info)
    assert "sequencing.uses_forced_flow" in info and "sequencing.uses_precondition" in info
    assert codes(report.warnings) == ["sequencing.not_applied"]
