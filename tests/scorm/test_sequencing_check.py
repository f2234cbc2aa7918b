"""scorm.sequencing.check: sequencing values the IMS SS vocabulary does not allow or cannot resolve are
warnings in Vietnamese (and English), never errors: the package stays playable."""

from __future__ import annotations

import pytest

from scorm.manifest import check_manifest, parse_manifest
from scorm.sequencing.messages import MESSAGES
from tests.scorm.seqkit import codes, parse, sco, seq


def warnings_of(items: str, **kwargs: str) -> list[str]:
    errors, warnings = check_manifest(parse(items, **kwargs))
    assert errors == []
    return codes(warnings)


def rule(kind: str, action: str, condition: str = 'condition="always"', combination: str = "") -> str:
    conds = f"<imsss:ruleConditions {combination}><imsss:ruleCondition {condition}/></imsss:ruleConditions>" \
        if condition else ""
    return (f"<imsss:sequencingRules><imsss:{kind}ConditionRule>{conds}<imsss:ruleAction action=\"{action}\"/>"
            f"</imsss:{kind}ConditionRule></imsss:sequencingRules>")


def test_a_clean_sequencing_has_no_warning():
    assert warnings_of(sco("i", seq(rule("pre", "skip", 'condition="satisfied"')))) == []


@pytest.mark.parametrize(("kind", "action"), [("pre", "exit"), ("exit", "skip"), ("post", "hiddenFromChoice"),
                                              ("pre", "jump"), ("post", "")])
def test_rule_action_not_allowed_for_its_kind(kind, action):
    """SN 3.4.6: pre actions skip/disabled/hiddenFromChoice/stopForwardTraversal, exit: exit, post:
    exitParent/exitAll/retry/retryAll/continue/previous."""
    assert warnings_of(sco("i", seq(rule(kind, action)))) == ["sequencing.unknown_value"]


@pytest.mark.parametrize("condition", ['condition="passed"', 'condition="satisfied" operator="and"'])
def test_unknown_condition_or_operator(condition):
    """SN 3.4.2 rule conditions, 3.4.5 operator not/noOp."""
    assert warnings_of(sco("i", seq(rule("pre", "skip", condition)))) == ["sequencing.unknown_value"]


def test_unknown_condition_combination():
    """SN 3.4.1: all or any."""
    xml = seq(rule("pre", "skip", 'condition="satisfied"', 'conditionCombination="some"'))
    assert warnings_of(sco("i", xml)) == ["sequencing.unknown_value"]


def test_rule_without_condition():
    assert warnings_of(sco("i", seq(rule("post", "retry", "")))) == ["sequencing.rule_without_condition"]


def test_measure_condition_without_threshold():
    """SN 3.4.4: objectiveMeasureGreaterThan/LessThan compare against measureThreshold."""
    xml = seq(rule("pre", "skip", 'condition="objectiveMeasureGreaterThan"'))
    assert warnings_of(sco("i", xml)) == ["sequencing.measure_threshold_missing"]


def test_dangling_referenced_objective():
    """SN 3.4.3: referencedObjective names one of the activity's own objectives."""
    xml = seq(rule("pre", "skip", 'condition="satisfied" referencedObjective="ghost"')
              + '<imsss:objectives><imsss:primaryObjective objectiveID="real"/></imsss:objectives>')
    _, warnings = check_manifest(parse(sco("i", xml)))
    assert codes(warnings) == ["sequencing.referenced_objective_missing"]
    assert "ghost" in warnings[0].message_vi and warnings[0].message_vi.startswith("referencedObjective không phải")


@pytest.mark.parametrize(("xml", "code"), [
    ('<imsss:rollupRules><imsss:rollupRule childActivitySet="most"><imsss:rollupConditions><imsss:rollupCondition '
     'condition="satisfied"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
     '</imsss:rollupRules>', "sequencing.unknown_value"),
    ('<imsss:rollupRules><imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition '
     'condition="always"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
     '</imsss:rollupRules>', "sequencing.unknown_value"),
    ('<imsss:rollupRules><imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition '
     'condition="satisfied"/></imsss:rollupConditions><imsss:rollupAction action="passed"/></imsss:rollupRule>'
     '</imsss:rollupRules>', "sequencing.unknown_value"),
    ('<imsss:rollupRules><imsss:rollupRule><imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
     '</imsss:rollupRules>', "sequencing.rule_without_condition"),
    ('<adlseq:rollupConsiderations requiredForCompleted="sometimes"/>', "sequencing.unknown_value"),
])
def test_rollup_values(xml, code):
    """SN 3.7.2 rollup conditions (no measure comparison, no always), 3.7.4 child activity set, 3.7.5 actions
    satisfied/notSatisfied/completed/incomplete; SN 3.9 always/ifAttempted/ifNotSkipped/ifNotSuspended."""
    assert warnings_of(sco("c", sco("i") + seq(xml))) == [code]


@pytest.mark.parametrize(("objectives", "code"), [
    ('<imsss:primaryObjective objectiveID="a"/><imsss:primaryObjective objectiveID="b"/>',
     "sequencing.primary_objective_count"),
    ('<imsss:primaryObjective objectiveID="a"/><imsss:objective objectiveID="a"/>', "sequencing.duplicate_objective"),
    ("<imsss:objective/>", "sequencing.objective_id_missing"),
    ('<imsss:primaryObjective><imsss:mapInfo targetObjectiveID="g"/></imsss:primaryObjective>',
     "sequencing.objective_id_missing"),
    ('<imsss:primaryObjective objectiveID="a"><imsss:mapInfo/></imsss:primaryObjective>',
     "sequencing.target_objective_missing"),
    ('<imsss:primaryObjective objectiveID="a"><imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/>'
     '</imsss:primaryObjective><imsss:objective objectiveID="b"><imsss:mapInfo targetObjectiveID="g" '
     'writeSatisfiedStatus="true"/></imsss:objective>', "sequencing.global_write_conflict"),
])
def test_objective_problems(objectives, code):
    """SN 3.10: at most one primary objective, objectiveIDs unique per activity, a mapped objective has an
    ID and its mapInfo a targetObjectiveID, one local objective writes a given global objective."""
    assert warnings_of(sco("i", seq(f"<imsss:objectives>{objectives}</imsss:objectives>"))) == [code]


def test_primary_objective_without_id_and_without_map_is_fine():
    assert warnings_of(sco("i", seq("<imsss:objectives><imsss:primaryObjective/></imsss:objectives>"))) == []


def test_adl_objective_matching_no_imsss_objective():
    xml = seq('<imsss:objectives><imsss:primaryObjective objectiveID="a"/></imsss:objectives><adlseq:objectives>'
              '<adlseq:objective objectiveID="zz"><adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective>'
              '</adlseq:objectives>')
    assert warnings_of(sco("i", xml)) == ["sequencing.adl_objective_unmatched"]


@pytest.mark.parametrize("duration", ["1 hour", "PT", "P", "PT1.5", "T1H"])
def test_attempt_absolute_duration_must_be_an_xs_duration(duration):
    """SN 3.5.2: attemptAbsoluteDurationLimit is an xs:duration."""
    xml = seq(f'<imsss:limitConditions attemptAbsoluteDurationLimit="{duration}"/>')
    assert warnings_of(sco("i", xml)) == ["sequencing.duration_invalid"]


@pytest.mark.parametrize("duration", ["PT1H", "P1DT2H30M", "PT0.5S", "P1Y2M3D"])
def test_valid_durations(duration):
    assert warnings_of(sco("i", seq(f'<imsss:limitConditions attemptAbsoluteDurationLimit="{duration}"/>'))) == []


def test_randomization_values_and_select_count():
    """SN 3.11/3.12: timings never/once/onEachNewAttempt; selecting more children than exist."""
    xml = seq('<imsss:randomizationControls randomizationTiming="daily" selectCount="3"/>')
    assert warnings_of(sco("c", sco("a") + sco("b") + xml)) == ["sequencing.unknown_value",
                                                                 "sequencing.select_count_too_large"]


def test_unknown_hide_lms_ui_value():
    inner = ("<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>menu</adlnav:hideLMSUI>"
             "</adlnav:navigationInterface></adlnav:presentation>")
    assert warnings_of(sco("i", inner)) == ["sequencing.unknown_value"]


def test_organization_sequencing_is_checked_as_the_root_activity():
    assert warnings_of(sco("i"), org_sequencing=seq(rule("pre", "retry"))) == ["sequencing.unknown_value"]


def test_scorm_12_manifests_are_not_checked():
    xml = (b'<manifest identifier="m" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata>'
           b'<schemaversion>1.2</schemaversion></metadata><organizations default="o"><organization identifier="o">'
           b'<title>O</title><item identifier="i" identifierref="r"><title>T</title><adlnav:presentation '
           b'xmlns:adlnav="x"><adlnav:navigationInterface><adlnav:hideLMSUI>nope</adlnav:hideLMSUI>'
           b'</adlnav:navigationInterface></adlnav:presentation></item></organization></organizations><resources>'
           b'<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="a.html"/></resources></manifest>')
    assert check_manifest(parse_manifest(xml)) == ([], [])


def test_every_message_has_vietnamese_and_english_with_the_same_placeholder():
    for code, (vi, en) in MESSAGES.items():
        assert code.startswith("sequencing.") and vi and en and vi != en
        assert ("{detail}" in vi) == ("{detail}" in en), code
