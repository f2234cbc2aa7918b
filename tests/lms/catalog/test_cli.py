"""``lms packages import FILE --module CODE [--create]``."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.catalog import services
from lms.catalog.models import Module, PackageVersion
from lms.core.db import db
from tests.lms.catalog.helpers import broken_package, built_package, simple_package


def test_import_creates_the_module_and_publishes(runner, tmp_path):
    result = runner.invoke(args=["packages", "import", str(built_package(tmp_path)), "--module", "lcd2024",
                                 "--create", "--topic", "union_law", "--hours", "4"])
    assert result.exit_code == 0, result.output
    assert "LCD2024 v1 SCORM 2004-4th" in result.output
    module = db.session.scalar(select(Module).where(Module.code == "LCD2024"))
    assert (module.title_vi, module.topic, float(module.hours)) == ("Luật Công đoàn 2024", "union_law", 4.0)
    assert module.published_version.number == 1


def test_import_without_create_needs_an_existing_module(runner, tmp_path):
    result = runner.invoke(args=["packages", "import", str(simple_package(tmp_path)), "--module", "NOPE"])
    assert result.exit_code == 1
    assert "--create" in result.output
    assert db.session.scalar(select(func.count()).select_from(Module)) == 0


def test_import_next_version_and_same_zip_again(runner, app, tmp_path):
    services.create_module("TCCD", "Tài chính công đoàn", title_en="Union finance")
    db.session.commit()
    first = runner.invoke(args=["packages", "import", str(simple_package(tmp_path, "a.zip", title="A")),
                                "--module", "TCCD"])
    second = runner.invoke(args=["packages", "import", str(simple_package(tmp_path, "b.zip", title="B")),
                                 "--module", "tccd", "--no-publish"])
    assert db.session.scalar(select(Module).where(Module.code == "TCCD")).published_version.number == 1
    again = runner.invoke(args=["packages", "import", str(tmp_path / "b.zip"), "--module", "TCCD"])
    assert (first.exit_code, second.exit_code, again.exit_code) == (0, 0, 0)
    assert "v2" in second.output and "published" not in second.output
    assert "already present" in again.output and "published" in again.output  # publishing it was asked
    module = db.session.scalar(select(Module).where(Module.code == "TCCD"))
    assert [v.number for v in module.versions] == [1, 2]
    assert module.published_version.number == 2


def test_invalid_package_exits_2_with_the_errors_and_writes_nothing(runner, tmp_path):
    result = runner.invoke(args=["packages", "import", str(broken_package(tmp_path)), "--module", "X", "--create"])
    assert result.exit_code == 2
    assert "LỖI [package.path_traversal]" in result.output
    assert db.session.scalar(select(func.count()).select_from(Module)) == 0
    assert db.session.scalar(select(func.count()).select_from(PackageVersion)) == 0
