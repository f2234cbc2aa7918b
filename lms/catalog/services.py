"""Modules and their package versions: create, import a SCORM zip, publish, read files back.

Services take plain values, ``flush`` and never commit. A :class:`PackageVersion` and its files are
never changed after creation: attempts keep pointing at the version they started on.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.catalog.models import (
    Grading,
    Module,
    NewAttempt,
    PackageFile,
    PackageVersion,
    ScoAggregation,
    Topic,
)
from lms.core.db import db
from lms.core.errors import UserError, localized
from lms.core.i18n import nfc
from lms.core.roles import Role
from lms.core.storage import get_storage, spool
from scorm.errors import PackageError
from scorm.manifest import Manifest, parse_manifest
from scorm.package import Report, extract, inspect

#: kinds of completion-rule conditions (see ``Module.completion_rule``)
RULE_KINDS = ("completed", "passed", "score_at_least", "quiz_passed")
DEFAULT_RULE: dict[str, Any] = {"all": [{"kind": "completed"}]}
MANIFEST_NAME = "imsmanifest.xml"


@dataclass
class PackageInvalid(UserError):
    """A refused package; ``report`` is the validation summary (errors and warnings)."""

    report: dict[str, Any] = field(default_factory=dict)


# --- modules ------------------------------------------------------------------------------------------


def normalize_rule(rule: dict[str, Any] | None) -> dict[str, Any]:
    """Validate a completion rule ``{"all"|"any": [{"kind": …, "value"?: …}]}``; UserError when wrong."""
    if rule is None:
        return {"all": [dict(c) for c in DEFAULT_RULE["all"]]}
    if not isinstance(rule, dict) or len(rule) != 1 or next(iter(rule)) not in ("all", "any"):
        raise _rule_error()
    combinator, conditions = next(iter(rule.items()))
    if not isinstance(conditions, list) or not conditions:
        raise _rule_error()
    clean = [_condition(c) for c in conditions]
    return {combinator: clean}


def _condition(condition: Any) -> dict[str, Any]:
    if not isinstance(condition, dict) or condition.get("kind") not in RULE_KINDS:
        raise _rule_error()
    if condition["kind"] != "score_at_least":
        return {"kind": condition["kind"]}
    value = condition.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise UserError("Điểm tối thiểu phải từ 0 đến 100.", "The minimum score must be between 0 and 100.",
                        status=422, code="rule_invalid")
    return {"kind": "score_at_least", "value": value}


def _rule_error() -> UserError:
    return UserError("Điều kiện hoàn thành không hợp lệ: chọn ít nhất một điều kiện.",
                     "Invalid completion rule: choose at least one condition.", status=422, code="rule_invalid")


def _check_policy(topic: str, hours: Any, attempts_allowed: int, new_attempt: str, grading: str,
                  sco_aggregation: str) -> None:
    checks = [
        (topic in Topic.__members__, "Chủ đề không hợp lệ.", "Invalid topic."),
        (Decimal(str(hours)) >= 0, "Số giờ không được âm.", "Hours cannot be negative."),
        (attempts_allowed >= 0, "Số lần làm không được âm.", "Attempts allowed cannot be negative."),
        (new_attempt in NewAttempt.__members__, "Chế độ tạo lượt mới không hợp lệ.", "Invalid new-attempt mode."),
        (grading in Grading.__members__, "Cách tính điểm không hợp lệ.", "Invalid grading method."),
        (sco_aggregation in ScoAggregation.__members__, "Cách tổng hợp SCO không hợp lệ.",
         "Invalid SCO aggregation."),
    ]
    for ok, vi, en in checks:
        if not ok:
            raise UserError(vi, en, status=422, code="module_invalid")


def create_module(code: str, title_vi: str, *, title_en: str = "", topic: str = "other", hours: Any = 0,
                  description_vi: str = "", description_en: str = "",
                  completion_rule: dict[str, Any] | None = None, attempts_allowed: int = 0,
                  new_attempt: str = "never", grading: str = "highest",
                  sco_aggregation: str = "all_complete", created_by_id: int | None = None) -> Module:
    """Create a module; UserError 409 when the code is taken, 422 for invalid fields."""
    code = (nfc(code) or "").upper()
    if not code or not (nfc(title_vi) or ""):
        raise UserError("Cần mã và tên học phần.", "A code and a title are required.", status=422,
                        code="module_invalid")
    if db.session.scalar(select(Module.id).where(Module.code == code)) is not None:
        raise UserError(f"Mã học phần {code} đã tồn tại.", f"The module code {code} is taken.", status=409,
                        code="module_exists")
    _check_policy(topic, hours, attempts_allowed, new_attempt, grading, sco_aggregation)
    module = Module(code=code, title_vi=nfc(title_vi), title_en=nfc(title_en) or "", topic=topic,
                    hours=Decimal(str(hours)), description_vi=nfc(description_vi) or "",
                    description_en=nfc(description_en) or "", completion_rule=normalize_rule(completion_rule),
                    attempts_allowed=attempts_allowed, new_attempt=new_attempt, grading=grading,
                    sco_aggregation=sco_aggregation, created_by_id=created_by_id)
    db.session.add(module)
    db.session.flush()
    return module


#: fields :func:`update_module` may change
EDITABLE = ("title_vi", "title_en", "topic", "hours", "description_vi", "description_en", "completion_rule",
            "attempts_allowed", "new_attempt", "grading", "sco_aggregation", "active")


def update_module(module: Module, **changes: Any) -> Module:
    """Change a module's settings (not its code or versions); same validation as :func:`create_module`."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {name: getattr(module, name) for name in EDITABLE} | changes
    if not (nfc(merged["title_vi"]) or ""):
        raise UserError("Cần tên học phần.", "A title is required.", status=422, code="module_invalid")
    _check_policy(merged["topic"], merged["hours"], merged["attempts_allowed"], merged["new_attempt"],
                  merged["grading"], merged["sco_aggregation"])
    for name in ("title_vi", "title_en", "description_vi", "description_en"):
        merged[name] = nfc(merged[name]) or ""
    merged["hours"] = Decimal(str(merged["hours"]))
    merged["completion_rule"] = normalize_rule(merged["completion_rule"])
    for name, value in merged.items():
        setattr(module, name, value)
    db.session.flush()
    return module


def get_module(code: str) -> Module | None:
    """The module with ``code`` (case-insensitive), or None."""
    return db.session.scalar(select(Module).where(Module.code == (code or "").upper()))


# --- packages -----------------------------------------------------------------------------------------


def import_package(module: Module, source: Path | BinaryIO, *, uploaded_by_id: int | None = None,
                   publish: bool = True) -> PackageVersion:
    """Validate a SCORM zip and store it as the module's next version.

    ``source`` is a path or a binary stream (read in chunks, never whole). An invalid package raises
    :class:`PackageInvalid` (422, code ``package_invalid``, ``details`` = the report's errors) and
    writes nothing. The same zip uploaded again for this module returns the existing version.
    ``publish`` makes the version (new or found) the one new attempts launch. Two uploads racing for
    the same version number: the later gets UserError 409. Flushes; never commits.
    """
    storage = get_storage()
    _sweep_stale_work(storage.temp_dir())
    work = Path(tempfile.mkdtemp(prefix="import-", dir=storage.temp_dir()))
    try:
        zip_path, digest, size = _local_zip(source, work)
        existing = db.session.scalar(
            select(PackageVersion).where(PackageVersion.module_id == module.id, PackageVersion.sha256 == digest)
        )
        if existing is not None:
            version = existing
        else:
            version = _from_importers(module, zip_path, digest, size, uploaded_by_id)
            if version is None:
                version = _store(module, zip_path, digest, size, _validated(zip_path), work / "x", uploaded_by_id)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if publish:
        publish_version(version)
    return version


#: other package formats (cmi5: lms.xapi): each gets the spooled zip and returns the new version, or None
#: when the zip is not its format (then the next one, finally SCORM, is tried)
_importers: list[Callable[[Module, Path, str, int, int | None], PackageVersion | None]] = []


def register_importer(importer: Callable[[Module, Path, str, int, int | None], PackageVersion | None]) -> None:
    if importer not in _importers:
        _importers.append(importer)


def _from_importers(module: Module, zip_path: Path, digest: str, size: int,
                    uploaded_by_id: int | None) -> PackageVersion | None:
    for importer in _importers:
        version = importer(module, zip_path, digest, size, uploaded_by_id)
        if version is not None:
            return version
    return None


#: work folders older than this were left by a crashed process (an import never takes a day)
STALE_WORK_SECONDS = 24 * 3600


def _sweep_stale_work(folder: Path) -> None:
    """Remove import work folders left behind by a process that died mid-import."""
    limit = time.time() - STALE_WORK_SECONDS
    for entry in folder.glob("import-*"):
        try:
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:  # another process swept it
            continue


def _local_zip(source: Path | BinaryIO, work: Path) -> tuple[Path, str, int]:
    """A path to the zip on disk with its sha256 and size (a stream is spooled into ``work``)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            tmp, digest, size = spool(fh, work)
    else:
        tmp, digest, size = spool(source, work)
    return tmp, digest, size


def _validated(zip_path: Path) -> Report:
    report = inspect(zip_path)
    if not report.ok:
        raise _invalid(report)
    return report


def _invalid(report: Report) -> PackageInvalid:
    return PackageInvalid(
        "Gói SCORM không hợp lệ, chưa lưu gì. Xem các lỗi bên dưới.",
        "The SCORM package is invalid; nothing was saved. See the errors below.",
        status=422, code="package_invalid", report=report.summary(),
        details=[{**i.as_dict(), "message": localized(i.message_vi, i.message_en)} for i in report.errors],
    )


def _store(module: Module, zip_path: Path, digest: str, size: int, report: Report, folder: Path,
           uploaded_by_id: int | None) -> PackageVersion:
    """Extract, put every file in storage, and add the version with its file rows."""
    try:
        report = extract(zip_path, folder)
    except PackageError as exc:  # content found broken while copying (CRC, real size)
        raise PackageInvalid(
            "Gói SCORM không hợp lệ, chưa lưu gì. Xem các lỗi bên dưới.",
            "The SCORM package is invalid; nothing was saved. See the errors below.",
            status=422, code="package_invalid",
            details=[{"code": exc.code, "message_vi": exc.message_vi, "message_en": str(exc), "path": None,
                      "message": localized(exc.message_vi, str(exc))}],
            report=report.summary(),
        ) from exc
    storage = get_storage()
    rows = []
    for rel in report.files:
        blob_digest, blob_size = storage.put_file(folder.joinpath(*rel.split("/")), move=True)
        rows.append((rel, blob_digest, blob_size))
    storage.put_file(zip_path, (digest, size), move=True)
    manifest = report.manifest
    number = (db.session.scalar(select(func.max(PackageVersion.number)).where(
        PackageVersion.module_id == module.id)) or 0) + 1
    version = PackageVersion(module=module, number=number, scorm_version=manifest.scorm_version,
                             sha256=digest, title=(manifest.title or module.title_vi)[:255],
                             manifest=report.summary(), size_bytes=size, uploaded_by_id=uploaded_by_id)
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the caller's transaction boundary rolls back
        raise UserError("Một gói khác vừa được tải lên cho học phần này; hãy tải lại trang và thử lại.",
                        "Another package was just uploaded for this module; reload and try again.",
                        status=409, code="version_conflict") from exc
    db.session.add_all(PackageFile(version_id=version.id, path=p, sha256=d, size=s) for p, d, s in rows)
    db.session.flush()
    return version


def publish_version(version: PackageVersion) -> None:
    """Make ``version`` the one new attempts of its module launch (running attempts keep theirs)."""
    version.module.published_version = version
    db.session.flush()


def get_version(module: Module, number: int) -> PackageVersion | None:
    """Version ``number`` of ``module``, or None."""
    return db.session.scalar(select(PackageVersion).where(
        PackageVersion.module_id == module.id, PackageVersion.number == number))


def package_file(version: PackageVersion, path: str) -> PackageFile | None:
    """The file row of ``path`` in ``version``, or None."""
    return db.session.get(PackageFile, (version.id, path))


def read_package_file(version: PackageVersion, path: str) -> Path | None:
    """The local path of the blob holding ``path`` of ``version``, or None when there is no such file."""
    row = package_file(version, path)
    if row is None:
        return None
    blob = get_storage().path(row.sha256)
    return blob if blob.exists() else None


_MANIFESTS: OrderedDict[tuple[int, str], Manifest] = OrderedDict()
_MANIFESTS_LOCK = threading.Lock()
_MANIFEST_CACHE_SIZE = 256


def parsed_manifest(version: PackageVersion) -> Manifest:
    """The parsed imsmanifest.xml of ``version`` (cached: versions never change)."""
    key = (version.id, version.sha256)
    with _MANIFESTS_LOCK:
        if key in _MANIFESTS:
            _MANIFESTS.move_to_end(key)
            return _MANIFESTS[key]
    blob = read_package_file(version, MANIFEST_NAME)
    if blob is None:
        raise LookupError(f"version {version.id} has no {MANIFEST_NAME}")
    manifest = parse_manifest(blob.read_bytes())
    with _MANIFESTS_LOCK:
        _MANIFESTS[key] = manifest
        while len(_MANIFESTS) > _MANIFEST_CACHE_SIZE:
            _MANIFESTS.popitem(last=False)
    return manifest


def launch_path(version: PackageVersion) -> str | None:
    """The package path (with query) of the first SCO's launch URL, for previews."""
    scos = version.manifest.get("scos") or []
    return scos[0]["launch_url"] if scos else None


# --- access -------------------------------------------------------------------------------------------


def can_manage(user) -> bool:
    """Lecturers and admins manage modules and packages."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_any_role(Role.lecturer)


def can_open_version(user, version: PackageVersion) -> bool:
    """Whether ``user`` may load the files of ``version``: lecturers and admins any version (drafts
    included); a learner only the module's published version or a version one of their attempts runs."""
    if not can_launch(user, version.module):
        return False
    if user.has_any_role(Role.lecturer) or version.id == version.module.published_version_id:
        return True
    from lms.player.models import Attempt  # the player builds on the catalog, not the other way round

    return db.session.scalar(select(Attempt.id).where(
        Attempt.cadre_id == user.cadre_id, Attempt.package_version_id == version.id).limit(1)) is not None


def can_launch(user, module: Module) -> bool:
    """A learner with a cadre (active module with a published version), a lecturer (preview), an admin."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.has_any_role(Role.lecturer):
        return True
    return (user.has_role(Role.learner) and user.cadre_id is not None and module.active
            and module.published_version_id is not None)
