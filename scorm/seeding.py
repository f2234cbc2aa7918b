"""What the manifest gives a SCO at launch, and what the LMS must keep for it between SCOs.

Pure functions over a parsed :class:`~scorm.manifest.Manifest` (no Flask, no database):

* :func:`seed_values` — the initial data-model values an item's manifest entry defines
  (SCORM 2004 4th ed. RTE 4.2 with CAM 3.4/5.1 and SN 3.10-3.13; SCORM 1.2 RTE 3.4 with CAM 2.3.4).
* :func:`shared_data_buckets`, :func:`shared_data_values`, :func:`shared_data_writes` — the
  ``adl.data`` shared data buckets (SCORM 2004 4th ed. CAM 3.4.1.x ``adlcp:data``/``adlcp:map``,
  RTE 4.3): which buckets an item maps, the values to hand the SCO, the values to persist.
* :func:`is_asset`, :func:`visible_rows` — assets (``adlcp:scormType="asset"``) and the table of
  contents with ``isvisible="false"`` hiding only that item, never its children (CAM 3.4.1.12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scorm.manifest import Item, Manifest, Objective

__all__ = [
    "DataBucket",
    "DeliveryFlags",
    "TocRow",
    "delivery_flags",
    "is_asset",
    "seed_values",
    "shared_data_access",
    "shared_data_buckets",
    "shared_data_values",
    "shared_data_writes",
    "visible_rows",
]


def _number(value: float) -> str:
    """A manifest number written as the data model writes reals (``0.8``, ``1``, ``-0.25``)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _objectives(item: Item) -> tuple[Objective, ...]:
    """The item's objectives, the primary objective first (SN 3.10; RTE 4.2.17 seeding)."""
    objectives = (item.sequencing.objectives if item.sequencing else None) or ()
    return tuple(sorted(objectives, key=lambda objective: not objective.primary))


def _primary(item: Item) -> Objective | None:
    return next((objective for objective in _objectives(item) if objective.primary), None)


def seed_values(item: Item, version: str) -> dict[str, str]:
    """The initial values the LMS gives a SCO from its manifest item, as ``{element: value}``.

    SCORM 2004 (``version`` "2004"): ``cmi.objectives.n.id`` for each objective with an
    ``objectiveID``, primary first (RTE 4.2.17: "the LMS shall initialize cmi.objectives with the
    objective IDs of the manifest"); ``cmi.scaled_passing_score`` from the primary objective's
    ``minNormalizedMeasure`` when ``satisfiedByMeasure`` is true (RTE 4.2.19); ``cmi.max_time_allowed``
    from ``attemptAbsoluteDurationLimit`` (RTE 4.2.15, SN 3.13); ``cmi.time_limit_action`` from
    ``adlcp:timeLimitAction`` (RTE 4.2.24); ``cmi.launch_data`` from ``adlcp:dataFromLMS`` (RTE 4.2.10);
    ``cmi.completion_threshold`` from ``adlcp:completionThreshold`` when completed by measure
    (RTE 4.2.5). SCORM 1.2: ``cmi.student_data.mastery_score``, ``.max_time_allowed``,
    ``.time_limit_action`` and ``cmi.launch_data`` (1.2 RTE 3.4.4, CAM 2.3.4 ``adlcp:masteryscore``...).
    Elements the manifest does not define are left out (the data model's defaults apply).
    """
    return _seed_12(item) if version == "1.2" else _seed_2004(item)


def _seed_12(item: Item) -> dict[str, str]:
    values: dict[str, str] = {}
    if item.mastery_score is not None:
        values["cmi.student_data.mastery_score"] = _number(item.mastery_score)
    if item.max_time_allowed:
        values["cmi.student_data.max_time_allowed"] = item.max_time_allowed
    if item.time_limit_action:
        values["cmi.student_data.time_limit_action"] = item.time_limit_action
    if item.data_from_lms is not None:
        values["cmi.launch_data"] = item.data_from_lms
    return values


def _seed_2004(item: Item) -> dict[str, str]:
    values: dict[str, str] = {}
    ids = [objective.objective_id for objective in _objectives(item) if objective.objective_id]
    for index, objective_id in enumerate(dict.fromkeys(ids)):  # ids are unique in cmi.objectives (RTE 4.2.17)
        values[f"cmi.objectives.{index}.id"] = objective_id
    primary = _primary(item)
    if primary is not None and primary.satisfied_by_measure:
        values["cmi.scaled_passing_score"] = _number(primary.min_normalized_measure)
    limits = item.sequencing.limit_conditions if item.sequencing else None
    if limits is not None and limits.attempt_absolute_duration_limit:
        values["cmi.max_time_allowed"] = limits.attempt_absolute_duration_limit
    if item.time_limit_action:
        values["cmi.time_limit_action"] = item.time_limit_action
    if item.data_from_lms is not None:
        values["cmi.launch_data"] = item.data_from_lms
    threshold = item.completion_threshold
    if threshold is not None and threshold.completed_by_measure:
        values["cmi.completion_threshold"] = _number(threshold.min_progress_measure)
    return values


@dataclass(frozen=True)
class DeliveryFlags:
    """An item's SN 3.12 delivery controls (``imsss:deliveryControls``), with the book's defaults."""

    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


def delivery_flags(item: Item) -> DeliveryFlags:
    """The item's delivery controls; absent ones take the SN defaults (tracked, both set-by-content false).

    Pass them to :func:`scorm.cmi.final_outcome` (``completion_set_by_content=``,
    ``objective_set_by_content=``) when the SCO's session ends.
    """
    controls = item.sequencing.delivery_controls if item.sequencing else None
    if controls is None:
        return DeliveryFlags()
    return DeliveryFlags(controls.tracked, controls.completion_set_by_content, controls.objective_set_by_content)


@dataclass(frozen=True)
class DataBucket:
    """One shared data bucket an item maps (``adlcp:map``), as the server persists it.

    The server keeps one ``store`` string per learner and ``key`` (across SCOs and attempts);
    ``key`` is ``target_id`` when the organization's ``adlcp:sharedDataGlobalToSystem`` is true (the
    default: shared with every package of the system), else ``"<manifest identifier>/<target_id>"``.
    """

    target_id: str
    read: bool
    write: bool
    global_to_system: bool
    key: str


def shared_data_buckets(manifest: Manifest, item: Item) -> tuple[DataBucket, ...]:
    """The ``adl.data`` buckets of ``item``, in manifest order (its ``adl.data.n`` order; RTE 4.3).

    Maps without a ``targetID`` are skipped; a repeated ``targetID`` keeps its first map.
    """
    org = manifest.default_organization
    global_ = org.shared_data_global_to_system if org is not None else True
    buckets: dict[str, DataBucket] = {}
    for data_map in item.data_maps:
        if data_map.target_id and data_map.target_id not in buckets:
            key = data_map.target_id if global_ else f"{manifest.identifier}/{data_map.target_id}"
            buckets[data_map.target_id] = DataBucket(data_map.target_id, data_map.read_shared_data,
                                                     data_map.write_shared_data, global_, key)
    return tuple(buckets.values())


def shared_data_values(buckets: tuple[DataBucket, ...], stores: Mapping[str, str]) -> dict[str, str]:
    """The ``adl.data.n.id``/``adl.data.n.store`` values to add to the launch state.

    ``stores`` maps a bucket's ``key`` to its persisted string. A store is handed over only for a
    readable bucket that holds a value: GetValue of an unwritten store answers 403 (RTE 4.3.2).
    """
    values: dict[str, str] = {}
    for index, bucket in enumerate(buckets):
        values[f"adl.data.{index}.id"] = bucket.target_id
        if bucket.read and bucket.key in stores:
            values[f"adl.data.{index}.store"] = stores[bucket.key]
    return values


def shared_data_access(buckets: tuple[DataBucket, ...]) -> list[dict[str, bool]]:
    """Each bucket's ``{"read": .., "write": ..}`` in ``adl.data.n`` order: the player page passes it to
    ``lmsRteAdapter.wrap(api, "2004", {state, sharedData})``; ``scorm.cmi`` takes the same as
    ``DataModel(..., shared_data=[(read, write), ...])`` (RTE 4.3: 405 / 404 otherwise)."""
    return [{"read": bucket.read, "write": bucket.write} for bucket in buckets]


def shared_data_writes(buckets: tuple[DataBucket, ...], state: Mapping[str, object]) -> dict[str, str]:
    """The ``{bucket key: store}`` values a SCO's state writes, for the writable buckets only (RTE 4.3.2)."""
    writes: dict[str, str] = {}
    for index, bucket in enumerate(buckets):
        value = state.get(f"adl.data.{index}.store")
        if bucket.write and isinstance(value, str):
            writes[bucket.key] = value
    return writes


def is_asset(manifest: Manifest, item: Item) -> bool:
    """Whether the item launches an asset (``adlcp:scormType``/``scormtype`` "asset", CAM 3.4.1.x).

    An asset never talks to the API: the LMS counts it completed once launched (SN 4.2.1 "tracked";
    RTE 3.1 "assets do not communicate").
    """
    resource = manifest.resources.get(item.identifierref or "")
    return resource is not None and (resource.scorm_type or "").lower() == "asset"


@dataclass(frozen=True)
class TocRow:
    """One visible row of the table of contents; ``depth`` counts visible ancestors only."""

    item: Item
    depth: int
    launchable: bool


def visible_rows(manifest: Manifest) -> list[TocRow]:
    """The default organization's items in document order, ``isvisible="false"`` items left out.

    CAM 3.4.1.12: ``isvisible`` hides the item itself only; its children are still shown (they
    take the hidden item's depth).
    """
    org = manifest.default_organization
    rows: list[TocRow] = []

    def walk(items: tuple[Item, ...], depth: int) -> None:
        for item in items:
            resource = manifest.resources.get(item.identifierref or "")
            if item.isvisible:
                rows.append(TocRow(item, depth, resource is not None and bool(resource.href)))
            walk(item.children, depth + 1 if item.isvisible else depth)

    walk(org.items if org is not None else (), 0)
    return rows
