"""Content-addressed file storage: files are kept once, named by their sha256.

One interface, two backends chosen by ``LMS_STORAGE_BACKEND``: local disk (``LMS_STORAGE_DIR``, the
default) and S3-compatible object storage (:mod:`lms.core.storage_s3`, ``LMS_S3_*``), which several
app hosts and workers share.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

CHUNK = 1024 * 1024


class Storage(Protocol):
    """What the LMS needs from a blob store."""

    def put_file(self, source: Path, known: tuple[str, int] | None = None, *, move: bool = False) -> tuple[str, int]:
        """Store a file; return (sha256, size). Idempotent for equal content."""

    def path(self, sha256: str) -> Path:
        """A local path to read the blob (for sendfile and Range)."""

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""

    def open(self, sha256: str) -> BinaryIO:
        """The blob as a binary stream (the caller closes it)."""

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store a stream without holding it in memory; return (sha256, size)."""

    def temp_dir(self) -> Path:
        """A local folder for work files (extraction); :meth:`put_file` with ``move`` takes them from there."""


class LocalStorage:
    """Blobs under ``root/ab/cd/abcdef…``; writes go through a temp file and an atomic rename."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        check_digest(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")  # noqa: SIM115 - the caller (send_file) closes it

    def put_file(self, source: Path, known: tuple[str, int] | None = None, *, move: bool = False) -> tuple[str, int]:
        """Store a file (hashed unless ``known`` = (sha256, size) is given); return (sha256, size).

        With ``move`` the source (on the same file system, e.g. under :meth:`temp_dir`) is renamed
        into place instead of copied; it is gone afterwards either way.
        """
        digest, size = known or hash_file(source)
        target = self.path(digest)
        if target.exists():
            if move:
                os.unlink(source)
            return digest, size
        target.parent.mkdir(parents=True, exist_ok=True)
        if move:
            os.chmod(source, 0o644)
            os.replace(source, target)
            return digest, size
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest, size

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store a stream without holding it in memory (hashed while it is copied)."""
        tmp, digest, size = spool(stream, self.root)
        try:
            return self.put_file(tmp, (digest, size))
        finally:
            tmp.unlink(missing_ok=True)

    def temp_dir(self) -> Path:
        """A folder for work files on the same file system as the blobs (cheap renames)."""
        folder = self.root / ".tmp"
        folder.mkdir(exist_ok=True)
        return folder


def spool(stream: BinaryIO, directory: str | Path | None = None, max_bytes: int | None = None) -> tuple[Path, str, int]:
    """Copy ``stream`` into a new temporary file in chunks, hashing while copying.

    Returns (path, sha256, size); the caller deletes the file. Raises ``ValueError`` when the stream
    is longer than ``max_bytes`` (the partial file is removed). Memory use is one chunk.
    """
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ValueError(f"stream longer than {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name), digest.hexdigest(), size


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_digest(sha256: str) -> str:
    """``sha256`` when it is a lowercase sha256 hex digest, else ``ValueError`` (no path tricks)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


def get_storage() -> Storage:
    """The storage of the current app."""
    return current_app.extensions["lms_storage"]


def init_app(app: Flask) -> None:
    """Create the storage: ``LMS_STORAGE_BACKEND`` ``local`` (``LMS_STORAGE_DIR``) or ``s3`` (``LMS_S3_*``)."""
    if (app.config.get("LMS_STORAGE_BACKEND") or "local") == "s3":
        from lms.core.storage_s3 import S3Storage

        app.extensions["lms_storage"] = S3Storage.from_config(app.config)
    else:
        app.extensions["lms_storage"] = LocalStorage(app.config["LMS_STORAGE_DIR"])
