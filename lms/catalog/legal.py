"""A module's legal basis as its published package states it (``legal-sources.json``, see lms.content.check).

Packages built from course_packages/ carry the file; other uploaded packages do not, and then nothing is
shown. Versions never change, so the parsed file is cached per version and checked against today.
"""

from __future__ import annotations

import functools

from lms.catalog import services
from lms.catalog.models import Module, PackageVersion
from lms.content.builder import COURSES_DIR, REGISTRY_NAME
from lms.content.check import METADATA_FILE
from lms.content.metadata import MAX_METADATA_BYTES, PackageLegal, read_metadata
from lms.content.registry import Registry, load_registry
from lms.core.clock import today_vn
from lms.core.db import db


@functools.cache
def _registry() -> Registry:
    """The shipped registry (read once per process)."""
    return load_registry(COURSES_DIR / REGISTRY_NAME)


@functools.lru_cache(maxsize=256)
def _raw(version_id: int, sha256: str) -> bytes | None:
    """The metadata file of a version (immutable, keyed with its zip's hash), or None."""
    version = db.session.get(PackageVersion, version_id)
    path = services.read_package_file(version, METADATA_FILE) if version else None
    if path is None or path.stat().st_size > MAX_METADATA_BYTES:
        return None
    return path.read_bytes()


def module_legal(module: Module) -> PackageLegal | None:
    """The published package's legal basis checked today, or None when it carries none."""
    if module is None or module.published_version_id is None:
        return None
    raw = _raw(module.published_version_id, module.published_version.sha256)
    return read_metadata(raw, _registry(), today_vn()) if raw else None
