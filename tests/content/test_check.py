"""`lms content check`: shipped content cites only texts in force and current bases (issue 23)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.content.builder import COURSES_DIR, REGISTRY_NAME, find_course_dirs
from lms.content.check import check_course, cited_items, summary
from lms.content.cli import check_command
from lms.content.registry import load_registry
from lms.content.source import load_course

REGISTRY = COURSES_DIR / REGISTRY_NAME
TODAY = dt.date(2026, 12, 4)


def _copy_course(tmp_path: Path, code: str = "TCCD") -> Path:
    """A copy of a shipped module under tmp_path/course_packages/ (the shipped registry applies)."""
    target = tmp_path / "course_packages" / code
    for src in (COURSES_DIR / code).rglob("*"):
        if src.is_file():
            dest = target / src.relative_to(COURSES_DIR / code)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes())
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _cite_decree_12_2022(root: Path) -> None:
    """Make the fixture's penalty question TC-P04-3 rest on Decree 12/2022 again (as before the fix)."""
    _replace(root / "lessons" / "04-cong-khai-kiem-toan-va-xu-phat.md",
             'sources = ["nd_283_2026:Điều 42 khoản 1", "nd_283_2026:Điều 7"]',
             'sources = ["nd_12_2022:Điều 38", "nd_12_2022:Điều 6"]')


def test_shipped_content_passes_today() -> None:
    """Every shipped lesson and question cites registered texts in force on 04/12/2026 and current bases."""
    registry = load_registry(REGISTRY)
    for folder in find_course_dirs():
        assert check_course(load_course(folder), registry, TODAY) == [], folder.name


def test_every_shipped_lesson_and_question_names_its_sources() -> None:
    for folder in find_course_dirs():
        items = cited_items(load_course(folder))
        assert all(item.sources for item in items), [i.ident for i in items if not i.sources]


def test_cli_passes_on_shipped_content() -> None:
    result = CliRunner().invoke(check_command, ["--as-of", "2026-12-04"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Đạt: 4 học phần")


def test_cli_fails_on_a_fixture_citing_decree_12_2022_after_10_09_2026(tmp_path: Path) -> None:
    """Decree 12/2022/NĐ-CP was replaced by Decree 283/2026/NĐ-CP from 10/09/2026 (DOMAIN.md §4)."""
    root = _copy_course(tmp_path)
    _cite_decree_12_2022(root)
    result = CliRunner().invoke(check_command, [str(root), "--as-of", "2026-09-10"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("CẦN XEM LẠI")]
    assert len(lines) == 2
    assert lines[0].startswith("CẦN XEM LẠI [superseded] TCCD câu hỏi TC-P04-3: dẫn 12/2022/NĐ-CP (Điều 38), "
                               "hết hiệu lực từ 10/09/2026, thay bằng 283/2026/NĐ-CP")
    before = CliRunner().invoke(check_command, [str(root), "--as-of", "2026-09-09"])
    lines = [line for line in before.output.splitlines() if line.startswith("CẦN XEM LẠI")]
    assert all("283/2026" in line and "chưa có hiệu lực" in line for line in lines)


def test_an_amount_from_an_old_base_salary_is_flagged(tmp_path: Path) -> None:
    """The 10 % dues cap computed from 2,340,000 đ is stale once Decree 161/2026 sets 2,530,000 đ (01/07/2026)."""
    root = _copy_course(tmp_path)
    _replace(root / "lessons" / "03-doan-phi-va-phan-cap.md",
             'value = 2530000, as_of = 2026-07-01}\ndifficulty = "hard"',
             'value = 2340000, as_of = 2024-07-01}\ndifficulty = "hard"')
    findings = check_course(load_course(root), load_registry(REGISTRY), TODAY)
    assert [(f.code, f.item.ident) for f in findings] == [("base_changed", "TC-P03-2")]
    assert "nay là 2.530.000 đ từ 01/07/2026 (161/2026/NĐ-CP)" in findings[0].message_vi
    assert check_course(load_course(root), load_registry(REGISTRY), dt.date(2026, 6, 30)) != []


def test_a_question_without_source_or_with_an_unknown_id_is_flagged(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    _replace(root / "questions.toml", 'sources = ["nd_105_2026"]\nmentions', 'mentions')
    _replace(root / "questions.toml", 'sources = ["luat_cd_2024:Điều 34"]', 'sources = ["nd_999_2030:Điều 1"]')
    findings = check_course(load_course(root), load_registry(REGISTRY), TODAY)
    assert summary(findings) == [("no_source", "question", 1), ("unknown_source", "question", 1)]
    result = CliRunner().invoke(check_command, [str(root)])
    assert result.exit_code == 1
    assert "CẦN XEM LẠI [no_source] TCCD câu hỏi FIN-013: chưa ghi văn bản, điều khoản làm căn cứ" in result.output


def test_mentions_may_name_a_superseded_text(tmp_path: Path) -> None:
    """A repealed decree named for history (mentions) is fine; resting on it (sources) is not."""
    registry = load_registry(REGISTRY)
    course = load_course(COURSES_DIR / "TCCD")
    assert any(ref.id == "nd_12_2022" for q in course.questions for ref in q.mentions)
    assert check_course(course, registry, TODAY) == []


def test_check_needs_no_database(tmp_path: Path) -> None:
    """`lms content check` runs in a fresh folder with no database and creates none (pure file reading)."""
    env = {**os.environ, "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}", "LMS_INSTANCE_PATH": str(tmp_path)}
    lms = Path(sys.executable).with_name("lms")
    done = subprocess.run([str(lms), "content", "check"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Đạt: 4 học phần" in done.stdout
    assert not (tmp_path / "never.sqlite3").exists()


@pytest.mark.parametrize("bad", ['kind = "law"\nnumber = ""', 'kind = "statute"\nnumber = "1/2020/QH14"'])
def test_a_malformed_registry_is_refused(tmp_path: Path, bad: str) -> None:
    registry = tmp_path / "legal_sources.toml"
    registry.write_text(f'[source.x]\n{bad}\ntitle = "X"\n', encoding="utf-8")
    result = CliRunner().invoke(check_command, [str(COURSES_DIR / "DTDC"), "--registry", str(registry)])
    assert result.exit_code == 1
    assert "source.x" in result.output


def test_package_metadata_gives_the_same_findings_as_the_source(tmp_path: Path) -> None:
    """The lecturer's page (package metadata) and `lms content check` (source) report the same items."""
    import json

    from lms.content.check import package_metadata
    from lms.content.metadata import read_metadata

    root = _copy_course(tmp_path)
    _cite_decree_12_2022(root)
    registry = load_registry(REGISTRY)
    course = load_course(root)
    raw = json.dumps(package_metadata(course, registry)).encode()
    legal = read_metadata(raw, registry, TODAY)
    assert legal is not None and legal.reviewed == dt.date(2026, 12, 4)
    assert [(f.code, f.item.ident) for f in legal.findings] == [
        (f.code, f.item.ident) for f in check_course(course, registry, TODAY)]
    assert [t.number for t in legal.texts][:2] == ["50/2024/QH15", "97/2025/QH15"]


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[]", b'{"format": 1}', b'{"format": 2, "items": []}',
                                 b'{"format": 1, "texts": {}, "bases": {}, "module_sources": [], "items": [{"kind": 1}]}',
                                 b" " * (3 * 1024 * 1024)])
def test_malformed_package_metadata_shows_nothing(raw: bytes) -> None:
    """An uploaded package's legal-sources.json is untrusted: anything malformed is ignored, never an error."""
    from lms.content.metadata import read_metadata

    assert read_metadata(raw, load_registry(REGISTRY), TODAY) is None
