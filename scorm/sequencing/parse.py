"""Parse ``imsss:sequencing`` elements (with their ``adlseq:`` extensions) into the model.

Parsing is tolerant: names ignore namespaces and case, a bad number or boolean is reported through the
:class:`~scorm._reader.Reader` and replaced by the default, and enumerated values are kept as written
(:mod:`scorm.sequencing.check` reports the ones the specification does not know).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lxml import etree

from scorm._reader import Reader, attr, elements, first, local, text
from scorm.sequencing.model import (
    AdlMapInfo,
    AdlObjective,
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

__all__ = ["parse_collection", "parse_sequencing"]

T = TypeVar("T")


def _is_adl(el: etree._Element) -> bool:
    """True for an ``adlseq:`` element (by namespace, or by its literal prefix in a sloppy manifest)."""
    tag = str(el.tag)
    return "adlseq" in tag.split("}", 1)[0].lower() if tag.startswith("{") else tag.lower().startswith("adlseq:")


def _imsss(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in elements(el, name) if not _is_adl(c)), None)


def _adl(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in elements(el, name) if _is_adl(c)), None)


def control_mode(r: Reader, el: etree._Element) -> ControlMode:
    """``imsss:controlMode`` (SN 3.2)."""
    return ControlMode(
        choice=r.boolean(el, "choice", True), choice_exit=r.boolean(el, "choiceexit", True),
        flow=r.boolean(el, "flow", False), forward_only=r.boolean(el, "forwardonly", False),
        use_current_attempt_objective_info=r.boolean(el, "usecurrentattemptobjectiveinfo", True),
        use_current_attempt_progress_info=r.boolean(el, "usecurrentattemptprogressinfo", True))


def _rule_condition(r: Reader, c: etree._Element) -> RuleCondition:
    return RuleCondition(condition=attr(c, "condition") or "", operator=attr(c, "operator") or "noOp",
                         referenced_objective=attr(c, "referencedobjective") or None,
                         measure_threshold=r.number(attr(c, "measurethreshold"), "measureThreshold", -1, 1))


def _rule(r: Reader, kind: str, rule: etree._Element) -> SequencingRule:
    conds = first(rule, "ruleconditions")
    conditions = tuple(_rule_condition(r, c) for c in (elements(conds, "rulecondition") if conds is not None else []))
    return SequencingRule(kind, attr(first(rule, "ruleaction"), "action") or "", conditions,
                          attr(conds, "conditioncombination") or "all")


def sequencing_rules(r: Reader, el: etree._Element) -> tuple[SequencingRule, ...]:
    """``imsss:sequencingRules`` (SN 3.4): pre-, exit- then post-condition rules, each in document order."""
    return tuple(_rule(r, kind, rule) for kind in ("pre", "exit", "post")
                 for rule in elements(el, f"{kind}conditionrule"))


def _rollup_rule(r: Reader, rule: etree._Element) -> RollupRule:
    conds = first(rule, "rollupconditions")
    conditions = tuple(RollupCondition(attr(c, "condition") or "", attr(c, "operator") or "noOp")
                       for c in (elements(conds, "rollupcondition") if conds is not None else []))
    return RollupRule(
        action=attr(first(rule, "rollupaction"), "action") or "", conditions=conditions,
        child_activity_set=attr(rule, "childactivityset") or "all",
        minimum_count=r.integer(attr(rule, "minimumcount"), "minimumCount") or 0,
        minimum_percent=r.number(attr(rule, "minimumpercent"), "minimumPercent", 0, 1) or 0.0,
        condition_combination=attr(conds, "conditioncombination") or "any")


def rollup_rules(r: Reader, el: etree._Element) -> RollupRules:
    """``imsss:rollupRules`` (SN 3.7 rules, 3.8 controls)."""
    weight = r.number(attr(el, "objectivemeasureweight"), "objectiveMeasureWeight", 0, 1)
    return RollupRules(
        rollup_objective_satisfied=r.boolean(el, "rollupobjectivesatisfied", True),
        rollup_progress_completion=r.boolean(el, "rollupprogresscompletion", True),
        objective_measure_weight=1.0 if weight is None else weight,
        rules=tuple(_rollup_rule(r, rule) for rule in elements(el, "rolluprule")))


def _map_info(r: Reader, m: etree._Element) -> MapInfo:
    return MapInfo(target_objective_id=attr(m, "targetobjectiveid") or "",
                   read_satisfied_status=r.boolean(m, "readsatisfiedstatus", True),
                   read_normalized_measure=r.boolean(m, "readnormalizedmeasure", True),
                   write_satisfied_status=r.boolean(m, "writesatisfiedstatus", False),
                   write_normalized_measure=r.boolean(m, "writenormalizedmeasure", False))


_ADL_MAP_FLAGS = ("raw_score", "min_score", "max_score", "completion_status", "progress_measure")


def _adl_map_info(r: Reader, m: etree._Element) -> AdlMapInfo:
    flags = {f"{way}_{flag}": r.boolean(m, f"{way}{flag.replace('_', '')}", way == "read")
             for way in ("read", "write") for flag in _ADL_MAP_FLAGS}
    return AdlMapInfo(target_objective_id=attr(m, "targetobjectiveid") or "", **flags)


def adl_objectives(r: Reader, el: etree._Element) -> tuple[AdlObjective, ...]:
    """``adlseq:objectives`` (4th ed. ADL sequencing extensions, CAM 5)."""
    return tuple(AdlObjective(attr(o, "objectiveid") or "", tuple(_adl_map_info(r, m) for m in elements(o, "mapinfo")))
                 for o in elements(el, "objective"))


def _objective(r: Reader, el: etree._Element, primary: bool, adl: dict[str, AdlObjective]) -> Objective:
    measure = r.number(text(el, "minnormalizedmeasure"), "minNormalizedMeasure", -1, 1)
    objective_id = attr(el, "objectiveid") or None
    extended = adl.get(objective_id or "")
    return Objective(objective_id=objective_id, primary=primary,
                     satisfied_by_measure=r.boolean(el, "satisfiedbymeasure", False),
                     min_normalized_measure=1.0 if measure is None else measure,
                     map_info=tuple(_map_info(r, m) for m in elements(el, "mapinfo")),
                     adl_map_info=extended.map_info if extended else ())


def objectives(r: Reader, el: etree._Element, adl: tuple[AdlObjective, ...]) -> tuple[Objective, ...]:
    """``imsss:objectives`` (SN 3.10): the primary objective first, then the others in document order."""
    by_id = {o.objective_id: o for o in adl}
    return tuple(_objective(r, o, True, by_id) for o in elements(el, "primaryobjective")) + tuple(
        _objective(r, o, False, by_id) for o in elements(el, "objective"))


def limit_conditions(r: Reader, el: etree._Element) -> LimitConditions:
    """``imsss:limitConditions`` (SN 3.5)."""
    return LimitConditions(attempt_limit=r.integer(attr(el, "attemptlimit"), "attemptLimit"),
                           attempt_absolute_duration_limit=attr(el, "attemptabsolutedurationlimit") or None)


def delivery_controls(r: Reader, el: etree._Element) -> DeliveryControls:
    """``imsss:deliveryControls`` (SN 3.13)."""
    return DeliveryControls(tracked=r.boolean(el, "tracked", True),
                            completion_set_by_content=r.boolean(el, "completionsetbycontent", False),
                            objective_set_by_content=r.boolean(el, "objectivesetbycontent", False))


def randomization_controls(r: Reader, el: etree._Element) -> RandomizationControls:
    """``imsss:randomizationControls`` (SN 3.11, 3.12)."""
    return RandomizationControls(randomization_timing=attr(el, "randomizationtiming") or "never",
                                 select_count=r.integer(attr(el, "selectcount"), "selectCount"),
                                 reorder_children=r.boolean(el, "reorderchildren", False),
                                 selection_timing=attr(el, "selectiontiming") or "never")


def auxiliary_resources(el: etree._Element) -> tuple[AuxiliaryResource, ...]:
    """``imsss:auxiliaryResources`` (SN 3.6)."""
    return tuple(AuxiliaryResource(attr(a, "auxiliaryresourceid") or "", attr(a, "purpose") or "")
                 for a in elements(el, "auxiliaryresource"))


def constrained_choice(r: Reader, el: etree._Element) -> ConstrainedChoice:
    """``adlseq:constrainedChoiceConsiderations`` (SN 3.3)."""
    return ConstrainedChoice(prevent_activation=r.boolean(el, "preventactivation", False),
                             constrain_choice=r.boolean(el, "constrainchoice", False))


def rollup_considerations(r: Reader, el: etree._Element) -> RollupConsiderations:
    """``adlseq:rollupConsiderations`` (SN 3.9)."""
    return RollupConsiderations(
        required_for_satisfied=attr(el, "requiredforsatisfied") or "always",
        required_for_not_satisfied=attr(el, "requiredfornotsatisfied") or "always",
        required_for_completed=attr(el, "requiredforcompleted") or "always",
        required_for_incomplete=attr(el, "requiredforincomplete") or "always",
        measure_satisfaction_if_active=r.boolean(el, "measuresatisfactionifactive", True))


def _part(r: Reader, el: etree._Element | None, parse: Callable[[Reader, etree._Element], T]) -> T | None:
    return None if el is None else parse(r, el)


def parse_sequencing(r: Reader, el: etree._Element | None) -> Sequencing | None:
    """An ``imsss:sequencing`` element as :class:`Sequencing` (``None`` for no element)."""
    if el is None:
        return None
    adl_el, objs_el = _adl(el, "objectives"), _imsss(el, "objectives")
    adl = adl_objectives(r, adl_el) if adl_el is not None else None
    aux = first(el, "auxiliaryresources")
    return Sequencing(
        id=attr(el, "id") or None, idref=attr(el, "idref") or None,
        control_mode=_part(r, first(el, "controlmode"), control_mode),
        sequencing_rules=_part(r, first(el, "sequencingrules"), sequencing_rules),
        limit_conditions=_part(r, first(el, "limitconditions"), limit_conditions),
        rollup_rules=_part(r, first(el, "rolluprules"), rollup_rules),
        objectives=objectives(r, objs_el, adl or ()) if objs_el is not None else None,
        delivery_controls=_part(r, first(el, "deliverycontrols"), delivery_controls),
        randomization_controls=_part(r, first(el, "randomizationcontrols"), randomization_controls),
        auxiliary_resources=auxiliary_resources(aux) if aux is not None else None,
        constrained_choice=_part(r, first(el, "constrainedchoiceconsiderations"), constrained_choice),
        rollup_considerations=_part(r, first(el, "rollupconsiderations"), rollup_considerations),
        adl_objectives=adl)


def parse_collection(r: Reader, root: etree._Element) -> dict[str, Sequencing]:
    """``imsss:sequencingCollection`` (SN 2.1.2): its ``sequencing`` entries by ``ID``."""
    coll = first(root, "sequencingcollection")
    result: dict[str, Sequencing] = {}
    for el in elements(coll, "sequencing") if coll is not None else []:
        seq = parse_sequencing(r, el)
        if seq is not None and seq.id:
            result.setdefault(seq.id, seq)
        else:
            r.warn("sequencing.collection_without_id", local(str(el.tag)))
    return result
