"""Reading an uploaded zip without trusting it: its directory size checked before zipfile parses it, a
non-seekable upload spooled with a size cap, members streamed from their local headers while the bytes
really decompressed are counted (a member that inflates past its declared size is refused)."""

from __future__ import annotations

import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from scorm.limits import Limits
from scorm.package_messages import refusal

Source = str | os.PathLike[str] | IO[bytes]

_CHUNK = 1024 * 1024


@contextmanager
def _binary(source: Source, limits: Limits) -> Iterator[IO[bytes]]:
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as fp:
                yield fp
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise refusal("package.not_a_zip") from exc
        return
    seekable = getattr(source, "seekable", None)
    if callable(seekable) and seekable():
        yield source
        return
    with tempfile.TemporaryFile() as spool:
        copied = 0
        while chunk := source.read(_CHUNK):
            copied += len(chunk)
            if copied > limits.max_total_size:
                raise refusal("package.too_large", f"> {limits.max_total_size} B")
            spool.write(chunk)
        spool.seek(0)
        yield spool


def _directory_size(fp: IO[bytes]) -> tuple[int, int]:
    """Entry count and central-directory size from the end record, before zipfile parses anything."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        raise refusal("package.not_a_zip")
    entries, cd_size = struct.unpack("<10xHL6x", tail[pos:pos + 22])
    locator = tail[pos - 20:pos] if pos >= 20 else b""
    if locator[:4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<8xQ4x", locator)
        fp.seek(offset)
        record = fp.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            entries, cd_size = struct.unpack("<32xQQ8x", record)
    fp.seek(0)
    return entries, cd_size


@contextmanager
def open_zip(source: Source, limits: Limits) -> Iterator[zipfile.ZipFile]:
    """The zip of ``source``, its entry count checked against ``limits`` before and after zipfile reads
    the directory; any reading failure is the ``package.not_a_zip`` refusal."""
    with _binary(source, limits) as fp:
        try:
            entries, cd_size = _directory_size(fp)
        except (OSError, struct.error) as exc:
            raise refusal("package.not_a_zip") from exc
        if entries > limits.max_entries or cd_size > limits.max_entries * (46 + 4 * limits.max_path_length + 2048):
            raise refusal("package.too_many_entries", f"{entries} > {limits.max_entries}")
        try:
            zf = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError, UnicodeDecodeError) as exc:
            raise refusal("package.not_a_zip") from exc
        with zf:
            if len(zf.infolist()) > limits.max_entries:
                raise refusal("package.too_many_entries", f"{len(zf.infolist())} > {limits.max_entries}")
            yield zf


# --- reading members ----------------------------------------------------------------------------------


def _seek(fp: IO[bytes], offset: int, name: str) -> None:
    try:
        fp.seek(offset)
    except (OSError, ValueError, OverflowError) as exc:
        raise refusal("package.corrupt", f"{name}: {type(exc).__name__}") from None


def _read(fp: IO[bytes], size: int, name: str) -> bytes:
    try:
        return fp.read(size)
    except (OSError, ValueError) as exc:
        raise refusal("package.corrupt", f"{name}: {type(exc).__name__}") from None


def data_range(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Where the member's compressed bytes start and end, from its local header."""
    fp = zf.fp
    assert fp is not None
    if info.header_offset < 0:
        raise refusal("package.corrupt", f"bad local header offset for {info.orig_filename!r}")
    _seek(fp, info.header_offset, info.orig_filename)
    header = _read(fp, 30, info.orig_filename)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise refusal("package.corrupt", f"bad local header for {info.orig_filename!r}")
    name_len, extra_len = struct.unpack("<26xHH", header)
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def stream_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, emit: Callable[[bytes], None]) -> int:
    """Decompress one member chunk by chunk into ``emit``; count the real bytes and check size and CRC.
    Never holds more than about two chunks in memory."""
    start, end = data_range(zf, info)
    if info.file_size == 0 and info.compress_size == 0:
        if info.CRC != 0:
            raise refusal("package.corrupt", f"{name}: CRC")
        return 0
    fp = zf.fp
    assert fp is not None
    _seek(fp, start, name)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    count, crc, left = 0, 0, end - start

    def push(data: bytes) -> None:
        nonlocal count, crc
        count += len(data)
        if count > info.file_size:
            raise refusal("package.size_mismatch", f"{name}: > {info.file_size} B")
        crc = zlib.crc32(data, crc)
        emit(data)

    try:
        while left > 0:
            raw = _read(fp, min(_CHUNK, left), name)
            if not raw:
                raise refusal("package.corrupt", f"{name}: truncated")
            left -= len(raw)
            if inflate is None:
                push(raw)
                continue
            while raw and not inflate.eof:
                push(inflate.decompress(raw, _CHUNK))
                raw = inflate.unconsumed_tail
        while inflate is not None and not inflate.eof and (out := inflate.decompress(b"", _CHUNK)):
            push(out)
    except zlib.error as exc:
        raise refusal("package.corrupt", f"{name}: {exc}") from None
    if inflate is not None and not inflate.eof:
        raise refusal("package.corrupt", f"{name}: truncated")
    if count != info.file_size:
        raise refusal("package.size_mismatch", f"{name}: {count} != {info.file_size} B")
    if crc != info.CRC:
        raise refusal("package.corrupt", f"{name}: CRC")
    return count


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """The whole member (a manifest, a page to scan), refused past ``limit`` bytes."""
    if info.file_size > limit:
        raise refusal("package.manifest_too_large", f"{info.file_size} > {limit} B")
    parts: list[bytes] = []
    stream_member(zf, info, name, parts.append)
    return b"".join(parts)


# --- inspection ---------------------------------------------------------------------------------------
