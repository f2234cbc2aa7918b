"""Building every shipped module as SCORM 1.2 and 2004 4th edition gives conformant, reproducible zips."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from lms.content.builder import build_course, find_course_dirs
from lms.content.cli import build_command
from lms.content.source import load_course
from scorm.build import PackageSource, PracticeLesson, PracticeQuestion, build_package
from scorm.package import inspect

COURSE_DIRS = find_course_dirs()
NS12 = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
NS2004 = {
    "cp": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("packages")
    return {p.name: build_course(p, out) for p in COURSE_DIRS}


def _manifest(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("imsmanifest.xml"))


def _listed_files(root: etree._Element, ns: dict[str, str]) -> list[str]:
    return [f.get("href") for f in root.iterfind(".//cp:resource/cp:file", ns)]


@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_build_writes_both_versions_and_the_bank(built: dict[str, list[Path]], code: str) -> None:
    names = [p.name for p in built[code]]
    assert names == [f"{code}-scorm12.zip", f"{code}-scorm2004.zip", f"{code}-questions.toml"]
    assert built[code][2].read_bytes() == load_course(_dir(code)).bank_file.read_bytes()


def _dir(code: str) -> Path:
    return next(p for p in COURSE_DIRS if p.name == code)


@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_scorm12_manifest_structure(built: dict[str, list[Path]], code: str) -> None:
    root = _manifest(built[code][0])
    assert root.tag == f"{{{NS12['cp']}}}manifest"
    assert root.findtext("cp:metadata/cp:schema", namespaces=NS12) == "ADL SCORM"
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS12) == "1.2"
    org = root.find("cp:organizations/cp:organization", NS12)
    assert org is not None and root.find("cp:organizations", NS12).get("default") == org.get("identifier")
    item = org.find("cp:item", NS12)
    assert item.findtext("adlcp:masteryscore", namespaces=NS12) == "80"
    sco = root.find(f"cp:resources/cp:resource[@identifier='{item.get('identifierref')}']", NS12)
    assert sco.get(f"{{{NS12['adlcp']}}}scormtype") == "sco" and sco.get("href") == "index.html"
    dep = sco.find("cp:dependency", NS12).get("identifierref")
    shared = root.find(f"cp:resources/cp:resource[@identifier='{dep}']", NS12)
    assert shared.get(f"{{{NS12['adlcp']}}}scormtype") == "asset"
    assert sorted(f.get("href") for f in shared.iterfind("cp:file", NS12)) == ["shared/sco-runtime.js",
                                                                              "shared/sco.css"]


@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_scorm2004_manifest_structure(built: dict[str, list[Path]], code: str) -> None:
    root = _manifest(built[code][1])
    assert root.tag == f"{{{NS2004['cp']}}}manifest"
    assert set(NS2004.values()) <= set(root.nsmap.values())
    assert root.findtext("cp:metadata/cp:schemaversion", namespaces=NS2004) == "2004 4th Edition"
    org = root.find("cp:organizations/cp:organization", NS2004)
    control = org.find("imsss:sequencing/imsss:controlMode", NS2004)
    assert control.get("flow") == "true" and control.get("choice") == "true"
    item = org.find("cp:item", NS2004)
    sco = root.find(f"cp:resources/cp:resource[@identifier='{item.get('identifierref')}']", NS2004)
    assert sco.get(f"{{{NS2004['adlcp']}}}scormType") == "sco"
    dep = root.find(f"cp:resources/cp:resource[@identifier='{sco.find('cp:dependency', NS2004).get('identifierref')}']",
                    NS2004)
    assert dep.get(f"{{{NS2004['adlcp']}}}scormType") == "asset"


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_every_file_is_listed_once_and_present(built: dict[str, list[Path]], code: str, version: int) -> None:
    path = built[code][version]
    root = _manifest(path)
    listed = _listed_files(root, NS12 if version == 0 else NS2004)
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n != "imsmanifest.xml"]
        assert zf.testzip() is None
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(names)


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_built_packages_pass_the_package_inspector(built: dict[str, list[Path]], code: str, version: int) -> None:
    report = inspect(built[code][version])
    assert report.errors == []
    assert report.warnings == []
    assert report.manifest is not None
    assert report.manifest.scorm_version == ("1.2" if version == 0 else "2004-4th")


@pytest.mark.parametrize("code", [p.name for p in COURSE_DIRS])
def test_launch_page_holds_every_lesson_and_practice_question(built: dict[str, list[Path]], code: str) -> None:
    course = load_course(_dir(code))
    with zipfile.ZipFile(built[code][1]) as zf:
        page = zf.read("index.html").decode("utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count('class="page"') == len(course.lessons)
    data = json.loads(re.search(r'<script type="application/json" id="sco-data">(.*?)</script>', page, re.S)[1])
    assert data["passMark"] == course.pass_mark
    assert [len(p["questions"]) for p in data["pages"]] == [len(les.questions) for les in course.lessons]
    for lesson in course.lessons:
        for q in lesson.questions:
            assert f'data-qid="{q.id}"' in page
    assert "Thoát / Exit" in page


def test_builds_are_reproducible(tmp_path: Path) -> None:
    first = build_course(COURSE_DIRS[0], tmp_path / "a")
    second = build_course(COURSE_DIRS[0], tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    with zipfile.ZipFile(first[0]) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def _tiny(**overrides: object) -> PackageSource:
    question = PracticeQuestion(id="Q-1", type="single", text="?", choices=("a", "b"), key=0)
    values: dict[str, object] = {"identifier": "TINY", "title": "T",
                                 "lessons": (PracticeLesson("L1", "Bài", "<p>x</p>", (question,)),)}
    values.update(overrides)
    return PackageSource(**values)  # type: ignore[arg-type]


def test_builder_rejects_ordering_practice_questions(tmp_path: Path) -> None:
    bad = PracticeQuestion(id="Q-2", type="ordering", text="?", choices=("a", "b"))  # type: ignore[arg-type]
    source = _tiny(lessons=(PracticeLesson("L1", "Bài", "<p>x</p>", (bad,)),))
    with pytest.raises(ValueError, match="cannot be shown in the SCO"):
        build_package(source, "1.2", tmp_path / "x.zip")


@pytest.mark.parametrize("path", ["../evil.png", "/abs.png", "shared/sco-runtime.js", "index.html", "a/./b.png"])
def test_builder_rejects_asset_paths_that_escape_or_clash(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="asset path"):
        build_package(_tiny(assets={path: b"x"}), "2004-4th", tmp_path / "x.zip")


def test_assets_are_packaged_and_listed(tmp_path: Path) -> None:
    out = build_package(_tiny(assets={"assets/img/a.png": b"png"}), "2004-4th", tmp_path / "x.zip")
    assert "assets/img/a.png" in _listed_files(_manifest(out), NS2004)
    assert inspect(out).errors == []


def test_without_pass_mark_no_masteryscore(tmp_path: Path) -> None:
    out = build_package(_tiny(), "1.2", tmp_path / "x.zip")
    assert _manifest(out).find(".//adlcp:masteryscore", NS12) is None


def test_unknown_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown SCORM version"):
        build_package(_tiny(), "2004-3rd", tmp_path / "x.zip")  # type: ignore[arg-type]


def test_cli_builds_one_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_command, ["DTDC", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DTDC-questions.toml", "DTDC-scorm12.zip",
                                                          "DTDC-scorm2004.zip"]


def test_cli_reports_unknown_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_command, ["NOPE", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "no course source 'NOPE'" in result.output


def test_built_packages_carry_the_legal_corrections(built: dict[str, list[Path]]) -> None:
    """Issue 23: the TCCD package teaches Decree 283/2026 and the 253,000 đ cap, and carries its citations."""
    with zipfile.ZipFile(built["TCCD"][1]) as zf:
        page = zf.read("index.html").decode("utf-8")
        meta = json.loads(zf.read("legal-sources.json"))
    assert "Nghị định 283/2026/NĐ-CP" in page and "253.000 đồng/tháng" in page
    assert "Nghị định 12/2022/NĐ-CP, Điều 38" not in page
    assert "nd_283_2026:Điều 42 khoản 1" in next(i for i in meta["items"] if i["id"] == "TC-P04-3")["sources"]
    assert meta["texts"]["nd_283_2026"]["in_force"] == "2026-09-10"
    assert meta["bases"]["luong_co_so"]["values"][-1] == {"value": 2530000.0, "from": "2026-07-01",
                                                           "source": "nd_161_2026"}
    assert meta["version"] == "2" and meta["reviewed"] == "2026-12-04"
    with zipfile.ZipFile(built["DTDC"][1]) as zf:
        assert "trừ trường hợp các bên có thỏa thuận khác" in zf.read("index.html").decode("utf-8")
    with zipfile.ZipFile(built["ATVSLD"][1]) as zf:
        assert "Nhóm 4 được huấn luyện lại hằng năm" not in zf.read("index.html").decode("utf-8")
    bank = built["TCCD"][2].read_text(encoding="utf-8")
    assert 'sources = ["nd_283_2026:Điều 42", "nd_283_2026:Điều 7"]' in bank
