"""The run-time rules the player applies on the server, as the player needs them (no database, no
Flask): thin adapters over ``scorm.cmi`` (attempt and entry rules), ``scorm.seeding`` (manifest seeds,
assets) and ``scorm.limits`` (the commit bound), plus the "best result" ordering of the player.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from scorm.cmi import launch_plan, session_end
from scorm.limits import commit_bound_bytes
from scorm.manifest import Item, Manifest
from scorm.seeding import is_asset as seeding_is_asset
from scorm.seeding import seed_values

EXIT = {"1.2": "cmi.core.exit", "2004": "cmi.exit"}
ENTRY = {"1.2": "cmi.core.entry", "2004": "cmi.entry"}
SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}
#: elements that describe how the last session ended; a new run-time session starts without them
TRANSIENT = {"1.2": ("cmi.core.exit",), "2004": ("cmi.exit", "adl.nav.request")}
_COMPLETION_RANK = {"completed": 3, "incomplete": 2, "unknown": 1, "not attempted": 0}
_SUCCESS_RANK = {"passed": 2, "failed": 1, "unknown": 0}


def suspended(version: str, cmi: Mapping[str, Any]) -> bool:
    """Whether the last session ended suspended: ``exit = suspend`` (2004 also ``adl.nav.request =
    suspendAll``), 2004 4th ed. RTE 4.2.10 and 4.4.2 (``scorm.cmi.session_end``)."""
    return session_end(version, cmi).suspended


def new_learner_attempt(version: str, cmi: Mapping[str, Any], used: bool) -> bool:
    """2004 4th ed. RTE 4.2.8/4.2.10: after a session that did not end suspended, the next launch is a
    new learner attempt (fresh data, ``entry = ab-initio``); 1.2 keeps the data (``scorm.cmi.launch_plan``)."""
    return used and launch_plan(version, session_end(version, cmi)).new_attempt


def entry_for(version: str, cmi: Mapping[str, Any], used: bool) -> str:
    """``cmi.entry`` at launch: ``ab-initio`` for a fresh learner attempt, ``resume`` after a suspend,
    else ``""`` (SCORM 1.2 only: 2004 starts a new attempt instead)."""
    return launch_plan(version, session_end(version, cmi) if used else None).entry


def seeds(item: Item | None, version: str) -> dict[str, str]:
    """The read/write values a new learner attempt starts with in the stored state: 2004
    ``cmi.objectives.n.id`` from the item's objectives (RTE 4.2.17); the read-only seeds
    (``scorm.seeding.seed_values``) are LMS values added at every launch, never stored."""
    if item is None:
        return {}
    return {k: v for k, v in seed_values(item, version).items() if k.startswith("cmi.objectives.")}


def launch_seeds(item: Item, version: str, *, preview: bool) -> dict[str, str]:
    """Every manifest seed of the item (a preview has no time limits)."""
    values = seed_values(item, version)
    if preview:
        values = {k: v for k, v in values.items() if not k.endswith(("max_time_allowed", "time_limit_action"))}
    return values


def is_asset(manifest: Manifest, item: Item) -> bool:
    """An item whose resource is an asset: launched, never reports; completed once launched."""
    return seeding_is_asset(manifest, item)


def delivery(item: Item | None) -> tuple[bool, bool]:
    """``(completionSetByContent, objectiveSetByContent)`` of an item (IMS SS deliveryControls, default false)."""
    controls = item.sequencing.delivery_controls if item is not None and item.sequencing else None
    if controls is None:
        return False, False
    return controls.completion_set_by_content, controls.objective_set_by_content


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
    return min(max(int(configured_kb or DEFAULT_MAX_COMMIT_KB), 1) * 1024, _spec_bound())


@functools.cache
def _spec_bound() -> int:
    """``scorm.limits.commit_bound_bytes``: the largest legal 2004 data model, every element at its SPM,
    4 bytes a character (~100 MB) — no conforming SCO can send more; the configured bound is lower."""
    return max(commit_bound_bytes("2004"), commit_bound_bytes("1.2"))
