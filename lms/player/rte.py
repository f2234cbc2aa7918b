"""Pure run-time rules the player applies on the server (no database, no Flask).

They stand in for what ``scorm`` does not provide yet (see the report of issue 15): the learner
attempt and ``cmi.entry`` rules of each RTE book, the values the manifest seeds into a new learner
attempt, the defaults the LMS applies when a SCO ends, "best result" ordering, and the spec-derived
bound of a commit's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scorm.manifest import Item, Manifest

EXIT = {"1.2": "cmi.core.exit", "2004": "cmi.exit"}
ENTRY = {"1.2": "cmi.core.entry", "2004": "cmi.entry"}
SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}
#: elements that describe how the last session ended; a new run-time session starts without them
TRANSIENT = {"1.2": ("cmi.core.exit",), "2004": ("cmi.exit", "adl.nav.request")}
#: the status values a SCO may set (RTE 1.2 3.4.4; 2004 4th ed. RTE 4.2.4, 4.2.22)
SCO_STATUSES = {
    "cmi.core.lesson_status": frozenset({"passed", "completed", "failed", "incomplete", "browsed"}),
    "cmi.completion_status": frozenset({"completed", "incomplete", "not attempted", "unknown"}),
    "cmi.success_status": frozenset({"passed", "failed", "unknown"}),
}
_COMPLETION_RANK = {"completed": 3, "incomplete": 2, "unknown": 1, "not attempted": 0}
_SUCCESS_RANK = {"passed": 2, "failed": 1, "unknown": 0}


def suspended(version: str, cmi: Mapping[str, Any]) -> bool:
    """Whether the last session ended suspended: ``exit = suspend`` (2004 also ``adl.nav.request =
    suspendAll``, 2004 4th ed. RTE 4.2.12 and 4.4.2). ``logout``, ``time-out``, ``normal`` and ``""`` end
    the learner attempt."""
    if cmi.get(EXIT[version]) == "suspend":
        return True
    return version == "2004" and cmi.get("adl.nav.request") == "suspendAll"


def new_learner_attempt(version: str, cmi: Mapping[str, Any], used: bool) -> bool:
    """2004 4th ed. RTE 4.2.8/4.2.12: after a session that did not end suspended, the next launch is a
    new learner attempt (fresh data, ``entry = ab-initio``). SCORM 1.2 has no learner attempts within
    the LMS's attempt: the data stays (RTE 1.2 3.4.4 ``cmi.core.entry``)."""
    return version == "2004" and used and not suspended(version, cmi)


def entry_for(version: str, cmi: Mapping[str, Any], used: bool) -> str:
    """``cmi.entry`` at launch: ``ab-initio`` for a fresh learner attempt, ``resume`` after a suspend,
    else ``""`` (SCORM 1.2 only: 2004 starts a new attempt instead)."""
    if not used or new_learner_attempt(version, cmi, used):
        return "ab-initio"
    return "resume" if suspended(version, cmi) else ""


def objective_ids(item: Item) -> list[str]:
    """The manifest's objective identifiers of an item, the primary one first (CAM 5.1.12 / RTE 4.2.17)."""
    objectives = (item.sequencing.objectives if item.sequencing else None) or ()
    ordered = sorted(objectives, key=lambda o: not o.primary)
    seen: list[str] = []
    for objective in ordered:
        if objective.objective_id and objective.objective_id not in seen:
            seen.append(objective.objective_id)
    return seen


def seeds(item: Item | None, version: str) -> dict[str, str]:
    """The read/write values a new learner attempt starts with: 2004 ``cmi.objectives.n.id`` from the
    item's objectives (2004 4th ed. RTE 4.2.17: the LMS initializes the objectives the manifest declares)."""
    if item is None or version != "2004":
        return {}
    return {f"cmi.objectives.{n}.id": oid for n, oid in enumerate(objective_ids(item))}


def max_time_allowed(item: Item, version: str) -> str | None:
    """1.2 ``adlcp:maxtimeallowed``; 2004 the item's ``imsss:attemptAbsoluteDurationLimit`` (RTE 4.2.13)."""
    if version == "1.2":
        return item.max_time_allowed
    limits = item.sequencing.limit_conditions if item.sequencing else None
    return (limits.attempt_absolute_duration_limit if limits else None) or item.max_time_allowed


def is_asset(manifest: Manifest, item: Item) -> bool:
    """An item whose resource is an asset (``adlcp:scormtype``/``scormType`` = asset): launched, never reports
    (CAM 3.4.1.4); the LMS counts it completed once launched (2004 SN 4.2.1: not tracked)."""
    resource = manifest.resources.get(item.identifierref or "")
    return resource is not None and (resource.scorm_type or "").lower() == "asset"


@dataclass(frozen=True)
class Delivery:
    """The item's delivery controls (2004 IMS SS ``deliveryControls``, defaults false)."""

    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


def delivery(item: Item | None) -> Delivery:
    """The delivery controls of an item (defaults when the manifest declares none)."""
    controls = item.sequencing.delivery_controls if item is not None and item.sequencing else None
    if controls is None:
        return Delivery()
    return Delivery(controls.completion_set_by_content, controls.objective_set_by_content)


def finish_12(cmi: dict[str, Any]) -> None:
    """RTE 1.2 3.4.4: a SCO that finishes without setting ``lesson_status`` is ``completed``
    (``browsed`` in browse mode). The mastery score is applied afterwards by the caller."""
    if cmi.get("cmi.core.lesson_status") in (None, "", "not attempted"):
        browse = cmi.get("cmi.core.lesson_mode") == "browse"
        cmi["cmi.core.lesson_status"] = "browsed" if browse else "completed"


def end_defaults_2004(completion: str, success: str, controls: Delivery) -> tuple[str, str]:
    """2004 4th ed. SN UP.4 (End Attempt Process): with ``completionSetByContent`` false the LMS sets the
    attempt completed when the content did not report completion; with ``objectiveSetByContent`` false
    it sets the primary objective satisfied when the content did not report success."""
    if not controls.completion_set_by_content and completion in ("unknown", "not attempted"):
        completion = "completed"
    if not controls.objective_set_by_content and success == "unknown":
        success = "passed"
    return completion, success


def keep_as_set(version: str, merged: dict[str, Any], payload: Mapping[str, Any], refused: set[str]) -> None:
    """Store the statuses as the SCO set them (a SCO may set completed back to incomplete: 2004 4th ed.
    RTE 4.2.4; 1.2 RTE 3.4.4 only forbids ``not attempted``). ``scorm.cmi.validate_commit`` drops those
    "regressions"; the best result is kept apart (:func:`best_completion`)."""
    for name, allowed in SCO_STATUSES.items():
        value = payload.get(name)
        if name in refused or not isinstance(value, str) or value not in allowed:
            continue
        if (version == "1.2") == name.startswith("cmi.core."):
            merged[name] = value


def best_completion(old: str | None, new: str) -> str:
    """The better of two completion values (completed > incomplete > unknown > not attempted)."""
    return new if _COMPLETION_RANK.get(new, 0) >= _COMPLETION_RANK.get(old or "", 0) else str(old)


def best_success(old: str | None, new: str) -> str:
    """The better of two success values (passed > failed > unknown)."""
    return new if _SUCCESS_RANK.get(new, 0) >= _SUCCESS_RANK.get(old or "", 0) else str(old)


def best_score(old: float | None, new: float | None) -> float | None:
    """The higher scaled score (None is lowest)."""
    if old is None:
        return new
    return old if new is None else max(old, new)


#: default bound of a commit body, in KiB (``LMS_MAX_COMMIT_KB``): see :func:`max_commit_bytes`
DEFAULT_MAX_COMMIT_KB = 4096


def max_commit_bytes(configured_kb: int | None = None) -> int:
    """The largest commit body accepted. The default comes from the 2004 4th ed. RTE 4.1.1.6 smallest
    permitted maxima of what a SCO sends in one commit: suspend_data (64,000), 250 comments of 4,000,
    250 interactions with a 4,000-character id, description 250, learner_response and correct-response
    pattern of 4,000 and 10 objective ids — about 3.3 MB of flattened JSON; 4 MiB leaves room for
    escaping. Real commits are far smaller (a 250-interaction commit is ~250 KB)."""
    return max(int(configured_kb or DEFAULT_MAX_COMMIT_KB), 1) * 1024
