"""Shared data buckets (SCORM 2004 4th ed. RTE 4.3 ``adl.data``; CAM 3.4.1.15 ``adlcp:data/adlcp:map``).

A bucket belongs to the learner and its ``targetID``: every SCO that maps it reads and writes the same
value, across SCOs and attempts. ``adlcp:sharedDataGlobalToSystem`` (organization, default true) true
keeps buckets for the whole system; false keeps them for the attempt on the package only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.player.models import Attempt, SharedData
from scorm.manifest import DataMap, Item, Manifest

_MAX_STORE = 64000  # characterstring SPM of adl.data.n.store (RTE 4.3.2)


def scope_of(manifest: Manifest, attempt_id: int) -> str:
    """``""`` for buckets global to the system, ``"attempt:<id>"`` otherwise."""
    org = manifest.default_organization
    return "" if org is None or org.shared_data_global_to_system else f"attempt:{attempt_id}"


def _stores(cadre_id: int, scope: str, targets: list[str]) -> dict[str, str]:
    rows = db.session.execute(select(SharedData.target_id, SharedData.store).where(
        SharedData.cadre_id == cadre_id, SharedData.scope == scope, SharedData.target_id.in_(targets)))
    return dict(rows.tuples().all())


def launch_buckets(cadre_id: int, attempt: Attempt, item: Item) -> dict[str, str]:
    """``adl.data.n.id`` for every map of the item, in manifest order, and ``adl.data.n.store`` where the
    learner has a value and the map lets the SCO read it (``readSharedData``)."""
    from lms.player.launch import manifest_of

    scope = scope_of(manifest_of(attempt.package_version), attempt.id)
    stores = _stores(cadre_id, scope, [m.target_id for m in item.data_maps])
    values: dict[str, str] = {}
    for n, data_map in enumerate(item.data_maps):
        values[f"adl.data.{n}.id"] = data_map.target_id
        if data_map.read_shared_data and data_map.target_id in stores:
            values[f"adl.data.{n}.store"] = stores[data_map.target_id]
    return values


def written_buckets(maps: tuple[DataMap, ...], payload: Mapping[str, Any]) -> tuple[dict[str, str], list[dict]]:
    """The buckets a commit writes (``adl.data.n.store`` → its map's target), and the refused ones:
    no such bucket (RTE 4.3: 401-like), a map with ``writeSharedData`` false (error 404, read-only) or a
    value that is not a string of at most 64,000 characters (406)."""
    writes: dict[str, str] = {}
    refused: list[dict] = []
    for name, value in payload.items():
        if not (isinstance(name, str) and name.startswith("adl.data.")):
            continue
        parts = name.split(".")
        if len(parts) != 4 or parts[3] != "store":
            continue  # adl.data.n.id is read-only: the run-time echoes what the LMS gave
        index = int(parts[2]) if parts[2].isdigit() else -1
        if not 0 <= index < len(maps):
            refused.append(_refusal(name, 301, "Không có vùng dữ liệu chung này.", "No such shared data bucket."))
        elif not maps[index].write_shared_data:
            refused.append(_refusal(name, 404, "Vùng dữ liệu chung này chỉ được đọc.", "This bucket is read-only."))
        elif not isinstance(value, str) or len(value) > _MAX_STORE:
            refused.append(_refusal(name, 406, "Giá trị vùng dữ liệu chung không hợp lệ.", "Invalid bucket value."))
        else:
            writes[maps[index].target_id] = value
    return writes, refused


def _refusal(element: str, code: int, vi: str, en: str) -> dict[str, Any]:
    return {"element": element, "code": code, "message_vi": vi, "message_en": en}


def save_buckets(cadre_id: int, scope: str, writes: dict[str, str]) -> None:
    """Write the learner's buckets (one row per target, created on the first write)."""
    if not writes:
        return
    rows = {r.target_id: r for r in db.session.scalars(select(SharedData).where(
        SharedData.cadre_id == cadre_id, SharedData.scope == scope, SharedData.target_id.in_(list(writes))))}
    for target, value in writes.items():
        row = rows.get(target)
        if row is None:
            db.session.add(SharedData(cadre_id=cadre_id, scope=scope, target_id=target, store=value,
                                      updated_at=utcnow()))
        else:
            row.store, row.updated_at = value, utcnow()
    db.session.flush()
