"""scorm.sequencing.parse: every IMS SS / ADL sequencing element of a manifest, with its defaults.

Section numbers are the SCORM 2004 4th edition Sequencing and Navigation (SN) book's; the XML binding is
the CAM book's (imsss, adlseq and adlnav namespaces).
"""

from __future__ import annotations

import pytest

from scorm.manifest import (
    AdlMapInfo,
    AuxiliaryResource,
    ConstrainedChoice,
    ControlMode,
    DeliveryControls,
    LimitConditions,
    MapInfo,
    Objective,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
)
from tests.scorm.seqkit import codes, item, parse, sco, seq


def one(inner: str) -> Sequencing:
    """The sequencing of a single item ``i`` carrying ``inner``."""
    seq_ = item(parse(sco("i", seq(inner))), "i").sequencing
    assert seq_ is not None
    return seq_


# --- control modes (SN 3.2) --------------------------------------------------------------------------------


def test_control_mode_every_attribute():
    """SN 3.2.1-3.2.6: choice, choiceExit, flow, forwardOnly, useCurrentAttemptObjectiveInfo,
    useCurrentAttemptProgressInfo."""
    s = one('<imsss:controlMode choice="false" choiceExit="false" flow="true" forwardOnly="true" '
            'useCurrentAttemptObjectiveInfo="false" useCurrentAttemptProgressInfo="false"/>')
    assert s.control_mode == ControlMode(False, False, True, True, False, False)


def test_control_mode_defaults():
    """SN 3.2: choice and choiceExit default true, flow and forwardOnly false, both useCurrentAttempt* true."""
    assert one("<imsss:controlMode/>").control_mode == ControlMode(True, True, False, False, True, True)


# --- constrain choice (SN 3.3) -----------------------------------------------------------------------------


def test_constrained_choice_considerations():
    """SN 3.3.1 constrainChoice, 3.3.2 preventActivation (adlseq:constrainedChoiceConsiderations)."""
    s = one('<adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>')
    assert s.constrained_choice == ConstrainedChoice(prevent_activation=True, constrain_choice=True)
    assert one("<adlseq:constrainedChoiceConsiderations/>").constrained_choice == ConstrainedChoice(False, False)


# --- sequencing rules (SN 3.4) -----------------------------------------------------------------------------

RULES = """<imsss:sequencingRules>
  <imsss:postConditionRule><imsss:ruleConditions conditionCombination="any">
    <imsss:ruleCondition condition="satisfied" operator="not"/>
    <imsss:ruleCondition condition="attemptLimitExceeded"/></imsss:ruleConditions>
    <imsss:ruleAction action="retry"/></imsss:postConditionRule>
  <imsss:preConditionRule><imsss:ruleConditions>
    <imsss:ruleCondition referencedObjective="pre" measureThreshold="0.75" condition="objectiveMeasureGreaterThan"/>
    </imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>
  <imsss:exitConditionRule><imsss:ruleConditions>
    <imsss:ruleCondition condition="completed"/></imsss:ruleConditions>
    <imsss:ruleAction action="exit"/></imsss:exitConditionRule>
</imsss:sequencingRules>
<imsss:objectives><imsss:primaryObjective objectiveID="pre"/></imsss:objectives>"""


def test_sequencing_rules_pre_exit_post_with_conditions_and_actions():
    """SN 3.4.1 conditionCombination (default all), 3.4.2 condition, 3.4.3 referencedObjective,
    3.4.4 measureThreshold, 3.4.5 operator (default noOp), 3.4.6 action; kinds in pre, exit, post order."""
    assert one(RULES).sequencing_rules == (
        SequencingRule("pre", "skip", (RuleCondition("objectiveMeasureGreaterThan", "noOp", "pre", 0.75),), "all"),
        SequencingRule("exit", "exit", (RuleCondition("completed"),), "all"),
        SequencingRule("post", "retry", (RuleCondition("satisfied", "not"), RuleCondition("attemptLimitExceeded")),
                       "any"),
    )


def test_measure_threshold_outside_minus_one_to_one_is_ignored_with_a_warning():
    """SN 3.4.4: the threshold is a real in [-1, 1]."""
    m = parse(sco("i", seq('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
                           '<imsss:ruleCondition condition="objectiveMeasureLessThan" measureThreshold="2"/>'
                           '</imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
                           '</imsss:sequencingRules>')))
    assert item(m, "i").sequencing.sequencing_rules[0].conditions[0].measure_threshold is None
    assert codes(m.warnings) == ["manifest.invalid_value"]


# --- limit conditions (SN 3.5) and auxiliary resources (SN 3.6) -------------------------------------------


def test_limit_conditions():
    """SN 3.5.1 attemptLimit, 3.5.2 attemptAbsoluteDurationLimit."""
    s = one('<imsss:limitConditions attemptLimit="3" attemptAbsoluteDurationLimit="PT1H30M"/>')
    assert s.limit_conditions == LimitConditions(3, "PT1H30M")
    assert one("<imsss:limitConditions/>").limit_conditions == LimitConditions(None, None)


def test_auxiliary_resources():
    """SN 3.6: parsed (SCORM does not require an LMS to deliver them)."""
    s = one('<imsss:auxiliaryResources><imsss:auxiliaryResource auxiliaryResourceID="glossary" purpose="help"/>'
            '</imsss:auxiliaryResources>')
    assert s.auxiliary_resources == (AuxiliaryResource("glossary", "help"),)


# --- rollup (SN 3.7, 3.8, 3.9) ----------------------------------------------------------------------------

ROLLUP = """<imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false"
    objectiveMeasureWeight="0.5">
  <imsss:rollupRule childActivitySet="atLeastCount" minimumCount="2">
    <imsss:rollupConditions conditionCombination="all">
      <imsss:rollupCondition condition="satisfied"/><imsss:rollupCondition operator="not" condition="attempted"/>
    </imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>
  <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.6">
    <imsss:rollupConditions><imsss:rollupCondition condition="completed"/></imsss:rollupConditions>
    <imsss:rollupAction action="completed"/></imsss:rollupRule>
</imsss:rollupRules>"""


def test_rollup_rules_and_controls():
    """SN 3.7.1 conditionCombination (default any), 3.7.2 conditions, 3.7.3 operator, 3.7.4 childActivitySet
    with minimumCount/minimumPercent, 3.7.5 action; SN 3.8 rollupObjectiveSatisfied, rollupProgressCompletion,
    objectiveMeasureWeight."""
    assert one(ROLLUP).rollup_rules == RollupRules(False, False, 0.5, (
        RollupRule("satisfied", (RollupCondition("satisfied"), RollupCondition("attempted", "not")),
                   "atLeastCount", 2, 0.0, "all"),
        RollupRule("completed", (RollupCondition("completed"),), "atLeastPercent", 0, 0.6, "any")))


def test_rollup_controls_defaults():
    """SN 3.8: both rollup flags default true, the measure weight 1.0; SN 3.7.4: childActivitySet all."""
    rr = one("<imsss:rollupRules><imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition "
             'condition="satisfied"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/>'
             "</imsss:rollupRule></imsss:rollupRules>").rollup_rules
    assert (rr.rollup_objective_satisfied, rr.rollup_progress_completion, rr.objective_measure_weight) == (True, True, 1.0)
    assert rr.rules[0].child_activity_set == "all" and rr.rules[0].condition_combination == "any"


def test_rollup_considerations():
    """SN 3.9: requiredFor* (default always) and measureSatisfactionIfActive (default true)."""
    s = one('<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" requiredForNotSatisfied="ifNotSkipped" '
            'requiredForCompleted="ifNotSuspended" requiredForIncomplete="always" measureSatisfactionIfActive="false"/>')
    assert s.rollup_considerations == RollupConsiderations("ifAttempted", "ifNotSkipped", "ifNotSuspended", "always",
                                                           False)
    assert one("<adlseq:rollupConsiderations/>").rollup_considerations == RollupConsiderations()


# --- objectives (SN 3.10) ---------------------------------------------------------------------------------

OBJECTIVES = """<imsss:objectives>
  <imsss:objective objectiveID="extra"><imsss:mapInfo targetObjectiveID="g-extra"/></imsss:objective>
  <imsss:primaryObjective objectiveID="main" satisfiedByMeasure="true">
    <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
    <imsss:mapInfo targetObjectiveID="g-main" readSatisfiedStatus="false" readNormalizedMeasure="false"
        writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>
  </imsss:primaryObjective>
</imsss:objectives>
<adlseq:objectives><adlseq:objective objectiveID="main">
  <adlseq:mapInfo targetObjectiveID="g-main" readRawScore="false" readMinScore="false" readMaxScore="false"
      readCompletionStatus="false" readProgressMeasure="false" writeRawScore="true" writeMinScore="true"
      writeMaxScore="true" writeCompletionStatus="true" writeProgressMeasure="true"/>
</adlseq:objective></adlseq:objectives>"""


def test_objectives_primary_first_with_map_info_and_adl_extended_map_info():
    """SN 3.10: primaryObjective (satisfiedByMeasure, minNormalizedMeasure, mapInfo read/write of satisfied
    status and normalized measure) and objective; 4th ed. adlseq:objectives adds raw/min/max score,
    completion status and progress measure maps, joined to the objective of the same objectiveID."""
    s = one(OBJECTIVES)
    extended = AdlMapInfo("g-main", False, False, False, False, False, True, True, True, True, True)
    assert s.objectives == (
        Objective("main", True, True, 0.8, (MapInfo("g-main", False, False, True, True),), (extended,)),
        Objective("extra", False, False, 1.0, (MapInfo("g-extra"),)),
    )
    assert s.adl_objectives[0].map_info == (extended,)


def test_objective_and_map_info_defaults():
    """SN 3.10: satisfiedByMeasure false, minNormalizedMeasure 1.0, mapInfo reads true and writes false;
    adlseq:mapInfo likewise."""
    s = one('<imsss:objectives><imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="g"/>'
            '</imsss:primaryObjective></imsss:objectives><adlseq:objectives><adlseq:objective objectiveID="p">'
            '<adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective></adlseq:objectives>')
    [p] = s.objectives
    assert (p.satisfied_by_measure, p.min_normalized_measure) == (False, 1.0)
    assert p.map_info == (MapInfo("g", True, True, False, False),)
    assert p.adl_map_info == (AdlMapInfo("g"),)
    assert AdlMapInfo("g").read_raw_score and not AdlMapInfo("g").write_raw_score


def test_adl_objectives_are_told_apart_from_imsss_objectives_even_first():
    """The adlseq:objectives element has the same local name; it never replaces imsss:objectives."""
    s = one('<adlseq:objectives><adlseq:objective objectiveID="p"><adlseq:mapInfo targetObjectiveID="g"/>'
            '</adlseq:objective></adlseq:objectives><imsss:objectives><imsss:primaryObjective objectiveID="p"/>'
            '</imsss:objectives>')
    assert [o.objective_id for o in s.objectives] == ["p"] and s.objectives[0].adl_map_info == (AdlMapInfo("g"),)


# --- selection and randomization (SN 3.11, 3.12), delivery controls (SN 3.13) -----------------------------


def test_randomization_controls():
    """SN 3.11 selectionTiming/selectCount, SN 3.12 randomizationTiming/reorderChildren."""
    s = one('<imsss:randomizationControls randomizationTiming="onEachNewAttempt" selectCount="2" '
            'reorderChildren="true" selectionTiming="once"/>')
    assert s.randomization_controls == RandomizationControls("onEachNewAttempt", 2, True, "once")
    assert one("<imsss:randomizationControls/>").randomization_controls == RandomizationControls("never", None, False,
                                                                                                  "never")


def test_delivery_controls():
    """SN 3.13: tracked (default true), completionSetByContent and objectiveSetByContent (default false)."""
    s = one('<imsss:deliveryControls tracked="false" completionSetByContent="true" objectiveSetByContent="true"/>')
    assert s.delivery_controls == DeliveryControls(False, True, True)
    assert one("<imsss:deliveryControls/>").delivery_controls == DeliveryControls(True, False, False)


# --- collection, IDRef, presentation, defaults ------------------------------------------------------------


def test_sequencing_collection_idref_inherits_every_part_the_item_leaves_out():
    """SN 2.1.2: an activity's sequencing with IDRef takes the collection entry's definitions, its own win."""
    collection = seq('<imsss:controlMode flow="true"/><imsss:limitConditions attemptLimit="2"/>'
                     '<imsss:randomizationControls reorderChildren="true"/>'
                     '<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted"/>', 'ID="common"')
    m = parse(sco("i", seq('<imsss:limitConditions attemptLimit="5"/>', 'IDRef="common"')), collection=collection)
    s = item(m, "i").sequencing
    assert s.control_mode.flow and s.limit_conditions.attempt_limit == 5
    assert s.randomization_controls.reorder_children
    assert s.rollup_considerations.required_for_satisfied == "ifAttempted"
    assert set(m.sequencing_collection) == {"common"} and m.warnings == ()


def test_organization_sequencing_can_use_idref_too():
    """The root activity's sequencing may reference the collection like any item's."""
    m = parse(sco("i"), org_sequencing=seq("", 'IDRef="root"'),
              collection=seq('<imsss:controlMode choice="false" flow="true"/>', 'ID="root"'))
    assert m.default_organization.sequencing.control_mode == ControlMode(choice=False, flow=True)


def test_collection_entry_without_id_is_a_warning():
    m = parse(sco("i"), collection=seq('<imsss:controlMode flow="true"/>'))
    assert m.sequencing_collection == {} and codes(m.warnings) == ["sequencing.collection_without_id"]


def test_hide_lms_ui_of_navigation_interface():
    """CAM adlnav:presentation/adlnav:navigationInterface/adlnav:hideLMSUI (SN 5.6 UI devices)."""
    inner = ("<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>"
             "<adlnav:hideLMSUI>suspendAll</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>")
    assert item(parse(sco("i", inner)), "i").hide_lms_ui == ("continue", "suspendAll")


def test_absent_parts_are_none_and_effective_fills_the_specification_defaults():
    s = one("")
    assert s.given_parts() == ()
    eff = s.effective()
    assert eff.control_mode == ControlMode() and eff.limit_conditions == LimitConditions()
    assert eff.sequencing_rules == () and eff.objectives == () and eff.rollup_rules == RollupRules()
    assert eff.delivery_controls == DeliveryControls() and eff.randomization_controls == RandomizationControls()
    assert eff.constrained_choice == ConstrainedChoice() and eff.rollup_considerations == RollupConsiderations()
    assert eff.auxiliary_resources == () and eff.adl_objectives == ()


def test_sloppy_manifest_with_undeclared_prefixes_still_parses_the_extensions():
    ns = 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"'
    body = sco("i", '<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p"/>'
                    '</imsss:objectives><adlseq:objectives><adlseq:objective objectiveID="p"><adlseq:mapInfo '
                    'targetObjectiveID="g" writeRawScore="true"/></adlseq:objective></adlseq:objectives>'
                    '<adlseq:constrainedChoiceConsiderations constrainChoice="true"/></imsss:sequencing>')
    m = parse(body, ns=ns)
    s = item(m, "i").sequencing
    assert s.objectives[0].adl_map_info[0].write_raw_score and s.constrained_choice.constrain_choice
    assert "manifest.undeclared_prefix" in codes(m.warnings)


@pytest.mark.parametrize(("xml", "field"), [
    ('<imsss:controlMode flow="yes"/>', "flow"),
    ('<imsss:limitConditions attemptLimit="-1"/>', "attemptLimit"),
    ('<imsss:randomizationControls selectCount="1.5"/>', "selectCount"),
    ('<imsss:rollupRules objectiveMeasureWeight="2"/>', "objectiveMeasureWeight"),
    ('<adlseq:rollupConsiderations measureSatisfactionIfActive="maybe"/>', "measuresatisfactionifactive"),
])
def test_bad_typed_values_fall_back_to_the_default_with_a_warning(xml, field):
    m = parse(sco("i", seq(xml)))
    assert codes(m.warnings) == ["manifest.invalid_value"]
    assert field in m.warnings[0].message_en
