"""scorm.package: inspecting and extracting SCORM zips."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest

from scorm.errors import PackageError
from scorm.package import Limits, Report, extract, inspect


def codes(issues: object) -> list[str]:
    return [i.code for i in issues]  # type: ignore[attr-defined]


class OneWayStream(io.RawIOBase):
    """A readable stream that cannot seek, like an upload read from a socket."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# --- the fixture exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "version", "scos"), [
    ("storyline_12_single", "1.2", ["index_lms.html"]),
    ("ispring_12_multi", "1.2", ["lesson1/res/index.html?slide=1", "lesson2/res/index.html",
                                 "quiz/res/index.html?quiz=final", "shared/glossary.html"]),
    ("captivate_2004_3rd", "2004-3rd", ["index_scorm.html?section=pretest", "index_scorm.html?section=lesson",
                                        "index_scorm.html?section=posttest"]),
    ("storyline_2004_4th_shared", "2004-4th", ["index_lms.html", "index_lms.html#part2"]),
    ("xml_base_2004", "2004-2nd", ["course/content/lesson1/index.html?lang=vi&tab=intro",
                                   "course/content/lesson2/pages/start.html?page=3#top"]),
])
def test_fixture_exports_are_valid(kit, name, version, scos):
    report = inspect(io.BytesIO(kit.fixture_zip(name)))
    assert report.ok, report.errors
    # sequencing the player does not apply yet is a warning by design (docs/sequencing.md)
    assert [w for w in report.warnings if w.code != "sequencing.not_applied"] == []
    assert report.root == ""
    summary = report.summary()
    json.dumps(summary)
    assert summary["scorm_version"] == version
    assert [s["launch_url"] for s in summary["scos"]] == scos


def test_summary_lists_organizations_with_item_trees(kit):
    summary = inspect(io.BytesIO(kit.fixture_zip("ispring_12_multi"))).summary()
    [org] = summary["organizations"]
    assert org["title"] == "Kỹ năng thương lượng tập thể"
    chapter = org["items"][0]
    assert chapter["launch_url"] is None
    assert [c["identifier"] for c in chapter["children"]] == ["sco_1", "sco_2"]
    assert org["items"][-1]["isvisible"] is False
    assert summary["scos"][-1]["scorm_type"] == "asset"
    assert summary["errors"] == [] and summary["warnings"] == []


def test_extract_writes_every_file_and_nothing_else(kit, tmp_path):
    files = kit.fixture_files("storyline_12_single")
    report = extract(io.BytesIO(kit.zip(files)), tmp_path / "pkg")
    assert report.ok
    written = {p.relative_to(tmp_path / "pkg").as_posix(): p.read_bytes()
               for p in (tmp_path / "pkg").rglob("*") if p.is_file()}
    assert written == files
    assert sorted(report.files) == sorted(files)
    assert report.total_size == sum(len(v) for v in files.values())
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_manifest_one_folder_deep_is_accepted_with_a_warning_and_the_root_stripped(kit, tmp_path):
    data = kit.fixture_zip("rise_12_subfolder")
    report = inspect(io.BytesIO(data))
    assert report.ok
    assert report.root == "Khóa học công đoàn - Rise/"
    assert codes(report.warnings) == ["package.manifest_in_subfolder"]
    assert report.summary()["scos"][0]["launch_url"] == "scormdriver/indexAPI.html"
    extract(io.BytesIO(data), tmp_path / "out")
    assert (tmp_path / "out" / "imsmanifest.xml").is_file()
    assert (tmp_path / "out" / "scormcontent" / "assets" / "ảnh bìa.png").is_file()


def test_xml_base_package_extracts_launch_files_where_the_urls_point(kit, tmp_path):
    extract(io.BytesIO(kit.fixture_zip("xml_base_2004")), tmp_path / "out")
    assert (tmp_path / "out" / "course" / "content" / "lesson1" / "index.html").is_file()
    assert (tmp_path / "out" / "course" / "shared" / "api.js").is_file()


# --- sources ----------------------------------------------------------------------------------------------


def test_inspect_accepts_a_path_a_str_and_a_non_seekable_stream(kit, tmp_path):
    path = tmp_path / "p.zip"
    path.write_bytes(kit.package())
    assert inspect(path).ok
    assert inspect(str(path)).ok
    assert inspect(io.BufferedReader(OneWayStream(kit.package()))).ok
    assert extract(io.BufferedReader(OneWayStream(kit.package())), tmp_path / "out").ok


def test_a_missing_file_is_reported_not_raised(tmp_path):
    report = inspect(tmp_path / "nope.zip")
    assert codes(report.errors) == ["package.not_a_zip"]


def test_limits_are_a_frozen_dataclass_with_the_documented_defaults():
    limits = Limits()
    assert (limits.max_entries, limits.max_total_size, limits.max_ratio, limits.max_manifest_size) == (
        10000, 2 * 1024**3, 200, 5 * 1024 * 1024)
    with pytest.raises(AttributeError):
        limits.max_entries = 1  # type: ignore[misc]


# --- report contents --------------------------------------------------------------------------------------


def test_missing_manifest(kit, tmp_path):
    data = kit.zip({"index.html": "<html/>"})
    assert codes(inspect(io.BytesIO(data)).errors) == ["package.manifest_missing"]
    with pytest.raises(PackageError) as exc:
        extract(io.BytesIO(data), tmp_path / "out")
    assert exc.value.code == "package.manifest_missing"
    assert "imsmanifest.xml" in exc.value.message_vi
    assert not (tmp_path / "out").exists()


def test_manifest_two_folders_deep_is_missing(kit):
    data = kit.zip({"a/b/imsmanifest.xml": kit.manifest(), "a/b/index.html": "x"})
    assert codes(inspect(io.BytesIO(data)).errors) == ["package.manifest_missing"]


def test_manifest_name_in_the_wrong_case_is_a_warning(kit):
    data = kit.zip({"IMSManifest.xml": kit.manifest(), "index.html": "x"})
    report = inspect(io.BytesIO(data))
    assert report.ok and codes(report.warnings) == ["package.manifest_name_case"]


def test_unknown_schema_is_an_error(kit):
    report = inspect(io.BytesIO(kit.package(version="3.0")))
    assert codes(report.errors) == ["manifest.unknown_schema"]
    assert report.manifest is None
    assert report.errors[0].path == "imsmanifest.xml"


def test_no_organization_is_an_error(kit):
    report = inspect(io.BytesIO(kit.package(items="")))
    assert "manifest.no_launchable_item" in codes(report.errors)
    manifest = kit.manifest().replace('<organization identifier="o1"><title>Khoá học thử</title>', "").replace(
        '</organization></organizations>', "</organizations>")
    manifest = manifest.replace('<item identifier="i1" identifierref="r1"><title>Bài 1</title></item>', "")
    report = inspect(io.BytesIO(kit.zip({"imsmanifest.xml": manifest, "index.html": "x"})))
    assert codes(report.errors) == ["manifest.no_organization"]


def test_item_pointing_to_a_missing_resource_is_an_error(kit):
    items = '<item identifier="i1" identifierref="r1"/><item identifier="i2" identifierref="gone"/>'
    assert codes(inspect(io.BytesIO(kit.package(items=items))).errors) == ["manifest.missing_resource"]


def test_duplicate_identifiers_are_an_error(kit):
    items = '<item identifier="r1" identifierref="r1"/>'
    assert codes(inspect(io.BytesIO(kit.package(items=items))).errors) == ["manifest.duplicate_identifier"]


def test_launch_file_absent_from_the_zip_is_an_error(kit):
    data = kit.zip({"imsmanifest.xml": kit.manifest("content/start.html")})
    report = inspect(io.BytesIO(data))
    assert codes(report.errors) == ["package.launch_missing"]
    assert report.errors[0].path == "content/start.html"
    assert "content/start.html" in report.errors[0].message_vi


def test_launch_file_with_query_and_percent_encoding_is_found(kit):
    data = kit.zip({"imsmanifest.xml": kit.manifest("my%20lesson.html?x=1"), "my lesson.html": "x"})
    assert inspect(io.BytesIO(data)).ok


def test_launch_outside_the_package_is_a_warning_when_external_and_an_error_when_missing(kit):
    report = inspect(io.BytesIO(kit.zip({"imsmanifest.xml": kit.manifest("https://cdn.example.org/a.html")})))
    assert report.ok and "package.launch_external" in codes(report.warnings)


def test_listed_files_that_are_missing_are_warnings(kit):
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">'
                 '<file href="index.html"/><file href="img/gone.png"/></resource>')
    report = inspect(io.BytesIO(kit.package(resources=resources)))
    assert report.ok and codes(report.warnings) == ["package.file_missing"]
    assert report.warnings[0].path == "img/gone.png"


def test_macos_junk_is_ignored_and_not_extracted(kit, tmp_path):
    data = kit.zip({"imsmanifest.xml": kit.manifest(), "index.html": "x", "__MACOSX/._index.html": "junk"})
    report = extract(io.BytesIO(data), tmp_path / "out")
    assert codes(report.warnings) == ["package.ignored_entries"]
    assert not (tmp_path / "out" / "__MACOSX").exists()


def test_entries_outside_the_subfolder_root_are_ignored_with_a_warning(kit, tmp_path):
    data = kit.zip({"course/imsmanifest.xml": kit.manifest(), "course/index.html": "x", "readme.txt": "hi"})
    report = extract(io.BytesIO(data), tmp_path / "out")
    assert codes(report.warnings) == ["package.manifest_in_subfolder", "package.outside_root"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["imsmanifest.xml", "index.html"]


def test_several_manifests_in_subfolders_are_ambiguous(kit):
    data = kit.zip({"a/imsmanifest.xml": kit.manifest(), "b/imsmanifest.xml": kit.manifest()})
    assert codes(inspect(io.BytesIO(data)).errors) == ["package.manifest_ambiguous"]


def test_manifest_warnings_reach_the_report(kit):
    report = inspect(io.BytesIO(kit.package(version=None)))
    assert report.ok and codes(report.warnings) == ["manifest.schemaversion_missing"]


# --- file names -------------------------------------------------------------------------------------------


def test_cp437_names_without_the_utf8_flag_are_read_as_cp437_with_a_warning(kit, tmp_path):
    raw = kit.raw([kit.Entry("imsmanifest.xml", kit.manifest().encode()),
                   kit.Entry("index.html", b"x"), kit.Entry(b"t\x82st.html", b"y")])
    report = extract(io.BytesIO(raw), tmp_path / "out")
    assert codes(report.warnings) == ["package.filename_encoding"]
    assert (tmp_path / "out" / "tést.html").read_bytes() == b"y"


def test_utf8_names_without_the_flag_are_read_as_utf8(kit):
    raw = kit.raw([kit.Entry("imsmanifest.xml", kit.manifest("bài học.html").encode()),
                   kit.Entry("bài học.html".encode(), b"x")])
    report = inspect(io.BytesIO(raw))
    assert report.ok and report.warnings == [] and report.files == ("imsmanifest.xml", "bài học.html")


def test_utf8_flag_and_unicode_path_extra_field_are_honoured(kit):
    legacy = "bai hoc.html".encode("cp437")
    field = b"\x01" + zlib.crc32(legacy).to_bytes(4, "little") + "bài học.html".encode()
    extra = (0x7075).to_bytes(2, "little") + len(field).to_bytes(2, "little") + field
    raw = kit.raw([kit.Entry("imsmanifest.xml", kit.manifest("bài học.html").encode(), flags=0x800),
                   kit.Entry(legacy, b"x", extra=extra)])
    report = inspect(io.BytesIO(raw))
    assert report.ok and "bài học.html" in report.files


def test_decomposed_unicode_names_match_composed_hrefs(kit):
    nfd = unicodedata.normalize("NFD", "Bài 1.html")
    data = kit.zip({"imsmanifest.xml": kit.manifest("Bài 1.html"), nfd: "x"})
    report = inspect(io.BytesIO(data))
    assert report.ok and "Bài 1.html" in report.files


# --- extraction -------------------------------------------------------------------------------------------


def test_extract_into_an_existing_empty_folder(kit, tmp_path):
    (tmp_path / "out").mkdir()
    extract(io.BytesIO(kit.package()), tmp_path / "out")
    assert (tmp_path / "out" / "imsmanifest.xml").is_file()


def test_extract_refuses_a_destination_that_is_not_empty(kit, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(PackageError) as exc:
        extract(io.BytesIO(kit.package()), tmp_path / "out")
    assert exc.value.code == "package.destination_exists"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_failed_extraction_leaves_nothing_behind(kit, tmp_path):
    good = kit.package(extra={"a.txt": "a" * 1000})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        bad = zipfile.ZipInfo("z_last.txt")
        dst.writestr(bad, b"payload")
    data = bytearray(out.getvalue())
    at = data.find(b"payload")
    data[at] ^= 0xFF
    with pytest.raises(PackageError) as exc:
        extract(io.BytesIO(bytes(data)), tmp_path / "out")
    assert exc.value.code == "package.corrupt"
    assert list(tmp_path.iterdir()) == []


def test_extract_returns_the_same_report_as_inspect(kit, tmp_path):
    data = kit.fixture_zip("captivate_2004_3rd")
    assert extract(io.BytesIO(data), tmp_path / "out") == inspect(io.BytesIO(data))


def test_report_of_a_refused_package_has_no_manifest(kit):
    report = inspect(io.BytesIO(b"not a zip at all"))
    assert isinstance(report, Report) and not report.ok and report.manifest is None
    assert report.summary()["scorm_version"] is None


def test_extract_with_custom_limits(kit, tmp_path):
    data = kit.package(extra={"video.mp4": bytes(range(256)) * 64})
    with pytest.raises(PackageError) as exc:
        extract(io.BytesIO(data), tmp_path / "out", Limits(max_total_size=4096))
    assert exc.value.code == "package.too_large"
    assert extract(io.BytesIO(data), Path(tmp_path / "ok")).ok


# --- documentation ----------------------------------------------------------------------------------------

RAISED_ONLY = ["manifest.xml_entities", "manifest.xml_external", "manifest.xml_invalid", "manifest.not_a_manifest",
               "manifest.unknown_schema", "manifest.not_launchable"]


def test_every_code_and_message_is_documented():
    from scorm import launch, manifest, package

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scorm-packages.md").read_text(encoding="utf-8")
    for code, (vi, en) in {**manifest.MESSAGES, **package.MESSAGES, **launch.MESSAGES}.items():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{code}` |")), "")
        assert vi.replace("|", "\\|") in row and en.replace("|", "\\|") in row, code
    for code in RAISED_ONLY:
        assert f"| `{code}` |" in doc, code


@pytest.mark.parametrize("href", ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "java&#x09;script:alert(1)", "java&#x0A;script:alert(1)",
                                  " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                  "vbscript:msgbox(1)", "file:///etc/passwd", "/index.html", "../index.html",
                                  "a/../../index.html", "http:index.html"])
def test_launch_urls_that_are_not_package_paths_or_http_are_errors(kit, href):
    """SCORM CAM 2004 4th ed. 3.4.1.4: a launch href names a package file or a URL; a browser runs
    ``javascript:``/``data:`` as code and ``/``, ``../`` leave the package, so they are refused."""
    report = inspect(io.BytesIO(kit.zip({"imsmanifest.xml": kit.manifest(href.replace("<", "&lt;")),
                                         "index.html": "<html/>"})))
    assert "package.launch_refused" in codes(report.errors)
    assert not report.ok


@pytest.mark.parametrize("href", ["https://cdn.example.org/a.html", "http://example.org/a.html", "//cdn.example.org/a"])
def test_http_launch_urls_are_accepted_with_a_warning(kit, href):
    """An external http(s) launch (or scheme-relative ``//host``) is a warning: learners offline cannot open it."""
    report = inspect(io.BytesIO(kit.zip({"imsmanifest.xml": kit.manifest(href)})))
    assert report.ok and "package.launch_external" in codes(report.warnings)


def test_scripts_loaded_from_other_hosts_are_listed_in_a_warning(kit):
    """<script src> pointing at other hosts: one warning naming the hosts; local scripts are not listed."""
    page = ('<html><script src="https://cdn.example.org/jquery.js"></script>'
            "<SCRIPT type='text/javascript' src='//fonts.example.net/x.js'></SCRIPT>"
            '<script src="js/local.js"></script><a href="https://not-a-script.example/">x</a></html>')
    report = inspect(io.BytesIO(kit.package("index.html", extra={"index.html": page, "js/local.js": ""})))
    assert report.ok
    [warning] = [w for w in report.warnings if w.code == "package.external_scripts"]
    assert "cdn.example.org, fonts.example.net" in warning.message_vi
    assert "không có Internet" in warning.message_vi
    assert "not-a-script" not in warning.message_vi
    clean = inspect(io.BytesIO(kit.package("index.html", extra={"js/local.js": ""})))
    assert "package.external_scripts" not in codes(clean.warnings)
