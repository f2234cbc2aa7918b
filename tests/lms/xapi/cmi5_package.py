"""A cmi5 package for the tests: ``cmi5.xml`` (one AU, moveOn CompletedAndPassed, masteryScore 0.8) and
the AU of ``cmi5_au/index.html`` (plain JS doing the cmi5 handshake; played by the Chromium test)."""

from __future__ import annotations

import zipfile
from pathlib import Path

AU_PAGE = Path(__file__).resolve().parent / "cmi5_au" / "index.html"
COURSE_IRI = "https://lms.congdoan.test/cmi5/kynang"
AU_IRI = COURSE_IRI + "/au1"
STRUCTURE = f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{COURSE_IRI}">
    <title><langstring lang="vi-VN">Kỹ năng thương lượng tập thể</langstring></title>
    <description><langstring lang="vi-VN">Khóa học cmi5</langstring></description>
  </course>
  <au id="{AU_IRI}" moveOn="CompletedAndPassed" masteryScore="0.8">
    <title><langstring lang="vi-VN">Bài 1</langstring></title>
    <description><langstring lang="vi-VN">.</langstring></description>
    <url>au/index.html</url>
  </au>
</courseStructure>"""


def cmi5_zip(folder: Path, structure: str = STRUCTURE) -> Path:
    path = folder / "cmi5-course.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        # a fixed timestamp: two builds of the same content are the same bytes (writestr with a bare name
        # stamps the current second, and the same-zip-again test straddled a second under load)
        zf.writestr(zipfile.ZipInfo("cmi5.xml", date_time=(2026, 1, 1, 0, 0, 0)), structure,
                    compress_type=zipfile.ZIP_DEFLATED)
        zf.write(AU_PAGE, "au/index.html")
    return path
