"""Hostile packages: every case of the corpus is refused, each with its own error code.

"inspect" cases are visible from the central directory or the manifest: ``inspect`` reports the code
and ``extract`` raises it. "extract" cases hide behind honest-looking headers and are caught while
the bytes are really decompressed; ``extract`` raises and leaves nothing on disk. Speed and memory of
the refusals are measured in ``bench/bench_package.py``, not here.
"""

from __future__ import annotations

import bz2
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from scorm.errors import PackageError
from scorm.package import Limits, extract, inspect

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class Case:
    build: Callable[..., bytes]
    code: str
    stage: str = "inspect"
    limits: Limits | None = None


def with_manifest(kit, *entries) -> bytes:
    """A valid small package plus hostile raw ``entries``."""
    return kit.raw([kit.Entry("imsmanifest.xml", kit.manifest().encode()), kit.Entry("index.html", b"<html/>"),
                    *entries])


def package_with_manifest(kit, manifest: str) -> bytes:
    return kit.zip({"imsmanifest.xml": manifest, "index.html": "<html/>"})


def billion_laughs(kit) -> bytes:
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    head = f'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY lol0 "lol">{lols}]>'
    return package_with_manifest(kit, head + kit.manifest().split("?>", 1)[1].replace("Bài 1", "&lol9;"))


def external_dtd(kit) -> bytes:
    head = '<?xml version="1.0"?><!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">'
    return package_with_manifest(kit, head + kit.manifest().split("?>", 1)[1])


def deep_xml(kit) -> bytes:
    deep = "<item identifier='d'>" * 10_000 + "</item>" * 10_000
    return package_with_manifest(kit, kit.manifest(items=deep))


def huge_manifest(kit) -> bytes:
    padding = "<!--" + random.Random(0).randbytes(3 * MIB).hex() + "-->"  # 6 MiB that do not compress
    return package_with_manifest(kit, kit.manifest().replace("<organizations", padding + "<organizations"))


def honest_bomb(kit) -> bytes:
    """1 GiB of zeros in about 1 MB, with honest headers."""
    bomb = kit.zero_bomb(GIB)
    return with_manifest(kit, kit.Entry("video.mp4", bomb, plain=b"", crc=0, file_size=GIB, method=8))


def lying_bomb(kit) -> bytes:
    """1 GiB of zeros whose headers claim 1 MiB: the ratio looks harmless."""
    bomb = kit.zero_bomb(GIB)
    return with_manifest(kit, kit.Entry("video.mp4", bomb, plain=b"", crc=0, file_size=MIB, method=8))


def too_large(kit) -> bytes:
    """Declares 3 GiB at a believable ratio; no data needs to exist for the refusal."""
    return with_manifest(kit, kit.Entry("movie.mp4", b"", plain=b"", file_size=3 * GIB,
                                        compress_size=16 * MIB, method=8))


def corrupt_crc(kit) -> bytes:
    return with_manifest(kit, kit.Entry("a.txt", b"hello", crc=12345))


def short_member(kit) -> bytes:
    """Deflate data that ends before the declared size (with the CRC of what is really there)."""
    return with_manifest(kit, kit.Entry("a.txt", kit.deflate(b"short"), plain=b"short", file_size=50, method=8))


CASES: dict[str, Case] = {
    "zip_slip_dotdot": Case(lambda kit: with_manifest(kit, kit.Entry("../../evil.sh", b"x")),
                            "package.path_traversal"),
    "absolute_path": Case(lambda kit: with_manifest(kit, kit.Entry("/etc/cron.d/evil", b"x")),
                          "package.absolute_path"),
    "drive_letter": Case(lambda kit: with_manifest(kit, kit.Entry("C:/Windows/evil.dll", b"x")),
                         "package.drive_letter"),
    "backslash_traversal": Case(lambda kit: with_manifest(kit, kit.Entry("..\\..\\evil.html", b"x")),
                                "package.backslash"),
    "symlink": Case(lambda kit: with_manifest(kit, kit.Entry("passwd", b"/etc/passwd",
                                                             external_attr=0o120777 << 16)), "package.symlink"),
    "fifo": Case(lambda kit: with_manifest(kit, kit.Entry("pipe", b"", external_attr=0o010644 << 16)),
                 "package.special_file"),
    "encrypted": Case(lambda kit: with_manifest(kit, kit.Entry("secret.html", b"\x00" * 24, flags=1)),
                      "package.encrypted"),
    "bzip2_member": Case(lambda kit: with_manifest(kit, kit.Entry("a.txt", bz2.compress(b"a" * 100),
                                                                  plain=b"a" * 100, method=12)),
                         "package.unsupported_compression"),
    "nul_in_name": Case(lambda kit: with_manifest(kit, kit.Entry("index.html\x00.jpg", b"x")),
                        "package.bad_filename"),
    "very_deep_path": Case(lambda kit: with_manifest(kit, kit.Entry("d/" * 100 + "x.html", b"x")),
                           "package.path_too_long"),
    "duplicate_names": Case(lambda kit: with_manifest(kit, kit.Entry("index.html", b"<script>evil</script>")),
                            "package.duplicate_entry"),
    "file_and_folder": Case(lambda kit: with_manifest(kit, kit.Entry("content", b"x"),
                                                      kit.Entry("content/a.html", b"y")), "package.path_conflict"),
    "overlapping_entries": Case(lambda kit: with_manifest(kit, kit.Entry("copy.html", b"<html/>",
                                                                         same_offset_as=1)),
                                "package.overlapping_entries"),
    "entries_100k": Case(lambda kit: kit.many_entries(100_000), "package.too_many_entries"),
    "declared_3gib": Case(too_large, "package.too_large"),
    "zip_bomb_1gib": Case(honest_bomb, "package.ratio_exceeded"),
    "zip_bomb_1gib_lying_header": Case(lying_bomb, "package.size_mismatch", "extract"),
    "bad_crc": Case(corrupt_crc, "package.corrupt", "extract"),
    "short_member": Case(short_member, "package.size_mismatch", "extract"),
    "not_a_zip": Case(lambda kit: b"%PDF-1.4\n" + b"\x00" * 100, "package.not_a_zip"),
    "manifest_6mib": Case(huge_manifest, "package.manifest_too_large"),
    "billion_laughs": Case(billion_laughs, "manifest.xml_entities"),
    "external_dtd": Case(external_dtd, "manifest.xml_external"),
    "deep_xml": Case(deep_xml, "manifest.xml_invalid"),
    "two_manifests": Case(lambda kit: kit.zip({"a/imsmanifest.xml": kit.manifest(), "a/index.html": "x",
                                               "b/imsmanifest.xml": kit.manifest(), "b/index.html": "x"}),
                          "package.manifest_ambiguous"),
}


def test_the_corpus_is_large_and_its_codes_are_distinct():
    static = [c.code for c in CASES.values() if c.stage == "inspect"]
    assert len(CASES) >= 20
    assert len(static) == len(set(static))
    assert {c.code for c in CASES.values()} >= {"package.size_mismatch", "package.corrupt"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_package_is_refused(kit, tmp_path, name):
    case = CASES[name]
    data = case.build(kit)
    limits = case.limits or Limits()
    report = inspect(io.BytesIO(data), limits)
    if case.stage == "inspect":
        assert case.code in [e.code for e in report.errors]
    else:
        assert report.ok, report.errors
    with pytest.raises(PackageError) as exc:
        extract(io.BytesIO(data), tmp_path / "out", limits)
    assert exc.value.code == (case.code if case.stage == "extract" else report.errors[0].code)
    assert exc.value.message_vi and str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_xxe_entity_is_refused(kit):
    head = '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    data = package_with_manifest(kit, head + kit.manifest().split("?>", 1)[1].replace("Bài 1", "&x;"))
    assert [e.code for e in inspect(io.BytesIO(data)).errors] == ["manifest.xml_entities"]


def test_parameter_entity_to_the_network_is_refused(kit):
    head = '<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>'
    data = package_with_manifest(kit, head + kit.manifest().split("?>", 1)[1])
    assert [e.code for e in inspect(io.BytesIO(data)).errors] == ["manifest.xml_entities"]


def test_entry_count_that_lies_in_the_end_record_is_still_refused(kit):
    report = inspect(io.BytesIO(kit.many_entries(100_000, zip64=False)))
    assert [e.code for e in report.errors] == ["package.too_many_entries"]


def test_many_small_members_that_compress_too_well_are_refused_as_a_whole(kit):
    files = {"imsmanifest.xml": kit.manifest(), "index.html": "<html/>"}
    files.update({f"pad/{i}.txt": b"\x00" * 100_000 for i in range(20)})
    report = inspect(io.BytesIO(kit.zip(files)))
    assert [e.code for e in report.errors] == ["package.ratio_exceeded"]


def test_ratio_is_not_judged_for_small_members(kit):
    data = kit.package(extra={"blank.txt": b" " * 100_000})
    assert inspect(io.BytesIO(data)).ok


def test_every_hostile_entry_is_listed(kit):
    data = with_manifest(kit, kit.Entry("../a", b"x"), kit.Entry("/b", b"x"), kit.Entry("c\\d", b"x"))
    report = inspect(io.BytesIO(data))
    assert [(e.code, e.path) for e in report.errors] == [
        ("package.path_traversal", "../a"), ("package.absolute_path", "/b"), ("package.backslash", "c\\d")]


def test_zipfile_written_symlink_bits_are_caught(kit):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("imsmanifest.xml", kit.manifest())
        zf.writestr("index.html", "<html/>")
        link = zipfile.ZipInfo("lesson")
        link.external_attr = 0o120755 << 16
        zf.writestr(link, "../../../../etc")
    assert [e.code for e in inspect(io.BytesIO(out.getvalue())).errors] == ["package.symlink"]
