"""The IMS Simple Sequencing / ADL sequencing model of a manifest as frozen dataclasses.

Field defaults are the specification's defaults (IMS SS 1.0 / SCORM 2004 4th ed. SN book, sections
cited per class). A part of :class:`Sequencing` is ``None`` when the manifest does not give it, so that
it can be taken from the ``sequencingCollection`` entry named by ``IDRef``; :meth:`Sequencing.effective`
fills every part left out with its default.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

__all__ = [
    "AdlMapInfo", "AdlObjective", "AuxiliaryResource", "ConstrainedChoice", "ControlMode", "DeliveryControls",
    "LimitConditions", "MapInfo", "Objective", "RandomizationControls", "RollupCondition", "RollupConsiderations",
    "RollupRule", "RollupRules", "RuleCondition", "Sequencing", "SequencingRule",
]


@dataclass(frozen=True)
class ControlMode:
    """``imsss:controlMode`` (SN 3.2 Sequencing Control Modes)."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True)
class DeliveryControls:
    """``imsss:deliveryControls`` (SN 3.13 Delivery Controls)."""

    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass(frozen=True)
class MapInfo:
    """``imsss:mapInfo`` (SN 3.10, objective map): how a local objective reads and writes a global one."""

    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False


@dataclass(frozen=True)
class AdlMapInfo:
    """``adlseq:mapInfo`` (4th ed. CAM 5, ADL sequencing extensions; SN 3.10): the extended global
    objective map of raw, min and max score, completion status and progress measure. Reads default to
    true, writes to false."""

    target_objective_id: str
    read_raw_score: bool = True
    read_min_score: bool = True
    read_max_score: bool = True
    read_completion_status: bool = True
    read_progress_measure: bool = True
    write_raw_score: bool = False
    write_min_score: bool = False
    write_max_score: bool = False
    write_completion_status: bool = False
    write_progress_measure: bool = False


@dataclass(frozen=True)
class AdlObjective:
    """``adlseq:objectives/adlseq:objective``: the extended maps of the local objective ``objective_id``."""

    objective_id: str
    map_info: tuple[AdlMapInfo, ...] = ()


@dataclass(frozen=True)
class Objective:
    """``imsss:primaryObjective`` (``primary=True``) or ``imsss:objective`` (SN 3.10 Objectives).
    ``adl_map_info`` holds the ``adlseq:mapInfo`` of the ``adlseq:objective`` with the same ID."""

    objective_id: str | None
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: tuple[MapInfo, ...] = ()
    adl_map_info: tuple[AdlMapInfo, ...] = ()


@dataclass(frozen=True)
class RuleCondition:
    """``imsss:ruleCondition`` of a sequencing rule (SN 3.4.2-3.4.5)."""

    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float | None = None


@dataclass(frozen=True)
class SequencingRule:
    """A pre-, exit- or post-condition rule (``kind`` is ``"pre"``, ``"exit"`` or ``"post"``; SN 3.4,
    actions 3.4.6)."""

    kind: str
    action: str
    conditions: tuple[RuleCondition, ...] = ()
    condition_combination: str = "all"


@dataclass(frozen=True)
class RollupCondition:
    """``imsss:rollupCondition`` (SN 3.7.2-3.7.3)."""

    condition: str
    operator: str = "noOp"


@dataclass(frozen=True)
class RollupRule:
    """``imsss:rollupRule`` (SN 3.7; child activity set 3.7.4, action 3.7.5); the ``conditionCombination``
    of rollup conditions defaults to ``any``."""

    action: str
    conditions: tuple[RollupCondition, ...] = ()
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"


@dataclass(frozen=True)
class RollupRules:
    """``imsss:rollupRules``: the rollup controls (SN 3.8) and the rules (SN 3.7)."""

    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    rules: tuple[RollupRule, ...] = ()


@dataclass(frozen=True)
class LimitConditions:
    """``imsss:limitConditions`` (SN 3.5 Limit Conditions; ADL uses only these two)."""

    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None


@dataclass(frozen=True)
class AuxiliaryResource:
    """``imsss:auxiliaryResource`` (SN 3.6): parsed, and reported as not supported."""

    auxiliary_resource_id: str
    purpose: str


@dataclass(frozen=True)
class RandomizationControls:
    """``imsss:randomizationControls`` (SN 3.11 Selection Controls, 3.12 Randomization Controls)."""

    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass(frozen=True)
class ConstrainedChoice:
    """``adlseq:constrainedChoiceConsiderations`` (SN 3.3 Constrain Choice Controls)."""

    prevent_activation: bool = False
    constrain_choice: bool = False


@dataclass(frozen=True)
class RollupConsiderations:
    """``adlseq:rollupConsiderations`` (SN 3.9 Rollup Consideration Controls)."""

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


#: the parts of :class:`Sequencing` an ``IDRef`` can inherit, with their defaults when absent
PART_DEFAULTS: dict[str, object] = {
    "control_mode": ControlMode(), "sequencing_rules": (), "limit_conditions": LimitConditions(),
    "rollup_rules": RollupRules(), "objectives": (), "delivery_controls": DeliveryControls(),
    "randomization_controls": RandomizationControls(), "auxiliary_resources": (),
    "constrained_choice": ConstrainedChoice(), "rollup_considerations": RollupConsiderations(),
    "adl_objectives": (),
}


@dataclass(frozen=True)
class Sequencing:
    """``imsss:sequencing`` (SN 3 Sequencing Definition Model; CAM 5 XML binding). A part is ``None``
    when the element does not give it (so it can inherit from the ``sequencingCollection`` entry named
    by ``idref``)."""

    id: str | None = None
    idref: str | None = None
    control_mode: ControlMode | None = None
    sequencing_rules: tuple[SequencingRule, ...] | None = None
    limit_conditions: LimitConditions | None = None
    rollup_rules: RollupRules | None = None
    objectives: tuple[Objective, ...] | None = None
    delivery_controls: DeliveryControls | None = None
    randomization_controls: RandomizationControls | None = None
    auxiliary_resources: tuple[AuxiliaryResource, ...] | None = None
    constrained_choice: ConstrainedChoice | None = None
    rollup_considerations: RollupConsiderations | None = None
    adl_objectives: tuple[AdlObjective, ...] | None = None

    def merged_over(self, base: Sequencing) -> Sequencing:
        """This sequencing with every part it leaves out taken from ``base`` (a collection entry)."""
        return replace(self, **{p: getattr(self, p) if getattr(self, p) is not None else getattr(base, p)
                                for p in PART_DEFAULTS})

    def effective(self) -> Sequencing:
        """This sequencing with every part still left out set to the specification's default."""
        return replace(self, **{p: PART_DEFAULTS[p] for p in PART_DEFAULTS if getattr(self, p) is None})

    def given_parts(self) -> tuple[str, ...]:
        """The names of the parts the manifest gave (not ``None``)."""
        return tuple(f.name for f in fields(self) if f.name in PART_DEFAULTS and getattr(self, f.name) is not None)
