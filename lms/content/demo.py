"""Demo step: the shipped course modules, built as SCORM 2004 and published (idempotent)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from lms.catalog import services as catalog
from lms.content.builder import find_course_dirs
from lms.content.source import load_course
from lms.demo import demo_step
from scorm.build import build_package


@demo_step(30, "Học phần mẫu (course_packages) / shipped modules")
def seed_modules(echo) -> None:
    """Create each shipped module and publish its SCORM 2004 package when it has none yet."""
    for folder in find_course_dirs():
        course = load_course(folder)
        module = catalog.get_module(course.code)
        if module is None:
            module = catalog.create_module(
                course.code, course.title_vi, title_en=course.title_en, topic=course.topic, hours=course.hours,
                description_vi=course.summary_vi, description_en=course.summary_en,
                completion_rule={"all": [{"kind": "completed"}]}, attempts_allowed=0, new_attempt="on_complete",
            )
        if module.published_version_id is None:
            with tempfile.TemporaryDirectory() as work:
                zip_path = build_package(course.to_package_source(), "2004-4th", Path(work) / f"{course.code}.zip")
                version = catalog.import_package(module, zip_path, publish=True)
            echo(f"  {module.code}: {module.title_vi} (v{version.number}, SCORM {version.scorm_version})")
