"""Importing a cmi5 package (a zip with ``cmi5.xml`` at its root, cmi5 §14.1) as a module's package
version: the catalog's import calls :func:`import_cmi5` before its SCORM validation (its importer hook).

The zip is read with the SCORM library's hardened zip reader (entry names, sizes, CRCs, zip bombs), the
files go to the same content-addressed storage as SCORM files and are served the same way (content
origin, signed token), and the course structure becomes rows of ``cmi5_courses`` / ``cmi5_aus``.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from lms.catalog.models import Module, PackageFile, PackageVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.storage import get_storage
from lms.xapi.cmi5 import Course, parse_course
from lms.xapi.cmi5_models import Cmi5Au, Cmi5Course
from scorm.errors import PackageError
from scorm.limits import Limits, decode_name, entry_problem
from scorm.package_messages import refusal
from scorm.zipread import open_zip, read_member, stream_member

CMI5_XML = "cmi5.xml"
FORMAT = "cmi5"


def _refused(vi: str, en: str) -> UserError:
    return UserError(f"Gói cmi5 không hợp lệ, chưa lưu gì: {vi}", f"Invalid cmi5 package, nothing saved: {en}",
                     status=422, code="cmi5_invalid")


def import_cmi5(module: Module, zip_path: Path, digest: str, size: int,
                uploaded_by_id: int | None) -> PackageVersion | None:
    """The new version when the zip is a cmi5 package, None when it has no root ``cmi5.xml`` (a SCORM zip).
    A hostile zip, a bad ``cmi5.xml`` or an AU whose file is missing is refused (422, nothing stored)."""
    limits = Limits()
    if not _has_cmi5_xml(zip_path, limits):
        return None
    try:
        with open_zip(zip_path, limits) as zf:
            entries = _entries(zf, limits)
            course = parse_course(read_member(zf, entries[CMI5_XML], CMI5_XML, limits.max_manifest_size))
            _check_urls(course, entries)
            files = _store_files(zf, entries, limits)
    except PackageError as exc:
        raise _refused(exc.message_vi, str(exc)) from exc
    get_storage().put_file(zip_path, (digest, size), move=True)
    return _add_version(module, course, files, digest, size, uploaded_by_id)


def _has_cmi5_xml(zip_path: Path, limits: Limits) -> bool:
    """Whether the zip has a root ``cmi5.xml``; a broken or hostile zip without one is left to the SCORM
    validation, whose report names every problem."""
    try:
        with open_zip(zip_path, limits) as zf:
            return any(decode_name(info)[0] == CMI5_XML for info in zf.infolist())
    except PackageError:
        return False


def _entries(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    entries = {}
    for info in zf.infolist():
        name, _legacy = decode_name(info)
        problem = entry_problem(info, name, limits)
        if problem:
            raise refusal(problem, name)
        if not name.endswith("/") and not name.startswith("__MACOSX/"):
            entries[name] = info
    return entries


def _check_urls(course: Course, entries: dict[str, zipfile.ZipInfo]) -> None:
    """Relative AU urls must name a file of the zip (absolute http(s) urls are played where they are)."""
    for au in course.aus:
        if au.url.startswith(("https://", "http://")):
            continue
        path = au.url.split("?", 1)[0].split("#", 1)[0]
        if path not in entries:
            raise _refused(f"không có tệp {path} của AU {au.id}", f"the file {path} of AU {au.id} is missing")


def _store_files(zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], limits: Limits) -> list[tuple[str, str, int]]:
    storage, rows, total = get_storage(), [], 0
    for name, info in entries.items():
        with tempfile.NamedTemporaryFile(dir=storage.temp_dir(), prefix="import-cmi5-", delete=False) as out:
            total += stream_member(zf, info, name, out.write)
        if total > limits.max_total_size:
            Path(out.name).unlink(missing_ok=True)
            raise refusal("package.too_large", f"> {limits.max_total_size} B")
        blob_digest, blob_size = storage.put_file(Path(out.name), move=True)
        rows.append((name, blob_digest, blob_size))
    return rows


def _add_version(module: Module, course: Course, files: list[tuple[str, str, int]], digest: str, size: int,
                 uploaded_by_id: int | None) -> PackageVersion:
    number = (db.session.scalar(select(func.max(PackageVersion.number)).where(
        PackageVersion.module_id == module.id)) or 0) + 1
    summary = {"format": FORMAT, "course": course.id, "scos": [],
               "aus": [{"id": au.id, "title": au.title, "url": au.url, "move_on": au.move_on} for au in course.aus]}
    version = PackageVersion(module=module, number=number, scorm_version=FORMAT, sha256=digest,
                             title=(course.title or module.title_vi)[:255], manifest=summary, size_bytes=size,
                             uploaded_by_id=uploaded_by_id)
    db.session.add(version)
    db.session.flush()
    db.session.add_all(PackageFile(version_id=version.id, path=p, sha256=d, size=s) for p, d, s in files)
    row = Cmi5Course(version_id=version.id, course_iri=course.id, title=course.title[:255])
    row.aus = [Cmi5Au(position=i, au_iri=au.id, title=au.title[:255], url=au.url, move_on=au.move_on,
                      mastery_score=au.mastery_score, launch_method=au.launch_method,
                      launch_parameters=au.launch_parameters) for i, au in enumerate(course.aus, start=1)]
    db.session.add(row)
    db.session.flush()
    return version
