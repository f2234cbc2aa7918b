"""IMS Simple Sequencing / ADL sequencing and navigation of SCORM 2004 manifests.

* :mod:`scorm.sequencing.model` — the frozen dataclasses (also importable from :mod:`scorm.manifest`);
* :mod:`scorm.sequencing.parse` — ``imsss:sequencing`` and ``adlseq:`` elements into the model;
* :mod:`scorm.sequencing.check` — validation warnings;
* :mod:`scorm.sequencing.report` — which features a package uses, for the upload report;
* :mod:`scorm.sequencing.write` — the model back into manifest XML (used by :mod:`scorm.build`).
"""

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

__all__ = [
    "AdlMapInfo", "AdlObjective", "AuxiliaryResource", "ConstrainedChoice", "ControlMode", "DeliveryControls",
    "LimitConditions", "MapInfo", "Objective", "RandomizationControls", "RollupCondition", "RollupConsiderations",
    "RollupRule", "RollupRules", "RuleCondition", "Sequencing", "SequencingRule",
]
