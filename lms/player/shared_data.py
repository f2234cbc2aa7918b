"""Shared data buckets (SCORM 2004 4th ed. RTE 4.3 ``adl.data``; CAM ``adlcp:data/adlcp:map``): which
buckets an item maps, their values and what a SCO may write come from ``scorm.seeding``; this module
keeps the learner's values, across SCOs and attempts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.player.models import SharedData
from scorm.manifest import Item, Manifest
from scorm.seeding import DataBucket, shared_data_buckets, shared_data_values, shared_data_writes

_MAX_STORE = 64000  # characterstring SPM of adl.data.n.store (RTE 4.3.2)


def _stores(cadre_id: int, keys: list[str]) -> dict[str, str]:
    rows = db.session.execute(select(SharedData.key, SharedData.store).where(
        SharedData.cadre_id == cadre_id, SharedData.key.in_(keys)))
    return dict(rows.all())


def launch_buckets(cadre_id: int, manifest: Manifest, item: Item) -> dict[str, str]:
    """``adl.data.n.id`` for every bucket the item maps, and ``adl.data.n.store`` where the learner has a
    value and the map lets the SCO read it (``readSharedData``)."""
    buckets = shared_data_buckets(manifest, item)
    return shared_data_values(buckets, _stores(cadre_id, [b.key for b in buckets])) if buckets else {}


def written_buckets(buckets: tuple[DataBucket, ...], payload: Mapping[str, Any]) -> tuple[dict[str, str], list[dict]]:
    """The buckets a commit writes (bucket key → value) and the refused ``adl.data`` elements: no such
    bucket (301 — general get/set failure for an index that was never seeded), a map with
    ``writeSharedData`` false (404, read-only: RTE 4.3.2) or a value over 64,000 characters (406)."""
    refused: list[dict] = []
    for name, value in payload.items():
        if not (isinstance(name, str) and name.startswith("adl.data.")):
            continue
        parts = name.split(".")
        if len(parts) != 4 or parts[:2] != ["adl", "data"] or parts[3] != "store":
            continue  # adl.data.n.id is read-only: the run-time echoes what the LMS gave
        index = int(parts[2]) if parts[2].isdigit() else -1
        if not 0 <= index < len(buckets):
            refused.append(_refusal(name, 301, "Không có vùng dữ liệu chung này.", "No such shared data bucket."))
        elif not buckets[index].write:
            refused.append(_refusal(name, 404, "Vùng dữ liệu chung này chỉ được đọc.", "This bucket is read-only."))
        elif not isinstance(value, str) or len(value) > _MAX_STORE:
            refused.append(_refusal(name, 406, "Giá trị vùng dữ liệu chung không hợp lệ.", "Invalid bucket value."))
    bad = {r["element"] for r in refused}
    writes = shared_data_writes(buckets, {k: v for k, v in payload.items() if k not in bad}) if buckets else {}
    return writes, refused


def _refusal(element: str, code: int, vi: str, en: str) -> dict[str, Any]:
    return {"element": element, "code": code, "message_vi": vi, "message_en": en}


def save_buckets(cadre_id: int, writes: dict[str, str]) -> None:
    """Write the learner's buckets (one row per key, created on the first write)."""
    rows = {r.key: r for r in db.session.scalars(select(SharedData).where(
        SharedData.cadre_id == cadre_id, SharedData.key.in_(list(writes))))}
    for key, value in writes.items():
        row = rows.get(key)
        if row is None:
            db.session.add(SharedData(cadre_id=cadre_id, key=key, store=value, updated_at=utcnow()))
        else:
            row.store, row.updated_at = value, utcnow()
    db.session.flush()
