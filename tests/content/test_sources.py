"""Every shipped course source parses and meets the content rules (counts, keys, citations, NFC)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from lms.content.builder import COURSES_DIR, find_course_dirs
from lms.content.source import ContentError, Course, Question, load_course, parse_question

COURSE_DIRS = find_course_dirs()
EXPECTED_CODES = {"LCD2024", "ATVSLD", "TCCD", "DTDC"}


def _all_questions(course: Course) -> list[Question]:
    return [q for lesson in course.lessons for q in lesson.questions] + list(course.questions)


@pytest.fixture(scope="module", params=COURSE_DIRS, ids=[p.name for p in COURSE_DIRS])
def course(request: pytest.FixtureRequest) -> Course:
    return load_course(request.param)


def test_the_four_issue_modules_are_shipped() -> None:
    assert {p.name for p in COURSE_DIRS} >= EXPECTED_CODES


def test_module_has_at_least_four_lessons_and_thirty_bank_questions(course: Course) -> None:
    assert len(course.lessons) >= 4
    assert len(course.questions) >= 30


def test_every_lesson_ends_with_three_to_five_practice_questions(course: Course) -> None:
    for lesson in course.lessons:
        assert 3 <= len(lesson.questions) <= 5, lesson.identifier
        assert lesson.citations, lesson.identifier
        for q in lesson.questions:
            assert q.type in {"single", "multiple", "true_false", "numeric"}
            assert q.key is not None and q.citation


def test_every_question_has_a_key_valid_for_its_type_and_a_citation(course: Course) -> None:
    for q in _all_questions(course):
        assert q.citation.strip() and q.explanation_vi.strip(), q.id
        n = len(q.choices)
        if q.type == "single":
            assert isinstance(q.key, int) and not isinstance(q.key, bool) and 0 <= q.key < n
        elif q.type == "multiple":
            assert isinstance(q.key, tuple) and q.key and all(0 <= k < n for k in q.key)
        elif q.type == "true_false":
            assert isinstance(q.key, bool) and not q.choices
        elif q.type == "numeric":
            assert isinstance(q.key, float) and q.tolerance >= 0 and not q.choices
        else:
            assert q.type == "ordering" and q.key is None and n >= 2


def test_question_ids_are_unique_across_all_modules() -> None:
    seen: dict[str, str] = {}
    for path in COURSE_DIRS:
        for q in _all_questions(load_course(path)):
            assert q.id not in seen, f"{q.id} in {path.name} and {seen.get(q.id)}"
            seen[q.id] = path.name


def test_bank_uses_every_question_type(course: Course) -> None:
    types = [q.type for q in course.questions]
    assert {"single", "multiple", "true_false", "numeric", "ordering"} <= set(types)
    assert types.count("single") + types.count("multiple") + types.count("true_false") > len(types) / 2


def test_every_source_file_is_nfc_utf8(course: Course) -> None:
    for path in sorted(course.path.rglob("*")):
        if path.suffix in {".md", ".toml"}:
            text = path.read_text(encoding="utf-8")
            assert unicodedata.normalize("NFC", text) == text, path


def test_module_metadata_is_complete(course: Course) -> None:
    assert course.topic in {"union_law", "osh", "finance", "democracy", "other"}
    assert course.title_vi and course.title_en and course.summary_vi and course.summary_en
    assert course.hours > 0 and 0 < course.pass_mark <= 100
    assert all(s.name and s.number and (s.adopted or s.effective or s.note) for s in course.legal_sources)


def test_practice_questions_become_sco_pages(course: Course) -> None:
    source = course.to_package_source()
    assert [p.identifier for p in source.lessons] == [lesson.identifier for lesson in course.lessons]
    assert source.pass_mark == course.pass_mark
    assert all("Căn cứ pháp lý" in p.html for p in source.lessons)


# -- the loader's error messages ---------------------------------------------------------------


def _question(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "XX-001", "type": "single", "text_vi": "Câu hỏi?", "choices": ["A", "B"], "key": 1,
        "explanation_vi": "Vì vậy.", "citation": "Luật X, Điều 1", "difficulty": "easy", "tags": ["t"],
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(("overrides", "field"), [
    ({"key": 2}, "question XX-001.key"),
    ({"key": True}, "question XX-001.key"),
    ({"type": "multiple", "key": [0, 0]}, "question XX-001.key"),
    ({"type": "true_false", "choices": None, "key": 1}, "question XX-001.key"),
    ({"type": "true_false", "key": True}, "question XX-001.choices"),
    ({"type": "ordering"}, "question XX-001.key"),
    ({"type": "numeric", "choices": None, "key": "5"}, "question XX-001.key"),
    ({"citation": ""}, "question XX-001.citation"),
    ({"difficulty": "trivial"}, "question XX-001.difficulty"),
    ({"text_vi": unicodedata.normalize("NFD", "Công đoàn")}, "question XX-001.text_vi"),
    ({"answer": 1}, "question XX-001"),
])
def test_bad_question_is_reported_with_file_and_field(overrides: dict[str, object], field: str) -> None:
    item = {k: v for k, v in _question(**overrides).items() if v is not None}
    with pytest.raises(ContentError) as info:
        parse_question(item, Path("x/questions.toml"))
    assert info.value.file == "x/questions.toml"
    assert info.value.field == field
    assert str(info.value).startswith(f"x/questions.toml: {field}: ")


def test_numeric_question_accepts_a_tolerance() -> None:
    q = parse_question(_question(type="numeric", choices=None, key=2, tolerance=0.5), "f.toml")
    assert q.key == 2.0 and q.tolerance == 0.5


def _copy_course(tmp_path: Path, code: str = "DTDC") -> Path:
    target = tmp_path / code
    for src in (COURSES_DIR / code).rglob("*"):
        if src.is_file():
            dest = target / src.relative_to(COURSES_DIR / code)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_bytes())
    return target


def test_lesson_with_too_few_practice_questions_is_rejected(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    lesson = sorted((root / "lessons").glob("*.md"))[0]
    _, front, body = lesson.read_text(encoding="utf-8").split("+++", 2)
    head, *questions = front.split("[[question]]")
    two = "".join("[[question]]" + q for q in questions[:2])
    lesson.write_text(f"+++{head}{two}+++{body}", encoding="utf-8")
    with pytest.raises(ContentError, match="2 practice questions; a lesson needs 3–5") as info:
        load_course(root)
    assert info.value.file == str(lesson)


def test_practice_questions_may_live_in_a_sidecar_file(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    lesson = sorted((root / "lessons").glob("*.md"))[0]
    text = lesson.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    head, _, questions = front.partition("[[question]]")
    lesson.write_text(f"+++{head}+++{body}", encoding="utf-8")
    lesson.with_name(lesson.stem + ".questions.toml").write_text("[[question]]" + questions, encoding="utf-8")
    course = load_course(root)
    assert len(course.lessons[0].questions) >= 3


def test_yaml_front_matter_is_accepted(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    lesson = sorted((root / "lessons").glob("*.md"))[0]
    text = lesson.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    head, _, questions = front.partition("[[question]]")
    lesson.write_text(f'---\ntitle: "Bài thử"\ncitations: ["Luật X, Điều 1"]\n---{body}', encoding="utf-8")
    lesson.with_name(lesson.stem + ".questions.toml").write_text("[[question]]" + questions, encoding="utf-8")
    assert load_course(root).lessons[0].title == "Bài thử"


def test_code_must_match_folder(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    module = root / "module.toml"
    module.write_text(module.read_text(encoding="utf-8").replace('code = "DTDC"', 'code = "OTHER"'),
                      encoding="utf-8")
    with pytest.raises(ContentError, match="differs from the folder name") as info:
        load_course(root)
    assert info.value.field == "code"


def test_duplicate_question_id_is_rejected(tmp_path: Path) -> None:
    root = _copy_course(tmp_path)
    bank = root / "questions.toml"
    bank.write_text(bank.read_text(encoding="utf-8").replace('id = "DEM-002"', 'id = "DEM-001"'),
                    encoding="utf-8")
    with pytest.raises(ContentError, match="used in"):
        load_course(root)
