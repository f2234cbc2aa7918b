"""The player's services, by concern — re-exported here for the views and other features:

* :mod:`lms.player.launch` — manifest items, table of contents, launch values and seeds, the SCO to open;
* :mod:`lms.player.attempts` — choosing and starting attempts, the pages' queries;
* :mod:`lms.player.commits` — validating and storing a SCO's commits (with :mod:`lms.player.commit_sql`);
* :mod:`lms.player.grading` — outcomes, the attempt's aggregate and rule, records, re-evaluation.

Services take plain values and flush; the request (``views``) commits. See ``docs/player.md``.
"""

from __future__ import annotations

from lms.player.attempts import (
    INTERACTION_FIELDS,
    OBJECTIVE_FIELDS,
    ModuleProgress,
    attempt_counts,
    attempts_of,
    available_modules,
    my_modules,
    open_attempt,
    readable_state,
    scoped_attempts,
    start_attempt,
)
from lms.player.commits import CommitResult, apply_commit
from lms.player.grading import (
    VN,
    launch_asset,
    reevaluate,
    refresh_attempt,
    sco_outcome,
    sco_result,
    settle,
    today,
)
from lms.player.launch import (
    cmi_version,
    content_url_for,
    find_item,
    initial_state,
    launch_values,
    manifest_of,
    next_sco,
    next_sco_of,
    outcome_launch_data,
    preview_values,
    sco_items,
    sco_state,
    toc,
)
from lms.player.navigation import nav_valid
from lms.player.rte import is_asset
from lms.player.versions import VersionInfo, version_info

__all__ = [
    "INTERACTION_FIELDS", "OBJECTIVE_FIELDS", "VN", "CommitResult", "ModuleProgress", "VersionInfo",
    "apply_commit", "attempt_counts", "attempts_of", "available_modules", "cmi_version", "content_url_for",
    "find_item", "initial_state", "is_asset", "launch_asset", "nav_valid", "launch_values", "manifest_of", "my_modules", "next_sco", "next_sco_of",
    "open_attempt", "outcome_launch_data", "preview_values", "readable_state", "reevaluate", "refresh_attempt",
    "sco_items", "sco_outcome", "sco_result", "sco_state", "scoped_attempts", "settle", "start_attempt", "today",
    "toc", "version_info",
]
