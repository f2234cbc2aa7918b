"""Demo step: the shipped course modules, built as SCORM 2004 and published (idempotent).

A module whose published package was built from an older source gets the new build as its next
version, published: attempts in progress stay on the version they started, records already earned
stay as they are. Running the step again with unchanged sources adds nothing.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from lms.catalog import services as catalog
from lms.content.builder import find_course_dirs, package_source, registry_for
from lms.content.source import load_course
from lms.demo import demo_step
from scorm.build import build_package


@demo_step(30, "Học phần mẫu (course_packages) / shipped modules")
def seed_modules(echo) -> None:
    """Create each shipped module; publish its current SCORM 2004 build unless a version already has it."""
    for folder in find_course_dirs():
        course = load_course(folder)
        module = catalog.get_module(course.code)
        if module is None:
            module = catalog.create_module(
                course.code, course.title_vi, title_en=course.title_en, topic=course.topic, hours=course.hours,
                description_vi=course.summary_vi, description_en=course.summary_en,
                completion_rule={"all": [{"kind": "completed"}]}, attempts_allowed=0, new_attempt="on_complete",
            )
        with tempfile.TemporaryDirectory() as work:
            zip_path = build_package(package_source(course, registry_for(folder)), "2004-4th",
                                     Path(work) / f"{course.code}.zip")
            if _digest(zip_path) in {v.sha256 for v in module.versions}:
                continue
            version = catalog.import_package(module, zip_path, publish=True)
        echo(f"  {module.code}: {module.title_vi} (v{version.number}, SCORM {version.scorm_version})")


def _digest(path: Path) -> str:
    """sha256 of a file, as the catalog stores it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
