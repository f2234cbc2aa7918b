"""module.toml's optional [sequencing] table becomes the 2004 package's organization control mode
(SCORM 2004 4th ed. SN 3.2; lms/content/seqtable.py)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from lms.content.builder import COURSES_DIR
from lms.content.source import ContentError, load_course
from scorm.build import build_package
from scorm.manifest import parse_manifest
from scorm.sequencing.model import ControlMode


def _course_with(tmp_path: Path, table: str) -> Path:
    folder = tmp_path / "LCD2024"
    shutil.copytree(COURSES_DIR / "LCD2024", folder)
    module = folder / "module.toml"
    module.write_text(module.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    return folder


def test_forced_order_table_reaches_the_2004_manifest(tmp_path: Path) -> None:
    folder = _course_with(tmp_path, "[sequencing]\nchoice = false\nforward_only = true\n")
    source = load_course(folder).to_package_source()
    assert source.sequencing.control_mode == ControlMode(choice=False, flow=True, forward_only=True)
    package = build_package(source, "2004-4th", tmp_path / "out.zip")
    with zipfile.ZipFile(package) as zf:
        manifest = parse_manifest(zf.read("imsmanifest.xml"))
    mode = manifest.default_organization.sequencing.control_mode
    assert (mode.choice, mode.flow, mode.forward_only) == (False, True, True)


def test_without_the_table_the_build_keeps_its_default(tmp_path: Path) -> None:
    assert load_course(_course_with(tmp_path, "")).to_package_source().sequencing is None


@pytest.mark.parametrize(("table", "field"), [
    ("[sequencing]\nrandomize = true\n", "sequencing"),
    ('[sequencing]\nflow = "yes"\n', "sequencing.flow"),
    ("[sequencing]\nflow = false\nchoice = false\n", "sequencing"),
    ("sequencing = 1\n", "sequencing"),
])
def test_bad_tables_name_the_field(tmp_path: Path, table: str, field: str) -> None:
    with pytest.raises(ContentError) as err:
        load_course(_course_with(tmp_path, table))
    assert err.value.field == field


def test_shipped_courses_carry_no_table() -> None:
    """Without a [sequencing] table the shipped courses' packages are built as before."""
    assert all(load_course(p).sequencing is None for p in sorted(COURSES_DIR.glob("*/")) if (p / "module.toml").is_file())
