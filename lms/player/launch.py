"""Launch: the manifest's items, the table of contents, the values the LMS gives a SCO at launch, the
SCO to open, and the content URL. See ``docs/player.md``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.catalog.models import PackageVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.org.models import Cadre
from lms.player import rte
from lms.player.models import Attempt, ScoState
from scorm.cmi import launch_state
from scorm.manifest import Item, Manifest, launch_url


def cmi_version(version: PackageVersion) -> str:
    """``"1.2"`` or ``"2004"`` for a package version."""
    return "1.2" if version.scorm_version == "1.2" else "2004"


# --- the manifest ---------------------------------------------------------------------------------


def manifest_of(version: PackageVersion) -> Manifest:
    """The parsed manifest of a package version (the catalog caches it by id and sha256)."""
    from lms.catalog.services import parsed_manifest

    return parsed_manifest(version)


def sco_items(manifest: Manifest) -> list[Item]:
    """The launchable items of the default organization, in order (hidden ones included)."""
    return manifest.scos()


def find_item(manifest: Manifest, identifier: str) -> Item | None:
    """The launchable item ``identifier``, or None."""
    return next((i for i in sco_items(manifest) if i.identifier == identifier), None)


def toc(manifest: Manifest) -> list[dict[str, Any]]:
    """The table of contents of the default organization. An item with ``isvisible="false"`` is left
    out, not its children: they take its place (CAM 3.4.1.10 — isvisible hides only that item)."""
    org = manifest.default_organization

    def node(item: Item, depth: int) -> list[dict[str, Any]]:
        if not item.isvisible:
            return [row for child in item.children for row in node(child, depth)]
        launchable = manifest._launchable(item)
        rows = [{"identifier": item.identifier, "title": item.title, "depth": depth, "launchable": launchable,
                 "prerequisites": item.prerequisites, "asset": launchable and rte.is_asset(manifest, item)}]
        for child in item.children:
            rows.extend(node(child, depth + 1))
        return rows

    return [row for item in (org.items if org else ()) for row in node(item, 0)]


def launch_values(item: Item, version: str, cadre: Cadre) -> dict[str, str]:
    """LMS-owned values for the SCO: learner, credit and mode, launch data, mastery, limits."""
    return _lms_values(item, version, cadre.code, cadre.full_name, preview=False)


def preview_values(item: Item, version: str, user: Any) -> dict[str, str]:
    """Launch values of a preview: the lecturer as learner, no credit, browse mode (SCORM's preview),
    no time limits."""
    return _lms_values(item, version, user.login, user.full_name, preview=True)


def _lms_values(item: Item, version: str, learner_id: str, name: str, *, preview: bool) -> dict[str, str]:
    """Learner, credit and mode, and the manifest's seeds (``scorm.seeding.seed_values``: launch data,
    mastery score, passing score, completion threshold, time limits, 2004 objective ids)."""
    credit, mode = ("no-credit", "browse") if preview else ("credit", "normal")
    if version == "1.2":
        values = {"cmi.core.student_id": learner_id, "cmi.core.student_name": name,
                  "cmi.core.credit": credit, "cmi.core.lesson_mode": mode}
    else:
        values = {"cmi.learner_id": learner_id, "cmi.learner_name": name, "cmi.credit": credit, "cmi.mode": mode}
    seeds = rte.launch_seeds(item, version, preview=preview)
    values.update({k: v for k, v in seeds.items() if not k.startswith("cmi.objectives.")})
    return values


def outcome_launch_data(item: Item | None, version: str) -> dict[str, str]:
    """mastery score (1.2), completion threshold and scaled passing score (2004) of an item."""
    data: dict[str, str] = {}
    if item is None:
        return data
    if version == "1.2":
        if item.mastery_score is not None:
            data["mastery_score"] = _num(item.mastery_score)
        return data
    threshold = item.completion_threshold
    if threshold is not None and threshold.completed_by_measure:
        data["completion_threshold"] = _num(threshold.min_progress_measure)
    objectives = (item.sequencing.objectives if item.sequencing else None) or ()
    primary = next((o for o in objectives if o.primary), None)
    if primary is not None and primary.satisfied_by_measure:
        data["scaled_passing_score"] = _num(primary.min_normalized_measure)
    return data


def _num(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")

def sco_state(attempt: Attempt, sco_id: str) -> ScoState | None:
    """The state row of one SCO of an attempt."""
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == sco_id))


def initial_state(attempt: Attempt, item: Item, cadre: Cadre) -> dict[str, str]:
    """The flat state handed to the run-time at launch (see :func:`launch_cmi`) with the learner's shared
    data buckets (``adl.data``)."""
    from lms.player.shared_data import launch_buckets

    version = cmi_version(attempt.package_version)
    state = sco_state(attempt, item.identifier)
    used = state is not None and state.last_seq > 0
    values = launch_cmi(version, item, state.cmi if used else {}, used, launch_values(item, version, cadre))
    if version == "2004" and item.data_maps:
        values.update(launch_buckets(cadre.id, manifest_of(attempt.package_version), item))
    if version == "2004" and item.sequencing is not None:
        from lms.player.sequencing import objective_values

        values.update(objective_values(cadre.id, manifest_of(attempt.package_version), item, values))
    return values


def launch_cmi(version: str, item: Item, stored: dict[str, Any], used: bool, lms: dict[str, str]) -> dict[str, str]:
    """The state of a launch (``scorm.cmi.launch_state``): 2004 4th ed. RTE 4.2.8 — ``ab-initio`` with
    fresh data for a new learner attempt (the first launch, or any launch after a session that did not
    end suspended), ``resume`` with the stored data after ``exit = suspend`` / ``suspendAll``; SCORM 1.2
    RTE 3.4.4 — ``ab-initio`` the first time, ``resume`` after a suspend, else ``""`` with the data kept.
    The LMS's values and the manifest's objective ids (RTE 4.2.17) are written over it."""
    return launch_state(version, stored if used else {}, lms_values={**rte.seeds(item, version), **lms})


def next_sco(attempt: Attempt, manifest: Manifest, requested: str | None = None) -> Item:
    """The SCO to open: the requested one, else the one a ``suspendAll`` left from, else the first not
    completed, else the first."""
    items = sco_items(manifest)
    if requested or not items:
        return next_sco_of(manifest, requested)
    if attempt.suspended_sco and (left := find_item(manifest, attempt.suspended_sco)) is not None:
        return left
    states = {s.sco_id: s for s in attempt.sco_states}
    for item in items:
        state = states.get(item.identifier)
        if state is not None and state.completion != "completed" and item.isvisible:
            return item
    return items[0]


def next_sco_of(manifest: Manifest, requested: str | None = None) -> Item:
    """The requested SCO, else the first visible one (404 when there is none)."""
    items = sco_items(manifest)
    if not items:
        raise UserError("Gói bài học không có SCO nào để mở.", "The package has nothing to launch.", status=404)
    if requested:
        item = find_item(manifest, requested)
        if item is None:
            raise UserError("Không tìm thấy bài học này trong gói.", "No such lesson in the package.", status=404)
        return item
    return next((i for i in items if i.isvisible), items[0])


def content_url_for(attempt: Attempt | None, item: Item, manifest: Manifest, user_id: int,
                    version: PackageVersion | None = None) -> str:
    """The URL of the SCO's launch file (with the item's parameters), same origin or the content origin.

    ``attempt`` None (a preview) needs ``version``."""
    version = version if version is not None else attempt.package_version
    url = launch_url(manifest, item)
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, tail = url[:cut], url[cut:]
    try:
        from lms.catalog.content import content_url
    except ImportError:  # pragma: no cover - before the catalog lands
        return f"/content/{version.id}/{path}{tail}"
    base = content_url(version, path, user_id=user_id, attempt_id=attempt.id if attempt is not None else None)
    if tail.startswith("?") and "?" in base:
        tail = "&" + tail[1:]
    return base + tail


