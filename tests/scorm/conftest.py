"""Shared helpers for the scorm tests. Zips are built at test time from ``fixtures/`` source folders
or from bytes given in the test; no .zip file is ever committed.

The ``kit`` fixture gives a :class:`PackageKit`: ``kit.fixture_zip(name)``, ``kit.zip(files)``,
``kit.raw(entries)`` (a hand-written zip whose every header field can lie) and ``kit.manifest(...)``.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class RawEntry:
    """One entry of a hand-built zip. ``data`` is written as is (already compressed when ``method`` is 8);
    every header field defaults to the honest value and can be overridden to lie."""

    name: bytes | str
    data: bytes = b""
    plain: bytes | None = None
    method: int = 0
    crc: int | None = None
    file_size: int | None = None
    compress_size: int | None = None
    flags: int = 0
    external_attr: int = 0o100644 << 16
    create_system: int = 3
    extra: bytes = b""
    same_offset_as: int | None = None

    def raw_name(self) -> bytes:
        return self.name if isinstance(self.name, bytes) else self.name.encode("utf-8")

    def fields(self) -> tuple[int, int, int]:
        plain = self.data if self.plain is None else self.plain
        crc = zlib.crc32(plain) if self.crc is None else self.crc
        size = len(plain) if self.file_size is None else self.file_size
        csize = len(self.data) if self.compress_size is None else self.compress_size
        return crc, csize, size


def raw_zip(entries: list[RawEntry]) -> bytes:
    """A zip written field by field, so tests can build what no honest tool writes."""
    out = io.BytesIO()
    offsets: list[int] = []
    for entry in entries:
        if entry.same_offset_as is not None:
            offsets.append(offsets[entry.same_offset_as])
            continue
        offsets.append(out.tell())
        crc, csize, size = entry.fields()
        name = entry.raw_name()
        out.write(struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 20, entry.flags, entry.method, 0, 0x21,
                              crc, csize, size, len(name), len(entry.extra)))
        out.write(name + entry.extra + entry.data)
    directory = out.tell()
    for entry, offset in zip(entries, offsets, strict=True):
        crc, csize, size = entry.fields()
        name = entry.raw_name()
        out.write(struct.pack("<4sBBHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, entry.create_system, 20, entry.flags,
                              entry.method, 0, 0x21, crc, csize, size, len(name), len(entry.extra), 0, 0, 0,
                              entry.external_attr, offset))
        out.write(name + entry.extra)
    end = out.tell()
    out.write(struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - directory,
                          directory, 0))
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    """Raw deflate, as a zip stores it."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zero_bomb(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes (a multiple of 1 MiB), built in milliseconds: one
    compressed MiB repeated, each block full-flushed so the copies are identical."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * (size >> 20) + c.flush()


def many_entries(count: int, *, zip64: bool = True) -> bytes:
    """A valid zip of ``count`` empty stored files, written directly (fast even for 100,000). Past 65,535
    entries it has the zip64 end records real tools write, unless ``zip64=False`` (then the count lies)."""
    local, central = bytearray(), bytearray()
    for i in range(count):
        name = b"f%06d.txt" % i
        central += struct.pack("<4sBBHHHHHLLLHHHHHLL", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0x21, 0, 0, 0,
                               len(name), 0, 0, 0, 0, 0o100644 << 16, len(local)) + name
        local += struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
    tail = b""
    if count > 0xFFFF and zip64:
        zip64_at = len(local) + len(central)
        tail = struct.pack("<4sQHHLLQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(central),
                           len(local)) + struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_at, 1)
    n = min(count, 0xFFFF)
    return bytes(local + central + tail + struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, n, n, len(central),
                                                      len(local), 0))


def manifest(href: str = "index.html", *, version: str | None = "1.2", items: str | None = None,
             resources: str | None = None, namespaces: str | None = None) -> str:
    """A small manifest for tests; ``items``/``resources`` replace the single default item/resource."""
    v2004 = version is not None and version != "1.2"
    ns = namespaces if namespaces is not None else (
        'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
        'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"'
        if v2004 else
        'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"')
    stype = "scormType" if v2004 else "scormtype"
    meta = f"<metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>" \
        if version is not None else ""
    items = items if items is not None else '<item identifier="i1" identifierref="r1"><title>Bài 1</title></item>'
    resources = resources if resources is not None else (
        f'<resource identifier="r1" type="webcontent" adlcp:{stype}="sco" href="{href}">'
        f'<file href="{href.split("?")[0]}"/></resource>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><manifest identifier="m1" version="1" {ns}>{meta}'
            f'<organizations default="o1"><organization identifier="o1"><title>Khoá học thử</title>{items}'
            f'</organization></organizations><resources>{resources}</resources></manifest>')


class PackageKit:
    """Builds packages for tests."""

    fixtures = FIXTURES

    @staticmethod
    def zip(files: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
        """A zip holding ``files`` (name -> content), written by :mod:`zipfile`."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression) as zf:
            for name, content in files.items():
                zf.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
        return out.getvalue()

    def fixture_files(self, name: str, prefix: str = "") -> dict[str, bytes | str]:
        """The files of ``fixtures/<name>`` as a name -> bytes mapping (optionally under ``prefix``)."""
        root = self.fixtures / name
        return {prefix + p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    def fixture_zip(self, name: str, prefix: str = "") -> bytes:
        """The source folder ``fixtures/<name>`` zipped, as an authoring tool would export it."""
        return self.zip(self.fixture_files(name, prefix))

    def package(self, href: str = "index.html", extra: dict[str, bytes | str] | None = None, **kw: str) -> bytes:
        """A small valid package: a manifest launching ``href`` plus that file, plus ``extra`` files."""
        files: dict[str, bytes | str] = {"imsmanifest.xml": manifest(href, **kw), href.split("?")[0]: "<html/>"}
        files.update(extra or {})
        return self.zip(files)

    raw = staticmethod(raw_zip)
    manifest = staticmethod(manifest)
    deflate = staticmethod(deflate)
    zero_bomb = staticmethod(zero_bomb)
    many_entries = staticmethod(many_entries)
    Entry = RawEntry


@pytest.fixture
def kit() -> PackageKit:
    """The package builder."""
    return PackageKit()
