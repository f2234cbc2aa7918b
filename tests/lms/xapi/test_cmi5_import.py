"""Importing a cmi5 package through the catalog (cmi5 §14.1: a zip with cmi5.xml at its root)."""

from __future__ import annotations

import zipfile

import pytest
from sqlalchemy import func, select

from lms.catalog.models import PackageVersion
from lms.catalog.services import create_module, import_package, package_file
from lms.core.db import db
from lms.core.errors import UserError
from lms.xapi.cmi5_models import Cmi5Au, Cmi5Course
from tests.lms.catalog.helpers import simple_package
from tests.lms.xapi.cmi5_package import AU_IRI, COURSE_IRI, STRUCTURE, cmi5_zip


def test_a_cmi5_zip_becomes_a_version_with_its_course_and_aus(app, tmp_path):
    module = create_module("KNTL", "Kỹ năng thương lượng", topic="other", hours=2)
    version = import_package(module, cmi5_zip(tmp_path))
    db.session.commit()
    assert version.scorm_version == "cmi5" and module.published_version_id == version.id
    course = db.session.scalar(select(Cmi5Course).where(Cmi5Course.version_id == version.id))
    assert (course.course_iri, course.title) == (COURSE_IRI, "Kỹ năng thương lượng tập thể")
    (au,) = course.aus
    assert (au.au_iri, au.url, au.move_on, au.mastery_score) == (AU_IRI, "au/index.html", "CompletedAndPassed", 0.8)
    assert package_file(version, "au/index.html") is not None and package_file(version, "cmi5.xml") is not None


def test_the_same_zip_again_is_the_same_version(app, tmp_path):
    module = create_module("KNTL", "Kỹ năng thương lượng", topic="other", hours=2)
    first = import_package(module, cmi5_zip(tmp_path))
    assert import_package(module, cmi5_zip(tmp_path)).id == first.id


@pytest.mark.parametrize("structure", [
    STRUCTURE.replace("au/index.html", "au/missing.html"),
    STRUCTURE.replace('moveOn="CompletedAndPassed"', 'moveOn="Whenever"'),
    "<courseStructure/>",
])
def test_a_bad_cmi5_zip_is_refused_and_nothing_is_written(app, tmp_path, structure):
    module = create_module("KNTL", "Kỹ năng thương lượng", topic="other", hours=2)
    db.session.commit()
    with pytest.raises(UserError) as refused:
        import_package(module, cmi5_zip(tmp_path, structure))
    db.session.rollback()
    assert refused.value.status == 422 and refused.value.code == "cmi5_invalid"
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 0
    assert db.session.scalar(select(func.count()).select_from(Cmi5Au)) == 0


def test_a_cmi5_zip_with_a_hostile_entry_is_refused(app, tmp_path):
    module = create_module("KNTL", "Kỹ năng thương lượng", topic="other", hours=2)
    path = cmi5_zip(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("../../evil.html", "<script>alert(1)</script>")
    with pytest.raises(UserError) as refused:
        import_package(module, path)
    assert (refused.value.status, refused.value.code) == (422, "cmi5_invalid")


def test_a_scorm_zip_still_goes_to_the_scorm_import(app, tmp_path):
    module = create_module("KNTL", "Kỹ năng thương lượng", topic="other", hours=2)
    assert import_package(module, simple_package(tmp_path)).scorm_version != "cmi5"
