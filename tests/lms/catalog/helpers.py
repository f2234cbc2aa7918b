"""Test zips built at test time (never committed) and small helpers for the catalog tests."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from scorm.build import PackageSource, PracticeLesson, build_package

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <organizations default="ORG">
    <organization identifier="ORG"><title>{title}</title>
      <item identifier="I1" identifierref="R1"><title>Bài 1</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""

#: the bytes of the test "video": 0..255 repeated, so any range is easy to compute by hand
VIDEO = bytes(range(256)) * 40


def built_package(tmp_path: Path, title: str = "Luật Công đoàn 2024", name: str = "pkg.zip",
                  version: str = "2004-4th", body: str = "<p>Nội dung bài học</p>") -> Path:
    """A conformant package made by our own builder."""
    source = PackageSource(identifier="LCD_TEST", title=title,
                           lessons=(PracticeLesson(identifier="L1", title="Bài 1", html=body),))
    return build_package(source, version, tmp_path / name)


def simple_package(tmp_path: Path, name: str = "simple.zip", *, title: str = "Gói thử", root: str = "",
                   extra: dict[str, bytes] | None = None, ident: str = "PKG1") -> Path:
    """A minimal SCORM 1.2 package written by hand: index.html plus ``extra`` files."""
    files = {"imsmanifest.xml": MANIFEST_12.format(ident=ident, title=title).encode(),
             "index.html": "<!doctype html><title>Bài 1</title><p>Xin chào</p>".encode(),
             "media/clip.mp4": VIDEO, "media/clip.webm": VIDEO[:100], "media/audio.mp3": b"ID3" + bytes(50),
             "css/site.css": b"body{color:#123}", "js/app.js": b"console.log(1)", "img/logo.svg": b"<svg/>",
             "fonts/f.woff2": b"wOF2....", "data/q.json": b"{}", "docs/guide.pdf": b"%PDF-1.4\n"}
    files.update(extra or {})
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in files.items():  # fixed timestamps: equal inputs give byte-equal zips
            zf.writestr(zipfile.ZipInfo(root + rel, date_time=(2024, 1, 1, 0, 0, 0)), data,
                        compress_type=zipfile.ZIP_DEFLATED)
    return path


def broken_package(tmp_path: Path, name: str = "bad.zip") -> Path:
    """A zip whose manifest names a launch file that is missing, plus a zip-slip entry."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST_12.format(ident="BAD", title="Hỏng"))
        zf.writestr("../evil.html", b"x")
    return path


def large_package(tmp_path: Path, megabytes: int) -> Path:
    """A valid package holding an incompressible ``video.mp4`` of ``megabytes`` MB, written in chunks."""
    path = tmp_path / "large.zip"
    manifest = MANIFEST_12.format(ident="BIG", title="Gói lớn").replace(
        '<file href="index.html"/>', '<file href="index.html"/><file href="video.mp4"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("index.html", b"<video src='video.mp4'></video>")
        with zf.open("video.mp4", "w", force_zip64=True) as out:
            for _ in range(megabytes):
                out.write(os.urandom(1024 * 1024))
    return path


def stored_blobs(storage_dir: str) -> set[str]:
    """Names of the blobs in storage (work files excluded)."""
    root = Path(storage_dir)
    return {p.name for p in root.glob("??/??/*") if p.is_file()}
