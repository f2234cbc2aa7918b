"""Say, for the upload report, which sequencing features a package uses and which the player does not
apply yet (``sequencing.not_applied``), so a package with sequencing never reads as "no warnings"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scorm.issues import Issue
from scorm.sequencing.check import Activity, activities
from scorm.sequencing.messages import seq_issue
from scorm.sequencing.model import (
    ConstrainedChoice,
    RandomizationControls,
    RollupConsiderations,
    RollupRule,
    RuleCondition,
    Sequencing,
    SequencingRule,
)

if TYPE_CHECKING:
    from scorm.manifest import Manifest

__all__ = ["APPLIED", "FEATURES", "LABELS", "describe_sequencing"]

#: feature key -> the info code that reports it
FEATURES: dict[str, str] = {
    "forced_flow": "sequencing.uses_forced_flow", "flow": "sequencing.uses_flow",
    "forward_only": "sequencing.uses_forward_only", "choice_exit": "sequencing.uses_choice_exit_off",
    "precondition": "sequencing.uses_precondition", "exitcondition": "sequencing.uses_exitcondition",
    "postcondition": "sequencing.uses_postcondition", "rollup": "sequencing.uses_rollup",
    "rollup_excluded": "sequencing.uses_rollup_excluded",
    "rollup_considerations": "sequencing.uses_rollup_considerations",
    "global_objectives": "sequencing.uses_global_objectives", "attempt_limit": "sequencing.uses_attempt_limit",
    "duration_limit": "sequencing.uses_duration_limit", "randomization": "sequencing.uses_randomization",
    "delivery_controls": "sequencing.uses_delivery_controls",
    "constrained_choice": "sequencing.uses_constrained_choice", "hidden_ui": "sequencing.uses_hidden_ui",
    "measure_satisfaction": "sequencing.uses_measure_satisfaction",
    "auxiliary_resources": "sequencing.uses_auxiliary_resources",
}

#: feature key -> how the not-applied warning names it (the manifest's own vocabulary)
LABELS: dict[str, str] = {
    "forced_flow": "controlMode choice=false", "flow": "controlMode flow", "forward_only": "forwardOnly",
    "choice_exit": "choiceExit=false", "precondition": "preConditionRule", "exitcondition": "exitConditionRule",
    "postcondition": "postConditionRule", "rollup": "rollupRule",
    "rollup_excluded": "rollupObjectiveSatisfied/rollupProgressCompletion/objectiveMeasureWeight",
    "rollup_considerations": "adlseq:rollupConsiderations", "global_objectives": "mapInfo (mục tiêu toàn cục)",
    "attempt_limit": "attemptLimit", "duration_limit": "attemptAbsoluteDurationLimit",
    "randomization": "randomizationControls", "delivery_controls": "deliveryControls tracked=false",
    "constrained_choice": "adlseq:constrainedChoiceConsiderations", "hidden_ui": "adlnav:hideLMSUI",
    "measure_satisfaction": "satisfiedByMeasure", "auxiliary_resources": "auxiliaryResources",
}

#: the features the player applies (through scorm-again's engine, docs/sequencing.md "Applied in the
#: player"), each shown applied by tests/scorm/test_engine.py and/or tests/e2e/test_sequencing_player.py.
#: Left out on purpose: constrained choice and randomization (scorm-again 3.4.3 applies them only half,
#: see test_engine.py::test_*_only_half_applied_by_the_engine), duration limits (passed to the engine, not
#: shown applied by a test) and auxiliary resources (the player does not show them).
APPLIED: frozenset[str] = frozenset({
    "flow", "measure_satisfaction", "delivery_content_sets", "forced_flow", "forward_only", "choice_exit",
    "precondition", "exitcondition", "postcondition", "rollup", "rollup_excluded", "global_objectives",
    "attempt_limit", "hidden_ui", "rollup_considerations", "delivery_controls",
})

_CONDITIONS_VI = {
    "satisfied": "đã đạt", "objectiveStatusKnown": "đã biết trạng thái đạt",
    "objectiveMeasureKnown": "đã có điểm", "objectiveMeasureGreaterThan": "điểm > {t}",
    "objectiveMeasureLessThan": "điểm < {t}", "completed": "đã hoàn thành",
    "activityProgressKnown": "đã biết tiến độ", "attempted": "đã học", "attemptLimitExceeded": "hết lượt học",
    "timeLimitExceeded": "hết thời gian", "outsideAvailableTimeRange": "ngoài thời gian cho phép",
    "always": "luôn luôn",
}
_CHILD_SET_VI = {"all": "tất cả", "any": "bất kỳ", "none": "không", "atLeastCount": "ít nhất {n}",
                 "atLeastPercent": "ít nhất {p}%"}
_MAX_LISTED = 6


def _condition(c: RuleCondition) -> str:
    phrase = _CONDITIONS_VI.get(c.condition, c.condition).format(t=c.measure_threshold)
    phrase = f"{phrase} ({c.condition})"
    return f"không {phrase}" if c.operator == "not" else phrase


def _rule(rule: SequencingRule) -> str:
    glue = " hoặc " if rule.condition_combination == "any" else " và "
    return f"{rule.action} khi {glue.join(_condition(c) for c in rule.conditions)}"


def _rollup_rule(rule: RollupRule) -> str:
    glue = " hoặc " if rule.condition_combination == "any" else " và "
    who = _CHILD_SET_VI.get(rule.child_activity_set, rule.child_activity_set).format(
        n=rule.minimum_count, p=round(rule.minimum_percent * 100))
    conds = glue.join(_condition(RuleCondition(c.condition, c.operator)) for c in rule.conditions)
    return f"{rule.action} khi {who} hoạt động con {conds}"


def _features(act: Activity, seq: Sequencing) -> Iterator[tuple[str, str]]:
    cm, ident = seq.control_mode, act.identifier
    if cm is not None:
        if cm.flow:
            yield ("flow" if cm.choice else "forced_flow"), ident
        if cm.forward_only:
            yield "forward_only", ident
        if not cm.choice_exit:
            yield "choice_exit", ident
    for rule in seq.sequencing_rules or ():
        yield f"{rule.kind}condition", f"{ident}: {_rule(rule)}"
    yield from _rollup_features(ident, seq)
    yield from _limit_features(ident, seq)
    yield from _control_features(ident, seq)


def _rollup_features(ident: str, seq: Sequencing) -> Iterator[tuple[str, str]]:
    rr = seq.rollup_rules
    if rr is not None:
        for rule in rr.rules:
            yield "rollup", f"{ident}: {_rollup_rule(rule)}"
        left_out = [name for name, off in (("objective satisfied", not rr.rollup_objective_satisfied),
                                           ("completion", not rr.rollup_progress_completion),
                                           ("measure", rr.objective_measure_weight == 0)) if off]
        if left_out:
            yield "rollup_excluded", f"{ident} ({', '.join(left_out)})"
    if seq.rollup_considerations not in (None, RollupConsiderations()):
        yield "rollup_considerations", ident


def _limit_features(ident: str, seq: Sequencing) -> Iterator[tuple[str, str]]:
    limit = seq.limit_conditions
    if limit is not None and limit.attempt_limit:
        yield "attempt_limit", f"{ident}: {limit.attempt_limit}"
    if limit is not None and limit.attempt_absolute_duration_limit:
        yield "duration_limit", f"{ident}: {limit.attempt_absolute_duration_limit}"
    for o in seq.objectives or ():
        if o.satisfied_by_measure:
            yield "measure_satisfaction", f"{ident}: ≥ {o.min_normalized_measure:g}"


def _control_features(ident: str, seq: Sequencing) -> Iterator[tuple[str, str]]:
    rnd = seq.randomization_controls
    if rnd not in (None, RandomizationControls()):
        yield "randomization", ident
    dc = seq.delivery_controls
    if dc is not None and not dc.tracked:
        yield "delivery_controls", f"{ident}: tracked=false"
    elif dc is not None and (dc.completion_set_by_content or dc.objective_set_by_content):
        yield "delivery_content_sets", ident
    if seq.constrained_choice not in (None, ConstrainedChoice()):
        yield "constrained_choice", ident
    if seq.auxiliary_resources:
        yield "auxiliary_resources", ident


def _globals(manifest: Manifest) -> list[str]:
    """``target — ghi: A, B; đọc: C`` for every global objective the package maps."""
    readers: dict[str, list[str]] = {}
    writers: dict[str, list[str]] = {}
    for act in activities(manifest):
        for o in (act.sequencing.objectives or ()) if act.sequencing else ():
            for m in (*o.map_info, *o.adl_map_info):
                for way, book in (("write_", writers), ("read_", readers)):
                    names = book.setdefault(m.target_objective_id, [])
                    if any(v for k, v in vars(m).items() if k.startswith(way)) and act.identifier not in names:
                        names.append(act.identifier)
    return [f"{t} — ghi: {', '.join(writers.get(t, [])) or '-'}; đọc: {', '.join(readers.get(t, [])) or '-'}"
            for t in sorted({*readers, *writers}) if t]


def _listing(details: list[str]) -> str:
    shown = "; ".join(dict.fromkeys(details[:_MAX_LISTED]))
    return shown + (f"; … (+{len(details) - _MAX_LISTED})" if len(details) > _MAX_LISTED else "")


def describe_sequencing(manifest: Manifest) -> list[Issue]:
    """Information findings (``sequencing.uses_*``) for the sequencing features the package uses, then
    one ``sequencing.not_applied`` warning naming the ones the player does not apply."""
    if manifest.scorm_version == "1.2":
        return []
    found: dict[str, list[str]] = {}
    for act in activities(manifest):
        if act.hide_lms_ui:
            found.setdefault("hidden_ui", []).append(f"{act.identifier}: {', '.join(act.hide_lms_ui)}")
        for key, detail in _features(act, act.sequencing) if act.sequencing else ():
            found.setdefault(key, []).append(detail)
    if (targets := _globals(manifest)):
        found["global_objectives"] = targets
    issues = [seq_issue(FEATURES[key], _listing(found[key])) for key in FEATURES if key in found]
    missing = [LABELS[key] for key in FEATURES if key in found and key not in APPLIED]
    if missing:
        issues.append(seq_issue("sequencing.not_applied", ", ".join(missing)))
    return issues
