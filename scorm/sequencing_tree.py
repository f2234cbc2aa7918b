"""A parsed SCORM 2004 manifest as the ``sequencing`` settings scorm-again's sequencing engine takes
(``SequencingSettings`` / ``ActivitySettings`` in scorm-again 3.4.3 ``dist/types/types/sequencing_types.d.ts``).

The activity tree is the default organization (SN 1.1: the organization is the root activity, each
``<item>`` an activity, leaves the SCOs/assets). Each activity carries its own sequencing definition
(SN 3: control modes 3.2, rules 3.4, limit conditions 3.5, rollup 3.6–3.7, objectives 3.10 with
``mapInfo`` 3.10.1, delivery controls 3.13) and the ``adlnav:presentation`` items it hides (SN 5.1 /
CAM 5.1.6). Values keep the books' defaults when the manifest leaves them out.

Pure: no Flask, no database. Returns plain JSON-able dicts the page hands to ``new Scorm2004API``.
"""

from __future__ import annotations

from typing import Any

from scorm.manifest import (
    ControlMode,
    DeliveryControls,
    Item,
    Manifest,
    Objective,
    RollupRules,
    Sequencing,
    SequencingRule,
)
from scorm.sequencing.model import (
    AdlMapInfo,
    ConstrainedChoice,
    RandomizationControls,
    RollupConsiderations,
)

_RULE_KEYS = {"pre": "preConditionRules", "exit": "exitConditionRules", "post": "postConditionRules"}


def uses_sequencing(manifest: Manifest) -> bool:
    """True for a 2004 package whose sequencing asks for more than the plain player does (flow/choice
    Next/Previous and TOC, docs/player.md): sequencing rules, rollup rules or controls, an attempt limit,
    choice off, choiceExit off or forwardOnly, objectives mapped to global ones (imsss or adlseq
    mapInfo), randomization, constrained choice or rollup considerations other than the defaults,
    tracked=false, hidden LMS UI. Those get scorm-again's engine; others (and SCORM 1.2) keep the plain
    player. A duration limit alone does not: the run-time seeds ``cmi.max_time_allowed`` from it (RTE
    4.2.15) and the run-time issue's packages, which carry one, keep the plain player."""
    org = manifest.default_organization
    if org is None or not manifest.scorm_version.startswith("2004"):
        return False
    if _asks_for_engine(org.sequencing):
        return True
    stack = list(org.items)
    while stack:
        item = stack.pop()
        if _asks_for_engine(item.sequencing) or item.hide_lms_ui:
            return True
        stack.extend(item.children)
    return False


def _asks_for_engine(seq: Sequencing | None) -> bool:
    if seq is None:
        return False
    mode = seq.control_mode or ControlMode()
    limits = seq.limit_conditions
    return bool(
        seq.sequencing_rules or (seq.rollup_rules is not None and seq.rollup_rules != RollupRules())
        or (limits is not None and limits.attempt_limit)
        or not mode.choice or not mode.choice_exit or mode.forward_only
        or any(o.map_info or o.adl_map_info for o in seq.objectives or ())
        or _differs(seq.randomization_controls, RandomizationControls())
        or _differs(seq.constrained_choice, ConstrainedChoice())
        or _differs(seq.rollup_considerations, RollupConsiderations())
        or (seq.delivery_controls is not None and not seq.delivery_controls.tracked))


def _differs(part: object | None, default: object) -> bool:
    """A part the manifest gives with a value other than the specification's default."""
    return part is not None and part != default


def engine_settings(manifest: Manifest) -> dict[str, Any] | None:
    """``{"activityTree": …}`` for the default organization, or ``None`` without one."""
    org = manifest.default_organization
    if org is None:
        return None
    root: dict[str, Any] = {"id": org.identifier, "title": org.title,
                            "children": [_activity(i) for i in org.items]}
    root.update(_sequencing(org.sequencing))
    return {"activityTree": root}


def objectives_global_to_system(manifest: Manifest) -> bool:
    """``adlseq:objectivesGlobalToSystem`` of the default organization (CAM 3.4.1.x, default true): global
    objectives are shared with every package of the learner, else only inside this package."""
    org = manifest.default_organization
    return True if org is None else org.objectives_global_to_system


def global_objective_ids(manifest: Manifest) -> list[str]:
    """Every ``targetObjectiveID`` the package maps to (SN 3.10.1), sorted."""
    org = manifest.default_organization
    found: set[str] = set()

    def add(seq: Sequencing | None) -> None:
        for obj in (seq.objectives or ()) if seq else ():
            found.update(m.target_objective_id for m in obj.map_info if m.target_objective_id)

    if org is not None:
        add(org.sequencing)
        stack = list(org.items)
        while stack:
            item = stack.pop()
            add(item.sequencing)
            stack.extend(item.children)
    return sorted(found)


def _activity(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.identifier, "title": item.title, "isVisible": item.isvisible}
    if item.children:
        out["children"] = [_activity(c) for c in item.children]
    out.update(_sequencing(item.sequencing))
    if item.hide_lms_ui:
        out["hideLmsUi"] = list(item.hide_lms_ui)
    if item.completion_threshold is not None:
        ct = item.completion_threshold
        out["completionThreshold"] = {"completedByMeasure": ct.completed_by_measure,
                                      "minProgressMeasure": ct.min_progress_measure,
                                      "progressWeight": ct.progress_weight}
    return out


def _sequencing(seq: Sequencing | None) -> dict[str, Any]:
    if seq is None:
        return {}
    out: dict[str, Any] = {"sequencingControls": _controls(seq.control_mode, seq.rollup_rules,
                                                           seq.delivery_controls)}
    if seq.sequencing_rules:
        out["sequencingRules"] = _rules(seq.sequencing_rules)
    if seq.limit_conditions and seq.limit_conditions.attempt_limit:
        out["attemptLimit"] = seq.limit_conditions.attempt_limit
    if seq.limit_conditions and seq.limit_conditions.attempt_absolute_duration_limit:
        out["attemptAbsoluteDurationLimit"] = seq.limit_conditions.attempt_absolute_duration_limit
    if seq.rollup_rules and seq.rollup_rules.rules:
        out["rollupRules"] = {"rules": [_rollup_rule(r) for r in seq.rollup_rules.rules]}
    out.update(_objectives(seq.objectives or ()))
    if seq.delivery_controls is not None:
        d = seq.delivery_controls
        out["deliveryControls"] = {"tracked": d.tracked, "completionSetByContent": d.completion_set_by_content,
                                   "objectiveSetByContent": d.objective_set_by_content}
    out["sequencingControls"].update(_adlseq_controls(seq))
    out["sequencingControls"].update(_randomization(seq.randomization_controls))
    if seq.rollup_considerations is not None:
        out["rollupConsiderations"] = _considerations(seq.rollup_considerations)
    if seq.auxiliary_resources:
        out["auxiliaryResources"] = [{"resourceId": a.auxiliary_resource_id, "purpose": a.purpose}
                                     for a in seq.auxiliary_resources]
    return out


def _controls(mode: ControlMode | None, rollup: RollupRules | None,
              delivery: DeliveryControls | None) -> dict[str, Any]:
    m, r = mode or ControlMode(), rollup or RollupRules()
    out: dict[str, Any] = {
        "choice": m.choice, "choiceExit": m.choice_exit, "flow": m.flow, "forwardOnly": m.forward_only,
        "useCurrentAttemptObjectiveInfo": m.use_current_attempt_objective_info,
        "useCurrentAttemptProgressInfo": m.use_current_attempt_progress_info,
        "rollupObjectiveSatisfied": r.rollup_objective_satisfied,
        "rollupProgressCompletion": r.rollup_progress_completion,
        "objectiveMeasureWeight": r.objective_measure_weight,
    }
    if delivery is not None:
        out["tracked"] = delivery.tracked
    return out


def _adlseq_controls(seq: Sequencing) -> dict[str, Any]:
    """``adlseq:constrainedChoiceConsiderations`` (SN 3.2.x, 4th ed.)."""
    cc = seq.constrained_choice
    if cc is None:
        return {}
    return {"constrainChoice": cc.constrain_choice, "preventActivation": cc.prevent_activation}


def _randomization(rc: RandomizationControls | None) -> dict[str, Any]:
    """``imsss:randomizationControls`` (SN 3.11 selection, 3.12 randomization), applied by the engine at
    the start of an attempt on the parent."""
    if rc is None:
        return {}
    return {"selectionTiming": rc.selection_timing, "selectCount": rc.select_count,
            "randomizeChildren": rc.reorder_children, "randomizationTiming": rc.randomization_timing}


def _considerations(rc: RollupConsiderations) -> dict[str, Any]:
    """``adlseq:rollupConsiderations`` (SN 3.9)."""
    return {"requiredForSatisfied": rc.required_for_satisfied,
            "requiredForNotSatisfied": rc.required_for_not_satisfied,
            "requiredForCompleted": rc.required_for_completed,
            "requiredForIncomplete": rc.required_for_incomplete,
            "measureSatisfactionIfActive": rc.measure_satisfaction_if_active}


def _rules(rules: tuple[SequencingRule, ...]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for rule in rules:
        conditions = []
        for c in rule.conditions:
            cond: dict[str, Any] = {"condition": c.condition}
            if c.operator == "not":
                cond["operator"] = "not"
            if c.referenced_objective:
                cond["referencedObjective"] = c.referenced_objective
            if c.measure_threshold is not None:
                cond["parameters"] = {"threshold": c.measure_threshold}
            conditions.append(cond)
        out.setdefault(_RULE_KEYS[rule.kind], []).append(
            {"action": rule.action, "conditionCombination": rule.condition_combination, "conditions": conditions})
    return out


def _rollup_rule(rule: Any) -> dict[str, Any]:
    return {"action": rule.action, "consideration": rule.child_activity_set,
            "minimumCount": rule.minimum_count, "minimumPercent": rule.minimum_percent,
            "conditionCombination": rule.condition_combination,
            "conditions": [{"condition": c.condition, **({"operator": "not"} if c.operator == "not" else {})}
                           for c in rule.conditions]}


def _objective(obj: Objective) -> dict[str, Any]:
    maps: dict[str, dict[str, Any]] = {}
    for m in obj.map_info:
        maps[m.target_objective_id] = {
            "targetObjectiveID": m.target_objective_id,
            "readSatisfiedStatus": m.read_satisfied_status, "readNormalizedMeasure": m.read_normalized_measure,
            "writeSatisfiedStatus": m.write_satisfied_status, "writeNormalizedMeasure": m.write_normalized_measure}
    for a in obj.adl_map_info:  # adlseq:mapInfo (SN 3.10, 4th ed.) extends the imsss one of the same target
        maps.setdefault(a.target_objective_id, {"targetObjectiveID": a.target_objective_id,
                                                "readSatisfiedStatus": False, "readNormalizedMeasure": False})
        maps[a.target_objective_id].update(_adl_map(a))
    return {"objectiveID": obj.objective_id or "", "isPrimary": obj.primary,
            "satisfiedByMeasure": obj.satisfied_by_measure, "minNormalizedMeasure": obj.min_normalized_measure,
            "mapInfo": list(maps.values())}


def _adl_map(a: AdlMapInfo) -> dict[str, bool]:
    return {"readRawScore": a.read_raw_score, "writeRawScore": a.write_raw_score,
            "readMinScore": a.read_min_score, "writeMinScore": a.write_min_score,
            "readMaxScore": a.read_max_score, "writeMaxScore": a.write_max_score,
            "readCompletionStatus": a.read_completion_status, "writeCompletionStatus": a.write_completion_status,
            "readProgressMeasure": a.read_progress_measure, "writeProgressMeasure": a.write_progress_measure}


def _objectives(objectives: tuple[Objective, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    primary = [o for o in objectives if o.primary]
    if primary:
        out["primaryObjective"] = _objective(primary[0])
    others = [_objective(o) for o in objectives if not o.primary]
    if others:
        out["objectives"] = others
    return out
