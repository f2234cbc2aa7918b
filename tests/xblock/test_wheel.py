"""The distribution Open edX installs: the wheel carries the block's static files and its
``xblock.v1`` entry point (built from a copy of the sources, so the shared tree gets no build output)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: every file under lms_xblock/static/ (the block reads them with importlib.resources)
STATIC = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "lms_xblock" / "static").rglob("*") if p.is_file())


@pytest.mark.slow
def test_wheel_contains_the_block_static_files_and_entry_point(tmp_path):
    assert {"lms_xblock/static/html/union_lms.html", "lms_xblock/static/js/union_lms.js",
            "lms_xblock/static/css/union_lms.css"} <= set(STATIC)
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "vendor", "node_modules")
    for package in ("lms", "lms_xblock", "scorm"):
        shutil.copytree(ROOT / package, source / package, ignore=skip)
    out = tmp_path / "dist"
    # build isolation may fetch setuptools/wheel from PyPI (the pins in [build-system])
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                           capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    wheels = list(out.glob("union_lms-*.whl"))
    assert len(wheels) == 1, list(out.iterdir())

    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        for path in STATIC:
            assert path in names, f"{path} missing from {wheels[0].name}"
            assert wheel.read(path) == (ROOT / path).read_bytes()
        assert "lms_xblock/block.py" in names and "lms_xblock/signing.py" in names
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        parser = configparser.ConfigParser()
        parser.read_string(wheel.read(entry_points).decode("utf-8"))
    assert parser["xblock.v1"]["union_lms"] == "lms_xblock.block:UnionLmsXBlock"
