"""Open an uploaded SCORM zip safely, report what is wrong with it, and extract it.

:func:`inspect` never raises for a bad package: it returns a :class:`Report` whose errors and warnings
carry stable codes and messages in Vietnamese and English. :func:`extract` refuses (raises
:class:`~scorm.errors.PackageError`) any package whose report has errors, streams every member while
counting the bytes it really decompresses, and moves the result into place only when all succeeded.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scorm import launch
from scorm.errors import ManifestError, PackageError
from scorm.limits import Limits, decode_name, entry_problem
from scorm.manifest import Issue, Item, Manifest, check_manifest, launch_url, parse_manifest
from scorm.package_messages import MESSAGES
from scorm.package_messages import package_issue as _issue
from scorm.package_messages import refusal as _refusal
from scorm.sequencing.report import describe_sequencing
from scorm.zipread import Source, data_range, open_zip, read_member, stream_member

__all__ = ["MESSAGES", "Issue", "Limits", "Report", "extract", "inspect"]

#: what reading a broken zip can raise besides our own errors; mapped to ``package.corrupt``
_BROKEN = (OSError, ValueError, EOFError, struct.error, zipfile.BadZipFile, zlib.error)
_MAX_ISSUES = 50
_IGNORED_PREFIXES = ("__MACOSX/",)

@dataclass(frozen=True)
class Report:
    """What :func:`inspect` found. ``root`` is ``""`` or the ``"folder/"`` holding imsmanifest.xml;
    ``files`` are the names (relative to ``root``) that :func:`extract` writes."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    manifest: Manifest | None = None
    root: str = ""
    files: tuple[str, ...] = ()
    total_size: int = 0
    #: information, not problems: the sequencing features the package uses (``sequencing.uses_*``)
    info: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the package has no errors (warnings allowed)."""
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary: version, title, organizations with item trees, SCOs, warnings, errors, info."""
        m = self.manifest
        return {
            "ok": self.ok,
            "root": self.root,
            "scorm_version": m.scorm_version if m else None,
            "title": m.title if m else None,
            "identifier": m.identifier if m else None,
            "default_organization": m.default_organization.identifier if m and m.default_organization else None,
            "organizations": [
                {"identifier": o.identifier, "title": o.title, "items": [_item_tree(m, i) for i in o.items]}
                for o in (m.organizations if m else ())],
            "scos": [{"identifier": i.identifier, "title": i.title, "launch_url": launch_url(m, i),
                      "scorm_type": m.resources[i.identifierref or ""].scorm_type}
                     for i in (m.scos() if m else [])],
            "warnings": [i.as_dict() for i in self.warnings],
            "errors": [i.as_dict() for i in self.errors],
            "info": [i.as_dict() for i in self.info],
        }


def _item_tree(m: Manifest, item: Item) -> dict[str, Any]:
    res = m.resources.get(item.identifierref or "")
    return {"identifier": item.identifier, "title": item.title, "isvisible": item.isvisible,
            "launch_url": launch_url(m, item) if res is not None and res.href else None,
            "children": [_item_tree(m, c) for c in item.children]}


# --- opening ------------------------------------------------------------------------------------------


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    name: str
    is_dir: bool


@dataclass
class _Plan:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    entries: dict[str, _Entry] = field(default_factory=dict)
    manifest: Manifest | None = None
    root: str = ""
    info: list[Issue] = field(default_factory=list)

    def error(self, code: str, detail: object = "", path: str | None = None) -> None:
        if len(self.errors) < _MAX_ISSUES:
            self.errors.append(_issue(code, detail, path))

    def warn(self, code: str, detail: object = "", path: str | None = None) -> None:
        if len(self.warnings) < _MAX_ISSUES:
            self.warnings.append(_issue(code, detail, path))

    def extracted(self) -> list[tuple[str, _Entry]]:
        """(name relative to the root, entry) for every entry extract writes."""
        return [(name[len(self.root):], e) for name, e in self.entries.items()
                if name.startswith(self.root) and name != self.root and not name.startswith(_IGNORED_PREFIXES)]

    def report(self) -> Report:
        files = tuple(rel for rel, e in self.extracted() if not e.is_dir)
        size = sum(e.info.file_size for _, e in self.extracted())
        return Report(errors=list(self.errors), warnings=list(self.warnings), manifest=self.manifest,
                      root=self.root, files=files, total_size=size, info=list(self.info))


def _check_entries(zf: zipfile.ZipFile, plan: _Plan, limits: Limits) -> None:
    total = compressed = 0
    for info in zf.infolist():
        name, legacy = decode_name(info)
        problem = entry_problem(info, name, limits)
        if problem:
            plan.error(problem, repr(name)[1:-1][:200], name)
            continue
        if legacy:
            plan.warn("package.filename_encoding", name, name)
        total += info.file_size
        compressed += info.compress_size
        if name in plan.entries:
            plan.error("package.duplicate_entry", name, name)
        plan.entries[name] = _Entry(info, name, name.endswith("/"))
    if total > limits.max_total_size:
        plan.error("package.too_large", f"{total} > {limits.max_total_size} B")
    if total >= limits.ratio_min_size and total > limits.max_ratio * max(compressed, 1):
        plan.error("package.ratio_exceeded", f"{total} / {compressed}")
    if not plan.errors:
        _check_layout(zf, plan)


def _check_layout(zf: zipfile.ZipFile, plan: _Plan) -> None:
    files = {n for n, e in plan.entries.items() if not e.is_dir}
    parents = {n[:i] for n in plan.entries for i in range(len(n)) if n[i] == "/"}
    for name in sorted(files & parents)[:_MAX_ISSUES]:
        plan.error("package.path_conflict", name, name)
    ranges = sorted((e.info.header_offset, data_range(zf, e.info)[1]) for e in plan.entries.values())
    directory = getattr(zf, "start_dir", None)
    for (_, end), (next_start, _) in zip(ranges, ranges[1:], strict=False):
        if next_start < end:
            plan.error("package.overlapping_entries")
            return
    if ranges and directory is not None and ranges[-1][1] > directory:
        plan.error("package.overlapping_entries")


def _find_manifest(plan: _Plan) -> _Entry | None:
    files = {n: e for n, e in plan.entries.items() if not e.is_dir and not n.startswith(_IGNORED_PREFIXES)}
    if "imsmanifest.xml" in files:
        return files["imsmanifest.xml"]
    by_case = [n for n in files if "/" not in n and n.lower() == "imsmanifest.xml"]
    if by_case:
        plan.warn("package.manifest_name_case", by_case[0], by_case[0])
        return files[by_case[0]]
    nested = sorted(n for n in files if n.count("/") == 1 and n.endswith("/imsmanifest.xml"))
    if len(nested) > 1:
        plan.error("package.manifest_ambiguous", ", ".join(nested[:5]))
        return None
    if not nested:
        plan.error("package.manifest_missing")
        return None
    plan.root = nested[0][: -len("imsmanifest.xml")]
    plan.warn("package.manifest_in_subfolder", plan.root.rstrip("/"), nested[0])
    return files[nested[0]]


def _local_path(url: str) -> str | None:
    """The package path a launch or file URL points at, or ``None`` when it leaves the package."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("/"):
        return None
    path = parts.path
    return None if path == ".." or path.startswith("../") else path


def _check_files(plan: _Plan) -> None:
    m = plan.manifest
    assert m is not None
    present = {n[len(plan.root):] for n, e in plan.entries.items() if not e.is_dir and n.startswith(plan.root)}

    def exists(path: str) -> bool:
        return path in present or unquote(path) in present

    launched = {item.identifierref for org in m.organizations for item in org.walk() if item.identifierref}
    for ident in sorted(launched & m.resources.keys()):
        res = m.resources[ident]
        if not res.launch_path:
            continue
        kind = launch.classify(res.launch_path)
        if kind == launch.REFUSED:
            plan.errors.append(launch.issue("package.launch_refused", res.launch_path))
            continue
        path = _local_path(res.launch_path)
        if kind == launch.EXTERNAL or path is None:
            plan.warn("package.launch_external", res.launch_path)
        elif not exists(path):
            plan.error("package.launch_missing", path, path)
    missing = sorted({f for r in m.resources.values() for f in r.files
                      if (p := _local_path(f)) is not None and not exists(p)})
    for path in missing[:20]:
        plan.warn("package.file_missing", path, path)


def _describe_sequencing(plan: _Plan, manifest: Manifest) -> None:
    """The sequencing features as information, and what the player does not apply as a warning."""
    for issue in describe_sequencing(manifest):
        (plan.info if issue.code.startswith("sequencing.uses_") else plan.warnings).append(issue)


def _check_scripts(zf: zipfile.ZipFile, plan: _Plan) -> None:
    """Warn about scripts the package's HTML loads from other hosts (learners offline miss them)."""
    entries = {n: e for n, e in plan.entries.items() if not e.is_dir and n.startswith(plan.root)}

    def read(name: str) -> bytes | None:
        entry = entries[name]
        if entry.info.file_size > launch.MAX_HTML_BYTES:
            return None
        try:
            return read_member(zf, entry.info, entry.name, launch.MAX_HTML_BYTES)
        except (PackageError, *_BROKEN):
            return None

    hosts = launch.script_hosts(sorted(entries), read)
    if hosts and len(plan.warnings) < _MAX_ISSUES:
        plan.warnings.append(launch.issue("package.external_scripts", ", ".join(hosts[:10])))


def _examine(zf: zipfile.ZipFile, limits: Limits) -> _Plan:
    plan = _Plan()
    _check_entries(zf, plan, limits)
    if plan.errors:
        return plan
    entry = _find_manifest(plan)
    if entry is None:
        return plan
    try:
        data = read_member(zf, entry.info, entry.name, limits.max_manifest_size)
        plan.manifest = parse_manifest(data)
    except (ManifestError, PackageError) as exc:
        plan.errors.append(Issue(exc.code, exc.message_vi, str(exc), entry.name))
        return plan
    errors, warnings = check_manifest(plan.manifest)
    plan.errors.extend(errors)
    plan.warnings.extend(warnings)
    _describe_sequencing(plan, plan.manifest)
    _check_files(plan)
    _check_scripts(zf, plan)
    outside = [n for n in plan.entries if not n.startswith(plan.root) and not n.startswith(_IGNORED_PREFIXES)]
    if outside:
        plan.warn("package.outside_root", len(outside))
    junk = [n for n in plan.entries if n.startswith(_IGNORED_PREFIXES)]
    if junk:
        plan.warn("package.ignored_entries", len(junk))
    return plan


def inspect(source: Source, limits: Limits | None = None) -> Report:
    """Validate a SCORM zip (a path or a binary stream) and return a :class:`Report`.

    Never raises for a bad package: hostile or broken input becomes an error in the report. Only the
    central directory, the local headers and imsmanifest.xml are read; member contents are verified
    (real size, CRC) by :func:`extract` while it copies them.
    """
    limits = limits or Limits()
    try:
        with open_zip(source, limits) as zf:
            return _examine(zf, limits).report()
    except PackageError as exc:
        return Report(errors=[Issue(exc.code, exc.message_vi, str(exc))])
    except _BROKEN as exc:
        return Report(errors=[_issue("package.corrupt", type(exc).__name__)])


# --- extraction ---------------------------------------------------------------------------------------


def _write_all(zf: zipfile.ZipFile, plan: _Plan, folder: Path, limits: Limits) -> None:
    total = 0
    made: set[Path] = {folder}
    for rel, entry in plan.extracted():
        target = folder.joinpath(*rel.rstrip("/").split("/"))
        if os.path.commonpath([folder, target]) != str(folder):
            raise _refusal("package.path_traversal", rel)
        directory = target if entry.is_dir else target.parent
        if directory not in made:
            directory.mkdir(parents=True, exist_ok=True)
            made.add(directory)
        if entry.is_dir:
            continue
        with open(target, "xb") as out:
            total += stream_member(zf, entry.info, entry.name, out.write)
        if total > limits.max_total_size:
            raise _refusal("package.too_large", f"> {limits.max_total_size} B")


def _prepare(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise _refusal("package.destination_exists", destination.name)
    destination.parent.mkdir(parents=True, exist_ok=True)


def extract(source: Source, destination: Path, limits: Limits | None = None) -> Report:
    """Extract a SCORM zip so that its manifest lands at ``destination/imsmanifest.xml``.

    Raises :class:`~scorm.errors.PackageError` (with the first error's ``code``) when the package has
    any error, when a member's real size or CRC differs from its header, or when ``destination``
    exists and is not empty. Members are streamed into a temporary folder next to ``destination``,
    which is renamed into place only when everything succeeded; on failure nothing is left behind.
    Returns the :class:`Report`.
    """
    limits = limits or Limits()
    destination = Path(destination).absolute()
    with open_zip(source, limits) as zf:
        try:
            plan = _examine(zf, limits)
        except _BROKEN as exc:
            raise _refusal("package.corrupt", type(exc).__name__) from exc
        if plan.errors:
            first = plan.errors[0]
            raise PackageError(first.message_en, code=first.code, message_vi=first.message_vi)
        _prepare(destination)
        folder = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent))
        try:
            _write_all(zf, plan, folder, limits)
            if destination.exists():
                destination.rmdir()
            folder.rename(destination)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return plan.report()
