"""What a commit needs to know about a package version, parsed once per process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.catalog.models import PackageVersion
from lms.core.db import db
from lms.player import rte
from lms.player.launch import cmi_version, manifest_of, outcome_launch_data, sco_items
from scorm.manifest import Item, Manifest
from scorm.seeding import DataBucket, shared_data_buckets


@dataclass(frozen=True)
class VersionInfo:
    """What a commit needs to know about a package version, parsed once per process (versions never change)."""

    id: int
    cmi_version: str
    manifest: Manifest
    #: per SCO identifier: mastery score (1.2), completion threshold and scaled passing score (2004)
    launch_data: dict[str, dict[str, str]]
    #: the visible SCOs (assets left out: they never report and never block completion)
    visible: frozenset[str]
    #: every launchable item by identifier (seeds, delivery controls, shared data maps)
    items: dict[str, Item] = field(default_factory=dict)
    #: the items whose resource is an asset
    assets: frozenset[str] = frozenset()
    #: per SCO: the shared data buckets it maps (adl.data.n order)
    buckets: dict[str, tuple[DataBucket, ...]] = field(default_factory=dict)


_VERSIONS: OrderedDict[tuple[int, str], VersionInfo] = OrderedDict()
_VERSIONS_LOCK = threading.Lock()
_VERSION_CACHE_SIZE = 256


def version_info(version_id: int, sha256: str | None = None) -> VersionInfo:
    """The cached :class:`VersionInfo` of a package version (loads the version only on a miss).

    Keyed by id and sha256 (as the catalog's manifest cache) so that a reused id (SQLite after a
    delete, a recreated database) never serves another package's data."""
    if sha256 is None:
        sha256 = db.session.scalar(select(PackageVersion.sha256).where(PackageVersion.id == version_id))
    key = (version_id, sha256 or "")
    with _VERSIONS_LOCK:
        info = _VERSIONS.get(key)
        if info is not None:
            _VERSIONS.move_to_end(key)
            return info
    version = db.session.get(PackageVersion, version_id)
    if version is None:
        raise LookupError(f"no package version {version_id}")
    manifest = manifest_of(version)
    cmi = cmi_version(version)
    items = sco_items(manifest)
    assets = frozenset(i.identifier for i in items if rte.is_asset(manifest, i))
    info = VersionInfo(version.id, cmi, manifest,
                       {i.identifier: outcome_launch_data(i, cmi) for i in items},
                       frozenset(i.identifier for i in items if i.isvisible and i.identifier not in assets),
                       {i.identifier: i for i in items}, assets,
                       {i.identifier: shared_data_buckets(manifest, i) for i in items if i.data_maps})
    with _VERSIONS_LOCK:
        _VERSIONS[key] = info
        while len(_VERSIONS) > _VERSION_CACHE_SIZE:
            _VERSIONS.popitem(last=False)
    return info


_OPEN_12 = {"", "not attempted", "incomplete", "browsed"}
