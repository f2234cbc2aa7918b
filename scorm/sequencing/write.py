"""Write the sequencing model back as manifest XML (``imsss:`` with the ``adlseq:``/``adlnav:`` extensions).

Only the parts a :class:`~scorm.sequencing.model.Sequencing` gives (not ``None``) are written, every
attribute explicitly, children in the order of the IMS SS and ADL schemas, so that
``parse(write(s)) == s`` for any model the specification allows.
"""

from __future__ import annotations

from lxml import etree

from scorm.sequencing.model import (
    AdlMapInfo,
    AdlObjective,
    Objective,
    RollupRules,
    Sequencing,
    SequencingRule,
)

__all__ = ["ADLNAV", "ADLSEQ", "IMSSS", "hide_lms_ui_element", "sequencing_element"]

IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"


def _b(value: bool) -> str:
    return "true" if value else "false"


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _el(parent: etree._Element, ns: str, name: str, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v is not None})


def _rules(parent: etree._Element, rules: tuple[SequencingRule, ...]) -> None:
    el = _el(parent, IMSSS, "sequencingRules")
    for kind in ("pre", "exit", "post"):
        for rule in (r for r in rules if r.kind == kind):
            rule_el = _el(el, IMSSS, f"{kind}ConditionRule")
            conds = _el(rule_el, IMSSS, "ruleConditions", conditionCombination=rule.condition_combination)
            for c in rule.conditions:
                _el(conds, IMSSS, "ruleCondition", referencedObjective=c.referenced_objective,
                    measureThreshold=None if c.measure_threshold is None else _n(c.measure_threshold),
                    operator=c.operator, condition=c.condition)
            _el(rule_el, IMSSS, "ruleAction", action=rule.action)


def _rollup(parent: etree._Element, rr: RollupRules) -> None:
    el = _el(parent, IMSSS, "rollupRules", rollupObjectiveSatisfied=_b(rr.rollup_objective_satisfied),
             rollupProgressCompletion=_b(rr.rollup_progress_completion),
             objectiveMeasureWeight=_n(rr.objective_measure_weight))
    for rule in rr.rules:
        rule_el = _el(el, IMSSS, "rollupRule", childActivitySet=rule.child_activity_set,
                      minimumCount=str(rule.minimum_count), minimumPercent=_n(rule.minimum_percent))
        conds = _el(rule_el, IMSSS, "rollupConditions", conditionCombination=rule.condition_combination)
        for c in rule.conditions:
            _el(conds, IMSSS, "rollupCondition", operator=c.operator, condition=c.condition)
        _el(rule_el, IMSSS, "rollupAction", action=rule.action)


def _objective(parent: etree._Element, o: Objective) -> None:
    el = _el(parent, IMSSS, "primaryObjective" if o.primary else "objective", objectiveID=o.objective_id,
             satisfiedByMeasure=_b(o.satisfied_by_measure))
    etree.SubElement(el, f"{{{IMSSS}}}minNormalizedMeasure").text = _n(o.min_normalized_measure)
    for m in o.map_info:
        _el(el, IMSSS, "mapInfo", targetObjectiveID=m.target_objective_id,
            readSatisfiedStatus=_b(m.read_satisfied_status), readNormalizedMeasure=_b(m.read_normalized_measure),
            writeSatisfiedStatus=_b(m.write_satisfied_status), writeNormalizedMeasure=_b(m.write_normalized_measure))


def _adl_map(parent: etree._Element, m: AdlMapInfo) -> None:
    flags = {f"{way}{''.join(w.title() for w in name.split('_'))}": _b(getattr(m, f"{way}_{name}"))
             for way in ("read", "write")
             for name in ("raw_score", "min_score", "max_score", "completion_status", "progress_measure")}
    _el(parent, ADLSEQ, "mapInfo", targetObjectiveID=m.target_objective_id, **flags)


def _adl_objectives(parent: etree._Element, objectives: tuple[AdlObjective, ...]) -> None:
    el = _el(parent, ADLSEQ, "objectives")
    for o in objectives:
        o_el = _el(el, ADLSEQ, "objective", objectiveID=o.objective_id)
        for m in o.map_info:
            _adl_map(o_el, m)


def _adl_from_objectives(seq: Sequencing) -> tuple[AdlObjective, ...] | None:
    """The ``adlseq:objectives`` to write: as given, else those carried by the objectives."""
    if seq.adl_objectives is not None:
        return seq.adl_objectives
    carried = tuple(AdlObjective(o.objective_id, o.adl_map_info) for o in seq.objectives or ()
                    if o.adl_map_info and o.objective_id)
    return carried or None


def sequencing_element(seq: Sequencing, parent: etree._Element | None = None) -> etree._Element:
    """``seq`` as an ``imsss:sequencing`` element (appended to ``parent`` when given)."""
    el = etree.Element(f"{{{IMSSS}}}sequencing") if parent is None else _el(parent, IMSSS, "sequencing")
    for name, value in (("ID", seq.id), ("IDRef", seq.idref)):
        if value:
            el.set(name, value)
    _parts(el, seq)
    return el


def _parts(el: etree._Element, seq: Sequencing) -> None:
    if (cm := seq.control_mode) is not None:
        _el(el, IMSSS, "controlMode", choice=_b(cm.choice), choiceExit=_b(cm.choice_exit), flow=_b(cm.flow),
            forwardOnly=_b(cm.forward_only),
            useCurrentAttemptObjectiveInfo=_b(cm.use_current_attempt_objective_info),
            useCurrentAttemptProgressInfo=_b(cm.use_current_attempt_progress_info))
    if seq.sequencing_rules is not None:
        _rules(el, seq.sequencing_rules)
    if (lc := seq.limit_conditions) is not None:
        _el(el, IMSSS, "limitConditions", attemptLimit=None if lc.attempt_limit is None else str(lc.attempt_limit),
            attemptAbsoluteDurationLimit=lc.attempt_absolute_duration_limit)
    if seq.auxiliary_resources is not None:
        aux = _el(el, IMSSS, "auxiliaryResources")
        for a in seq.auxiliary_resources:
            _el(aux, IMSSS, "auxiliaryResource", auxiliaryResourceID=a.auxiliary_resource_id, purpose=a.purpose)
    if seq.rollup_rules is not None:
        _rollup(el, seq.rollup_rules)
    if seq.objectives is not None:
        objs = _el(el, IMSSS, "objectives")
        for o in sorted(seq.objectives, key=lambda o: not o.primary):
            _objective(objs, o)
    _controls(el, seq)


def _controls(el: etree._Element, seq: Sequencing) -> None:
    if (rc := seq.randomization_controls) is not None:
        _el(el, IMSSS, "randomizationControls", randomizationTiming=rc.randomization_timing,
            selectCount=None if rc.select_count is None else str(rc.select_count),
            reorderChildren=_b(rc.reorder_children), selectionTiming=rc.selection_timing)
    if (dc := seq.delivery_controls) is not None:
        _el(el, IMSSS, "deliveryControls", tracked=_b(dc.tracked),
            completionSetByContent=_b(dc.completion_set_by_content),
            objectiveSetByContent=_b(dc.objective_set_by_content))
    if (cc := seq.constrained_choice) is not None:
        _el(el, ADLSEQ, "constrainedChoiceConsiderations", preventActivation=_b(cc.prevent_activation),
            constrainChoice=_b(cc.constrain_choice))
    if (rc2 := seq.rollup_considerations) is not None:
        _el(el, ADLSEQ, "rollupConsiderations", requiredForSatisfied=rc2.required_for_satisfied,
            requiredForNotSatisfied=rc2.required_for_not_satisfied,
            requiredForCompleted=rc2.required_for_completed, requiredForIncomplete=rc2.required_for_incomplete,
            measureSatisfactionIfActive=_b(rc2.measure_satisfaction_if_active))
    if (adl := _adl_from_objectives(seq)) is not None:
        _adl_objectives(el, adl)


def hide_lms_ui_element(parent: etree._Element, hidden: tuple[str, ...]) -> etree._Element:
    """``adlnav:presentation/adlnav:navigationInterface`` with one ``adlnav:hideLMSUI`` per value."""
    presentation = _el(parent, ADLNAV, "presentation")
    nav = _el(presentation, ADLNAV, "navigationInterface")
    for value in hidden:
        etree.SubElement(nav, f"{{{ADLNAV}}}hideLMSUI").text = value
    return presentation
