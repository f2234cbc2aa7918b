"""Validate the sequencing of a parsed manifest (IMS SS vocabulary, SN book references).

Findings are warnings: a package with a bad sequencing value is still playable, the player ignores what
it cannot understand, and the upload report says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scorm.issues import Issue
from scorm.sequencing.messages import seq_issue
from scorm.sequencing.model import Objective, Sequencing, SequencingRule

if TYPE_CHECKING:
    from scorm.manifest import Manifest

__all__ = ["Activity", "activities", "check_sequencing"]

RULE_CONDITIONS = frozenset({
    "satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "objectiveMeasureGreaterThan",
    "objectiveMeasureLessThan", "completed", "activityProgressKnown", "attempted", "attemptLimitExceeded",
    "timeLimitExceeded", "outsideAvailableTimeRange", "always"})
ROLLUP_CONDITIONS = RULE_CONDITIONS - {"objectiveMeasureGreaterThan", "objectiveMeasureLessThan", "always"}
MEASURE_CONDITIONS = frozenset({"objectiveMeasureGreaterThan", "objectiveMeasureLessThan"})
OPERATORS = frozenset({"not", "noOp"})
COMBINATIONS = frozenset({"all", "any"})
#: SN 3.4.6 rule actions per rule kind
RULE_ACTIONS = {"pre": frozenset({"skip", "disabled", "hiddenFromChoice", "stopForwardTraversal"}),
                "exit": frozenset({"exit"}),
                "post": frozenset({"exitParent", "exitAll", "retry", "retryAll", "continue", "previous"})}
ROLLUP_ACTIONS = frozenset({"satisfied", "notSatisfied", "completed", "incomplete"})
CHILD_ACTIVITY_SETS = frozenset({"all", "any", "none", "atLeastCount", "atLeastPercent"})
TIMINGS = frozenset({"never", "once", "onEachNewAttempt"})
CONSIDERATIONS = frozenset({"always", "ifAttempted", "ifNotSkipped", "ifNotSuspended"})
HIDE_LMS_UI = frozenset({"previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll"})
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@dataclass(frozen=True)
class Activity:
    """One node of the activity tree: the organization (root) or an item."""

    identifier: str
    sequencing: Sequencing | None
    children: int
    hide_lms_ui: tuple[str, ...] = ()


def activities(manifest: Manifest) -> Iterator[Activity]:
    """The activities of the default organization, root first, in document order."""
    org = manifest.default_organization
    if org is None:
        return
    yield Activity(org.identifier, org.sequencing, len(org.items))
    for item in org.walk():
        yield Activity(item.identifier, item.sequencing, len(item.children), item.hide_lms_ui)


def check_sequencing(manifest: Manifest) -> list[Issue]:
    """Warnings for every sequencing value the specification does not allow or cannot resolve."""
    if manifest.scorm_version == "1.2":
        return []
    issues: list[Issue] = []
    for act in activities(manifest):
        issues.extend(_check_activity(act))
    return list(dict.fromkeys(issues))[:50]


def _unknown(where: str, name: str, value: object) -> Issue:
    return seq_issue("sequencing.unknown_value", f"{where} {name}={value!r}")


def _check_activity(act: Activity) -> Iterator[Issue]:
    ident = act.identifier
    for value in act.hide_lms_ui:
        if value not in HIDE_LMS_UI:
            yield _unknown(ident, "hideLMSUI", value)
    seq = act.sequencing
    if seq is None:
        return
    objective_ids = {o.objective_id for o in seq.objectives or () if o.objective_id}
    for rule in seq.sequencing_rules or ():
        yield from _check_rule(ident, rule, objective_ids)
    yield from _check_rollup(ident, seq)
    yield from _check_objectives(ident, seq)
    yield from _check_controls(act, seq)


def _check_rule(ident: str, rule: SequencingRule, objective_ids: set[str]) -> Iterator[Issue]:
    where = f"{ident} {rule.kind}ConditionRule"
    if rule.action not in RULE_ACTIONS[rule.kind]:
        yield _unknown(where, "action", rule.action)
    if rule.condition_combination not in COMBINATIONS:
        yield _unknown(where, "conditionCombination", rule.condition_combination)
    if not rule.conditions:
        yield seq_issue("sequencing.rule_without_condition", where)
    for c in rule.conditions:
        if c.condition not in RULE_CONDITIONS:
            yield _unknown(where, "condition", c.condition)
        if c.operator not in OPERATORS:
            yield _unknown(where, "operator", c.operator)
        if c.condition in MEASURE_CONDITIONS and c.measure_threshold is None:
            yield seq_issue("sequencing.measure_threshold_missing", f"{where} {c.condition}")
        if c.referenced_objective and c.referenced_objective not in objective_ids:
            yield seq_issue("sequencing.referenced_objective_missing", f"{ident} {c.referenced_objective!r}")


def _check_rollup(ident: str, seq: Sequencing) -> Iterator[Issue]:
    for rule in seq.rollup_rules.rules if seq.rollup_rules else ():
        where = f"{ident} rollupRule"
        if rule.action not in ROLLUP_ACTIONS:
            yield _unknown(where, "action", rule.action)
        if rule.child_activity_set not in CHILD_ACTIVITY_SETS:
            yield _unknown(where, "childActivitySet", rule.child_activity_set)
        if rule.condition_combination not in COMBINATIONS:
            yield _unknown(where, "conditionCombination", rule.condition_combination)
        if not rule.conditions:
            yield seq_issue("sequencing.rule_without_condition", where)
        for c in rule.conditions:
            if c.condition not in ROLLUP_CONDITIONS:
                yield _unknown(where, "condition", c.condition)
            if c.operator not in OPERATORS:
                yield _unknown(where, "operator", c.operator)
    rc = seq.rollup_considerations
    for name, value in (("requiredForSatisfied", rc.required_for_satisfied),
                        ("requiredForNotSatisfied", rc.required_for_not_satisfied),
                        ("requiredForCompleted", rc.required_for_completed),
                        ("requiredForIncomplete", rc.required_for_incomplete)) if rc else ():
        if value not in CONSIDERATIONS:
            yield _unknown(ident, name, value)


def _check_objectives(ident: str, seq: Sequencing) -> Iterator[Issue]:
    objectives = seq.objectives or ()
    if sum(o.primary for o in objectives) > 1:
        yield seq_issue("sequencing.primary_objective_count", ident)
    for oid, n in Counter(o.objective_id for o in objectives if o.objective_id).items():
        if n > 1:
            yield seq_issue("sequencing.duplicate_objective", f"{ident} {oid!r}")
    for o in objectives:
        if not o.objective_id and (not o.primary or o.map_info):
            yield seq_issue("sequencing.objective_id_missing", ident)
        if any(not m.target_objective_id for m in (*o.map_info, *o.adl_map_info)):
            yield seq_issue("sequencing.target_objective_missing", f"{ident} {o.objective_id or ''!r}")
    yield from _write_conflicts(ident, objectives)
    known = {o.objective_id for o in objectives}
    for adl in seq.adl_objectives or ():
        if adl.objective_id not in known:
            yield seq_issue("sequencing.adl_objective_unmatched", f"{ident} {adl.objective_id!r}")


def _write_conflicts(ident: str, objectives: tuple[Objective, ...]) -> Iterator[Issue]:
    """SN 3.10: within one activity only one local objective may write a given global objective."""
    writes = Counter((m.target_objective_id, what) for o in objectives for m in o.map_info
                     for what, on in (("satisfied", m.write_satisfied_status),
                                      ("measure", m.write_normalized_measure)) if on and m.target_objective_id)
    for (target, _), n in sorted(writes.items()):
        if n > 1:
            yield seq_issue("sequencing.global_write_conflict", f"{ident} {target!r}")


def _check_controls(act: Activity, seq: Sequencing) -> Iterator[Issue]:
    limit = seq.limit_conditions
    duration = limit.attempt_absolute_duration_limit if limit else None
    if duration and not _DURATION.match(duration):
        yield seq_issue("sequencing.duration_invalid", f"{act.identifier} {duration!r}")
    rnd = seq.randomization_controls
    if rnd is not None:
        for name, value in (("randomizationTiming", rnd.randomization_timing),
                            ("selectionTiming", rnd.selection_timing)):
            if value not in TIMINGS:
                yield _unknown(act.identifier, name, value)
        if rnd.select_count is not None and rnd.select_count > act.children:
            yield seq_issue("sequencing.select_count_too_large",
                            f"{act.identifier} {rnd.select_count} > {act.children}")
