"""Build course sources into SCORM packages and a question-bank file."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from lms.content.check import METADATA_FILE, package_metadata
from lms.content.registry import Registry, load_registry
from lms.content.source import Course, load_course
from scorm.build import PackageSource, build_package

#: the repository's course sources
COURSES_DIR = Path(__file__).resolve().parents[2] / "course_packages"
#: where builds go unless told otherwise (git-ignored)
DEFAULT_OUT = Path("build") / "packages"
#: the legal-source registry's file name (next to the course folders)
REGISTRY_NAME = "legal_sources.toml"


def registry_for(course_dir: Path) -> Registry:
    """The registry next to ``course_dir`` (``<parent>/legal_sources.toml``), else the shipped one."""
    beside = Path(course_dir).parent / REGISTRY_NAME
    return load_registry(beside if beside.is_file() else COURSES_DIR / REGISTRY_NAME)


def package_source(course: Course, registry: Registry) -> PackageSource:
    """The course as a SCORM package source carrying ``legal-sources.json`` (its citations)."""
    meta = json.dumps(package_metadata(course, registry), ensure_ascii=False, sort_keys=True, indent=1)
    source = course.to_package_source()
    return replace(source, assets={**source.assets, METADATA_FILE: meta.encode("utf-8")})


def find_course_dirs(root: Path = COURSES_DIR) -> list[Path]:
    """Every course source folder (one holding a module.toml) under ``root``, sorted by code."""
    return sorted(p.parent for p in root.glob("*/module.toml"))


def resolve_course(code_or_path: str | Path, root: Path = COURSES_DIR) -> Path:
    """A course folder from a module code (``"LCD2024"``) or a path to a source folder."""
    path = Path(code_or_path)
    if (path / "module.toml").is_file():
        return path
    candidate = root / str(code_or_path)
    if (candidate / "module.toml").is_file():
        return candidate
    known = ", ".join(p.name for p in find_course_dirs(root)) or "none"
    raise FileNotFoundError(f"no course source {code_or_path!r} (known codes: {known})")


def build_course(code_or_path: str | Path, out_dir: Path | str = DEFAULT_OUT) -> list[Path]:
    """Validate one course and write ``<code>-scorm12.zip``, ``<code>-scorm2004.zip`` and
    ``<code>-questions.toml`` into ``out_dir``; return the three paths."""
    folder = resolve_course(code_or_path)
    course = load_course(folder)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = package_source(course, registry_for(folder))
    written = [
        build_package(source, "1.2", out / f"{course.code}-scorm12.zip"),
        build_package(source, "2004-4th", out / f"{course.code}-scorm2004.zip"),
    ]
    bank = out / f"{course.code}-questions.toml"
    shutil.copyfile(course.bank_file, bank)
    written.append(bank)
    return written
