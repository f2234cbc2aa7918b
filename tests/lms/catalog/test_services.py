"""Catalog services: modules, package import (valid, invalid, duplicate), versions, manifests, access."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.catalog import services
from lms.catalog.models import Module, PackageFile, PackageVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.roles import Role
from lms.core.storage import get_storage, hash_file
from tests.factories import gen_cadre, gen_unit, gen_user
from tests.lms.catalog.helpers import VIDEO, broken_package, built_package, simple_package, stored_blobs


@pytest.fixture
def module(app):
    return services.create_module("lcd2024", "Luật Công đoàn 2024", topic="union_law", hours=4)


def test_create_module_normalises_code_and_stores_defaults(module):
    assert module.code == "LCD2024"
    assert module.hours == Decimal("4")
    assert module.completion_rule == {"all": [{"kind": "completed"}]}
    assert (module.attempts_allowed, module.new_attempt, module.grading) == (0, "never", "highest")


def test_create_module_refuses_a_taken_code_and_bad_policy(module):
    with pytest.raises(UserError) as taken:
        services.create_module("LCD2024", "Khác")
    assert taken.value.status == 409
    with pytest.raises(UserError) as bad:
        services.create_module("X1", "Thử", grading="best")
    assert bad.value.status == 422
    with pytest.raises(UserError):
        services.create_module("X2", "Thử", completion_rule={"all": []})
    with pytest.raises(UserError):
        services.create_module("X3", "Thử", completion_rule={"any": [{"kind": "score_at_least", "value": 120}]})


def test_rule_combination_is_kept(app):
    rule = {"any": [{"kind": "passed"}, {"kind": "score_at_least", "value": 70}, {"kind": "quiz_passed"}]}
    module = services.create_module("ATVSLD", "An toàn, vệ sinh lao động", completion_rule=rule)
    assert module.completion_rule == rule


def test_update_module_changes_settings_not_code(module):
    services.update_module(module, title_vi="Luật CĐ (sửa)", attempts_allowed=3, new_attempt="on_complete")
    assert (module.code, module.title_vi, module.attempts_allowed) == ("LCD2024", "Luật CĐ (sửa)", 3)
    with pytest.raises(UserError):
        services.update_module(module, sco_aggregation="median")


def test_import_stores_every_file_and_publishes(module, tmp_path):
    zip_path = simple_package(tmp_path)
    version = services.import_package(module, zip_path, uploaded_by_id=None)
    assert (version.number, version.scorm_version, version.title) == (1, "1.2", "Gói thử")
    assert version.sha256 == hash_file(zip_path)[0]
    assert version.size_bytes == zip_path.stat().st_size
    assert module.published_version is version
    paths = set(db.session.scalars(select(PackageFile.path).where(PackageFile.version_id == version.id)))
    assert {"imsmanifest.xml", "index.html", "media/clip.mp4", "css/site.css"} <= paths
    assert services.read_package_file(version, "media/clip.mp4").read_bytes() == VIDEO
    assert services.read_package_file(version, "missing.html") is None
    assert version.manifest["scos"][0]["launch_url"] == "index.html"


def test_import_from_a_stream(module, tmp_path):
    data = simple_package(tmp_path).read_bytes()
    version = services.import_package(module, io.BytesIO(data))
    assert version.number == 1
    assert services.parsed_manifest(version).title == "Gói thử"


def test_versions_are_numbered_and_same_zip_twice_gives_one_version(module, tmp_path):
    first = services.import_package(module, simple_package(tmp_path, "a.zip", title="Bản 1"))
    second = services.import_package(module, simple_package(tmp_path, "b.zip", title="Bản 2"))
    again = services.import_package(module, simple_package(tmp_path, "c.zip", title="Bản 2"))
    assert (first.number, second.number) == (1, 2)
    assert again is second
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 2


def test_same_zip_again_with_publish_republishes_the_existing_version(module, tmp_path):
    v1 = services.import_package(module, simple_package(tmp_path, "a.zip", title="Bản 1"))
    v2 = services.import_package(module, simple_package(tmp_path, "b.zip", title="Bản 2"))
    assert module.published_version is v2
    assert services.import_package(module, tmp_path / "a.zip", publish=False) is v1
    assert module.published_version is v2
    assert services.import_package(module, tmp_path / "a.zip") is v1
    assert module.published_version is v1


def test_same_zip_for_another_module_is_a_separate_version(module, tmp_path):
    other = services.create_module("TCCD", "Tài chính công đoàn")
    zip_path = simple_package(tmp_path)
    a = services.import_package(module, zip_path)
    b = services.import_package(other, zip_path)
    assert a.id != b.id and b.number == 1


def test_publish_false_keeps_the_published_version(module, tmp_path):
    v1 = services.import_package(module, simple_package(tmp_path, "a.zip", title="Bản 1"))
    v2 = services.import_package(module, simple_package(tmp_path, "b.zip", title="Bản 2"), publish=False)
    assert module.published_version is v1
    services.publish_version(v2)
    assert module.published_version is v2


def test_invalid_package_is_refused_with_the_report_and_nothing_written(module, app, tmp_path):
    before = stored_blobs(app.config["LMS_STORAGE_DIR"])
    with pytest.raises(services.PackageInvalid) as refused:
        services.import_package(module, broken_package(tmp_path))
    exc = refused.value
    assert (exc.status, exc.code) == (422, "package_invalid")
    codes = {d["code"] for d in exc.details}
    assert "package.path_traversal" in codes
    assert all(d["message_vi"] for d in exc.details)
    assert exc.report["ok"] is False
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 0
    assert db.session.scalar(select(func.count()).select_from(PackageFile)) == 0
    assert stored_blobs(app.config["LMS_STORAGE_DIR"]) == before
    assert list((get_storage().temp_dir()).iterdir()) == []


def test_not_a_zip_is_refused(module, tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip at all")
    with pytest.raises(services.PackageInvalid) as refused:
        services.import_package(module, bogus)
    assert refused.value.details[0]["code"] == "package.not_a_zip"


def test_a_new_version_leaves_the_old_one_untouched(module, tmp_path):
    """Attempts reference v1 by id: its row and every file of it must stay byte-for-byte the same."""
    v1 = services.import_package(module, simple_package(tmp_path, "a.zip", title="Bản 1"))
    db.session.commit()
    rows_before = [(f.path, f.sha256, f.size) for f in db.session.scalars(
        select(PackageFile).where(PackageFile.version_id == v1.id).order_by(PackageFile.path))]
    snapshot = (v1.id, v1.number, v1.sha256, v1.title, dict(v1.manifest))
    v2 = services.import_package(module, simple_package(
        tmp_path, "b.zip", title="Bản 2", extra={"index.html": b"<p>new</p>", "media/clip.mp4": b"other"}))
    db.session.commit()
    db.session.expire_all()
    v1 = db.session.get(PackageVersion, snapshot[0])
    assert (v1.id, v1.number, v1.sha256, v1.title, v1.manifest) == snapshot
    rows_after = [(f.path, f.sha256, f.size) for f in db.session.scalars(
        select(PackageFile).where(PackageFile.version_id == v1.id).order_by(PackageFile.path))]
    assert rows_after == rows_before
    assert services.read_package_file(v1, "media/clip.mp4").read_bytes() == VIDEO
    assert services.read_package_file(v2, "media/clip.mp4").read_bytes() == b"other"
    assert db.session.get(Module, module.id).published_version_id == v2.id


def test_package_in_a_subfolder_is_stored_relative_to_its_manifest(module, tmp_path):
    version = services.import_package(module, simple_package(tmp_path, root="course/"))
    assert services.read_package_file(version, "imsmanifest.xml") is not None
    assert services.read_package_file(version, "index.html") is not None
    assert services.read_package_file(version, "course/index.html") is None
    assert any(w["code"] == "package.manifest_in_subfolder" for w in version.manifest["warnings"])


def test_parsed_manifest_of_a_built_2004_package(module, tmp_path):
    version = services.import_package(module, built_package(tmp_path))
    manifest = services.parsed_manifest(version)
    assert version.scorm_version == "2004-4th"
    assert manifest.title == "Luật Công đoàn 2024"
    assert services.parsed_manifest(version) is manifest


def test_can_launch_by_role(module, tmp_path):
    unit = gen_unit()
    learner = gen_user(roles=(Role.learner,), cadre=gen_cadre(unit))
    no_cadre = gen_user(roles=(Role.learner,))
    lecturer = gen_user(roles=(Role.lecturer,))
    manager = gen_user(roles=(Role.manager,), scope=unit)
    admin = gen_user(roles=(Role.admin,))
    assert not services.can_launch(learner, module)  # nothing published yet
    assert services.can_launch(lecturer, module) and services.can_launch(admin, module)
    services.import_package(module, simple_package(tmp_path))
    assert services.can_launch(learner, module)
    assert not services.can_launch(no_cadre, module)
    assert not services.can_launch(manager, module)
    module.active = False
    assert not services.can_launch(learner, module)
    assert services.can_launch(lecturer, module)


def test_work_folders_of_a_crashed_import_are_swept(module, tmp_path):
    import os
    import time

    work = get_storage().temp_dir()
    stale = work / "import-crashed"
    fresh = work / "import-running"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "part.zip").write_bytes(b"x")
    old = time.time() - services.STALE_WORK_SECONDS - 60
    os.utime(stale, (old, old))
    services.import_package(module, simple_package(tmp_path))
    assert not stale.exists() and fresh.exists()
    (fresh / "part.zip").unlink()
    fresh.rmdir()
