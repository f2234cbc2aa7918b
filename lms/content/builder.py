"""Build course sources into SCORM packages and a question-bank file."""

from __future__ import annotations

import shutil
from pathlib import Path

from lms.content.source import load_course
from scorm.build import build_package

#: the repository's course sources
COURSES_DIR = Path(__file__).resolve().parents[2] / "course_packages"
#: where builds go unless told otherwise (git-ignored)
DEFAULT_OUT = Path("build") / "packages"


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
    course = load_course(resolve_course(code_or_path))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = course.to_package_source()
    written = [
        build_package(source, "1.2", out / f"{course.code}-scorm12.zip"),
        build_package(source, "2004-4th", out / f"{course.code}-scorm2004.zip"),
    ]
    bank = out / f"{course.code}-questions.toml"
    shutil.copyfile(course.bank_file, bank)
    written.append(bank)
    return written
