"""What a learner's browser needs to study a module offline (docs/offline.md): the package files with
their sizes and signed content-origin URLs, the player pages of the attempt, and the launcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from flask import url_for
from sqlalchemy import select

from lms.catalog import content
from lms.catalog.models import Module, PackageFile, PackageVersion
from lms.core.db import db
from lms.core.errors import UserError
from lms.player import services as player
from lms.player.models import Attempt

#: the launcher's scripts on the content origin (lms.catalog.views.LAUNCHER_SCRIPTS names), by SCORM version
LAUNCHER_SCRIPT_NAMES = {"1.2": ("scorm12.js", "rte_adapter.js", "launcher.js"),
                         "2004": ("scorm2004.js", "rte_adapter.js", "launcher.js")}


@dataclass
class OfflinePlan:
    """The download of one attempt: files on the content origin, pages on the LMS origin."""

    module: Module
    attempt: Attempt
    version: PackageVersion
    files: list[dict[str, Any]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    launcher: list[str] = field(default_factory=list)
    #: the launcher page without ``lms=`` (the page appends its own origin, as the player does)
    launcher_page: str = ""

    @property
    def total_bytes(self) -> int:
        return sum(f["size"] for f in self.files)

    def as_json(self, content_origin: str | None) -> dict[str, Any]:
        return {"module": self.module.code, "title": self.module.title_vi, "attempt": self.attempt.id,
                "version": self.version.id, "versionNumber": self.version.number,
                "totalBytes": self.total_bytes, "fileCount": len(self.files), "files": self.files,
                "pages": self.pages, "launcher": self.launcher, "launcherPage": self.launcher_page,
                "contentOrigin": content_origin,
                "frameUrl": f"{content_origin}/c/_offline/frame" if content_origin else None}


def open_attempt_for_offline(cadre_id: int, code: str) -> Attempt:
    """The learner's latest attempt of module ``code`` that is not finished (the one "Học tiếp" opens)."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None:
        raise UserError("Không tìm thấy học phần.", "No such module.", status=404)
    attempt = db.session.scalar(select(Attempt).where(Attempt.cadre_id == cadre_id, Attempt.module_id == module.id)
                                .order_by(Attempt.number.desc()).limit(1))
    if attempt is None or attempt.status == "completed":
        raise UserError("Hãy mở học phần một lần khi có mạng trước khi tải về để học offline.",
                        "Open the module once while online before downloading it.", status=409, code="no_attempt")
    return attempt


def package_files(version: PackageVersion) -> list[PackageFile]:
    """The files of a package version, by path."""
    return list(db.session.scalars(select(PackageFile).where(PackageFile.version_id == version.id)
                                   .order_by(PackageFile.path)))


def plan(attempt: Attempt, user_id: int) -> OfflinePlan:
    """Everything to store for ``attempt``: one content token for all its files (the content origin's
    service worker keys them by version and path, not by token), the attempt's player pages (one per
    visible SCO, and the page without ``sco``), the learner's module list, and the launcher."""
    version = attempt.package_version
    origin = content.required_origin()
    token = content.make_token(version.id, user_id, attempt.id)
    base = f"{origin}/c/{token}/" if origin else f"/content/{version.id}/"
    files = [{"path": f.path, "size": int(f.size), "url": base + quote(f.path, safe="/")} for f in package_files(version)]
    manifest = player.manifest_of(version)
    scos = [i.identifier for i in player.sco_items(manifest) if i.isvisible]
    pages = [url_for("player.play", attempt_id=attempt.id)]
    pages += [url_for("player.play", attempt_id=attempt.id, sco=sco) for sco in scos]
    pages.append(url_for("player.my_modules"))
    root = origin or ""
    cmi = player.cmi_version(version)
    launcher = [f"{root}/c/_lms/js/{name}" for name in LAUNCHER_SCRIPT_NAMES[cmi]]
    return OfflinePlan(attempt.module, attempt, version, files, pages, launcher, content.launcher_url(cmi))
