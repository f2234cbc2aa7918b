"""Read and validate a course source folder (``course_packages/<code>/``).

Layout::

    module.toml                 code, titles, summaries, topic, hours, pass_mark, [[legal_source]]
    lessons/NN-slug.md          +++ TOML front matter +++ (or --- YAML ---), then Markdown
    lessons/NN-slug.questions.toml   optional: the lesson's [[question]] practice items
    questions.toml              [[question]] — the server-graded assessment bank
    assets/…                    optional files copied into the SCORM package

Every problem is reported as a :class:`ContentError` naming the file and the field.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import yaml

from scorm.build import PackageSource, PracticeLesson, PracticeQuestion

TOPICS = frozenset({"union_law", "osh", "finance", "democracy", "other"})
QUESTION_TYPES = frozenset({"single", "multiple", "true_false", "numeric", "ordering"})
PRACTICE_TYPES = frozenset({"single", "multiple", "true_false", "numeric"})
DIFFICULTIES = frozenset({"easy", "medium", "hard"})
MIN_PRACTICE, MAX_PRACTICE = 3, 5

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
_QUESTION_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContentError(ValueError):
    """A course source is malformed; the message names the file and the field."""

    def __init__(self, file: Path | str, field_name: str, problem: str) -> None:
        super().__init__(f"{file}: {field_name}: {problem}")
        self.file = str(file)
        self.field = field_name
        self.problem = problem


@dataclass(frozen=True)
class Question:
    """One question, in the format shared by lesson practice and the assessment bank."""

    id: str
    type: str
    text_vi: str
    choices: tuple[str, ...]
    #: single: int; multiple: tuple[int, ...]; true_false: bool; numeric: float; ordering: None
    key: int | bool | float | tuple[int, ...] | None
    explanation_vi: str
    citation: str
    difficulty: str
    tags: tuple[str, ...]
    text_en: str | None = None
    tolerance: float = 0.0


@dataclass(frozen=True)
class LegalSource:
    """A legal text the module cites, with its number and dates."""

    name: str
    number: str
    #: date of adoption or signature (YYYY-MM-DD); empty when not verified
    adopted: str
    #: date of entry into force (YYYY-MM-DD); empty when not verified
    effective: str
    note: str = ""


@dataclass(frozen=True)
class Lesson:
    """A lesson page: Markdown body plus its practice questions."""

    number: int
    slug: str
    title: str
    body_md: str
    citations: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def identifier(self) -> str:
        """The lesson's stable identifier inside its module, e.g. ``"L01-quyen-cong-doan"``."""
        return f"L{self.number:02d}-{self.slug}"


@dataclass(frozen=True)
class Course:
    """A validated course source."""

    path: Path
    code: str
    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    topic: str
    hours: float
    pass_mark: float
    legal_sources: tuple[LegalSource, ...]
    lessons: tuple[Lesson, ...]
    #: the server-graded assessment bank (questions.toml)
    questions: tuple[Question, ...]
    assets: dict[str, bytes] = field(default_factory=dict)

    @property
    def bank_file(self) -> Path:
        """Path of the assessment bank file."""
        return self.path / "questions.toml"

    def to_package_source(self) -> PackageSource:
        """The module as a format-independent :class:`scorm.build.PackageSource`."""
        return PackageSource(
            identifier=self.code,
            title=self.title_vi,
            lessons=tuple(_practice_lesson(lesson) for lesson in self.lessons),
            assets=dict(self.assets),
            language="vi",
            pass_mark=self.pass_mark,
            description=self.summary_vi,
        )


# -- loading ------------------------------------------------------------------------------------


def load_course(path: Path | str) -> Course:
    """Parse and validate the course source folder at ``path``."""
    root = Path(path)
    module_file = root / "module.toml"
    if not module_file.is_file():
        raise ContentError(module_file, "-", "file is missing")
    meta = _read_toml(module_file)
    lessons = _load_lessons(root / "lessons")
    bank = tuple(_questions(_read_toml(root / "questions.toml"), root / "questions.toml"))
    course = Course(
        path=root,
        code=_code(meta, module_file, root),
        title_vi=_text(meta, "title_vi", module_file),
        title_en=_text(meta, "title_en", module_file),
        summary_vi=_text(meta, "summary_vi", module_file),
        summary_en=_text(meta, "summary_en", module_file),
        topic=_choice(meta, "topic", TOPICS, module_file),
        hours=_number(meta, "hours", module_file, minimum=0.5),
        pass_mark=_number(meta, "pass_mark", module_file, minimum=1, maximum=100),
        legal_sources=_legal_sources(meta, module_file),
        lessons=lessons,
        questions=bank,
        assets=_load_assets(root / "assets"),
    )
    _check_unique_ids(course)
    return course


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file or fail naming it."""
    if not path.is_file():
        raise ContentError(path, "-", "file is missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(path, "-", f"not valid UTF-8 TOML: {exc}") from exc


def _code(meta: dict[str, Any], file: Path, root: Path) -> str:
    """The module code, which must match the folder name."""
    code = _text(meta, "code", file)
    if not _CODE.match(code):
        raise ContentError(file, "code", f"{code!r} must be 2–20 capital letters or digits")
    if code != root.name:
        raise ContentError(file, "code", f"{code!r} differs from the folder name {root.name!r}")
    return code


def _legal_sources(meta: dict[str, Any], file: Path) -> tuple[LegalSource, ...]:
    """The ``[[legal_source]]`` tables (name, number, adopted, effective, optional note)."""
    items = meta.get("legal_source")
    if not isinstance(items, list) or not items:
        raise ContentError(file, "legal_source", "at least one [[legal_source]] is required")
    out = []
    for i, item in enumerate(items):
        where = f"legal_source[{i}]"
        if not isinstance(item, dict):
            raise ContentError(file, where, "must be a table")
        for key in ("adopted", "effective"):
            if key in item and not _DATE.match(str(item[key])):
                raise ContentError(file, f"{where}.{key}", "must be a date written YYYY-MM-DD")
        out.append(LegalSource(
            name=_text(item, "name", file, where), number=_text(item, "number", file, where),
            adopted=str(item.get("adopted", "")), effective=str(item.get("effective", "")),
            note=_optional_text(item, "note", file, where) or "",
        ))
    return tuple(out)


def _load_lessons(folder: Path) -> tuple[Lesson, ...]:
    """All ``lessons/NN-slug.md`` files in order; numbers must run 01, 02, …"""
    if not folder.is_dir():
        raise ContentError(folder, "-", "the lessons folder is missing")
    files = sorted(p for p in folder.iterdir() if p.suffix == ".md")
    lessons = tuple(_load_lesson(p) for p in files)
    if not lessons:
        raise ContentError(folder, "-", "no lesson files (NN-slug.md)")
    for expected, lesson in enumerate(lessons, start=1):
        if lesson.number != expected:
            raise ContentError(folder, "-", f"lesson {lesson.number:02d} found where {expected:02d} was expected")
    return lessons


def _load_lesson(path: Path) -> Lesson:
    """One lesson file, with practice questions inline or in the sibling .questions.toml."""
    match = _LESSON_FILE.match(path.name)
    if not match:
        raise ContentError(path, "-", "lesson files are named NN-slug.md (lowercase ASCII slug)")
    front, body = _split_front_matter(path)
    _check_nfc(body, path, "body")
    sidecar = path.with_name(path.stem + ".questions.toml")
    if "question" in front and sidecar.exists():
        raise ContentError(path, "question", f"practice questions are both inline and in {sidecar.name}")
    qfile = sidecar if sidecar.exists() else path
    qdata = _read_toml(sidecar) if sidecar.exists() else front
    questions = tuple(_questions(qdata, qfile))
    if not MIN_PRACTICE <= len(questions) <= MAX_PRACTICE:
        raise ContentError(qfile, "question", f"{len(questions)} practice questions; a lesson needs 3–5")
    for q in questions:
        if q.type not in PRACTICE_TYPES:
            raise ContentError(qfile, f"question {q.id}.type", f"{q.type!r} cannot be used for practice")
    citations = front.get("citations", [])
    if not isinstance(citations, list) or not citations or not all(isinstance(c, str) and c for c in citations):
        raise ContentError(path, "citations", "a non-empty list of strings is required")
    for c in citations:
        _check_nfc(c, path, "citations")
    return Lesson(
        number=int(match.group(1)), slug=match.group(2), title=_text(front, "title", path),
        body_md=body.strip() + "\n", citations=tuple(citations), questions=questions,
    )


def _split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split ``+++ toml +++`` or ``--- yaml ---`` front matter from the Markdown body."""
    text = path.read_text(encoding="utf-8")
    for fence, parse in (("+++", tomllib.loads), ("---", yaml.safe_load)):
        if text.startswith(fence + "\n"):
            end = text.find("\n" + fence + "\n", len(fence))
            if end < 0:
                raise ContentError(path, "front matter", f"no closing {fence} line")
            try:
                front = parse(text[len(fence) + 1:end + 1]) or {}
            except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
                raise ContentError(path, "front matter", str(exc)) from exc
            if not isinstance(front, dict):
                raise ContentError(path, "front matter", "must be a table/mapping")
            return front, text[end + len(fence) + 2:]
    raise ContentError(path, "front matter", "the file must start with +++ (TOML) or --- (YAML)")


def _load_assets(folder: Path) -> dict[str, bytes]:
    """Files under ``assets/``, keyed by their package path ``assets/…``."""
    if not folder.is_dir():
        return {}
    return {
        "assets/" + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- questions ----------------------------------------------------------------------------------


def _questions(data: dict[str, Any], file: Path) -> list[Question]:
    """The ``[[question]]`` array of a TOML document."""
    items = data.get("question", [])
    if not isinstance(items, list):
        raise ContentError(file, "question", "must be an array of tables ([[question]])")
    return [parse_question(item, file, i) for i, item in enumerate(items)]


def parse_question(item: Any, file: Path | str, index: int = 0) -> Question:
    """Validate one question table and return it; errors name the file and the question."""
    if not isinstance(item, dict):
        raise ContentError(file, f"question[{index}]", "must be a table")
    qid = _text(item, "id", file, f"question[{index}]")
    where = f"question {qid}"
    if not _QUESTION_ID.match(qid):
        raise ContentError(file, f"{where}.id", "ids look like 'UL-001' (capitals, digits, hyphens)")
    known = {"id", "type", "text_vi", "text_en", "choices", "key", "tolerance", "explanation_vi", "citation",
             "difficulty", "tags"}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ContentError(file, f"{where}", f"unknown field(s) {', '.join(unknown)}")
    qtype = _choice(item, "type", QUESTION_TYPES, file, where)
    choices = _choices(item, qtype, file, where)
    key, tolerance = _key(item, qtype, len(choices), file, where)
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise ContentError(file, f"{where}.tags", "must be a list of non-empty strings")
    return Question(
        id=qid, type=qtype, text_vi=_text(item, "text_vi", file, where), choices=choices, key=key,
        explanation_vi=_text(item, "explanation_vi", file, where), citation=_text(item, "citation", file, where),
        difficulty=_choice(item, "difficulty", DIFFICULTIES, file, where), tags=tuple(tags),
        text_en=_optional_text(item, "text_en", file, where), tolerance=tolerance,
    )


def _choices(item: dict[str, Any], qtype: str, file: Path | str, where: str) -> tuple[str, ...]:
    """The choices list: required for single/multiple/ordering, forbidden otherwise."""
    choices = item.get("choices")
    if qtype in ("true_false", "numeric"):
        if choices is not None:
            raise ContentError(file, f"{where}.choices", f"a {qtype} question has no choices")
        return ()
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ContentError(file, f"{where}.choices", "a list of at least 2 non-empty strings is required")
    if len(set(choices)) != len(choices):
        raise ContentError(file, f"{where}.choices", "choices must differ from each other")
    for c in choices:
        _check_nfc(c, file, f"{where}.choices")
    return tuple(choices)


def _key(item: dict[str, Any], qtype: str, n: int, file: Path | str, where: str) -> tuple[Any, float]:
    """Validate ``key`` (and ``tolerance``) for the question type."""
    key = item.get("key")
    field_name = f"{where}.key"
    if "tolerance" in item and qtype != "numeric":
        raise ContentError(file, f"{where}.tolerance", "only numeric questions have a tolerance")
    if qtype == "ordering":
        if key is not None:
            raise ContentError(file, field_name, "ordering questions have no key: list choices in the right order")
        return None, 0.0
    if qtype == "single":
        if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key < n:
            raise ContentError(file, field_name, f"must be a choice index 0–{n - 1}")
        return key, 0.0
    if qtype == "multiple":
        ok = isinstance(key, list) and key and all(isinstance(k, int) and not isinstance(k, bool) for k in key)
        if not ok or len(set(key)) != len(key) or not all(0 <= k < n for k in key):
            raise ContentError(file, field_name, f"must be a non-empty list of distinct indexes 0–{n - 1}")
        return tuple(sorted(key)), 0.0
    if qtype == "true_false":
        if not isinstance(key, bool):
            raise ContentError(file, field_name, "must be true or false")
        return key, 0.0
    if not isinstance(key, int | float) or isinstance(key, bool):
        raise ContentError(file, field_name, "must be a number")
    tolerance = item.get("tolerance", 0)
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise ContentError(file, f"{where}.tolerance", "must be a number ≥ 0")
    return float(key), float(tolerance)


# -- small validators ---------------------------------------------------------------------------


def _text(data: dict[str, Any], key: str, file: Path | str, where: str = "") -> str:
    """A required non-empty NFC string."""
    name = f"{where}.{key}" if where else key
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(file, name, "a non-empty string is required")
    _check_nfc(value, file, name)
    return value.strip()


def _optional_text(data: dict[str, Any], key: str, file: Path | str, where: str) -> str | None:
    """An optional string; when present it must be non-empty NFC."""
    return _text(data, key, file, where) if key in data else None


def _choice(data: dict[str, Any], key: str, allowed: frozenset[str], file: Path | str, where: str = "") -> str:
    """A string from a fixed vocabulary."""
    value = data.get(key)
    if value not in allowed:
        name = f"{where}.{key}" if where else key
        raise ContentError(file, name, f"{value!r} is not one of {', '.join(sorted(allowed))}")
    return str(value)


def _number(data: dict[str, Any], key: str, file: Path, *, minimum: float, maximum: float | None = None) -> float:
    """A number within bounds."""
    value = data.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < minimum or (
            maximum is not None and value > maximum):
        bound = f"{minimum}–{maximum}" if maximum is not None else f"≥ {minimum}"
        raise ContentError(file, key, f"must be a number {bound}")
    return float(value)


def _check_nfc(text: str, file: Path | str, name: str) -> None:
    """Vietnamese text is stored NFC (precomposed); decomposed text breaks search and sorting."""
    if unicodedata.normalize("NFC", text) != text:
        raise ContentError(file, name, "text is not NFC-normalised Unicode")


def _check_unique_ids(course: Course) -> None:
    """Question ids are unique across the module's practice items and bank."""
    seen: dict[str, str] = {}
    items = [(q, f"lesson {les.identifier}") for les in course.lessons for q in les.questions]
    items += [(q, "questions.toml") for q in course.questions]
    for q, where in items:
        if q.id in seen:
            raise ContentError(course.path, f"question {q.id}.id", f"used in {seen[q.id]} and {where}")
        seen[q.id] = where


# -- conversion ---------------------------------------------------------------------------------


def render_markdown(text: str) -> str:
    """Render lesson Markdown to HTML (tables and sane lists enabled)."""
    return markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")


def _practice_lesson(lesson: Lesson) -> PracticeLesson:
    """A lesson as a SCO page: body, its legal basis, its practice questions."""
    basis = "".join(f"<li>{_escape(c)}</li>" for c in lesson.citations)
    body = render_markdown(lesson.body_md) + f'<aside class="basis"><h3>Căn cứ pháp lý</h3><ul>{basis}</ul></aside>'
    return PracticeLesson(
        identifier=lesson.identifier, title=lesson.title, html=body,
        questions=tuple(_practice_question(q) for q in lesson.questions),
    )


def _practice_question(q: Question) -> PracticeQuestion:
    """A bank-format question as a SCO practice question."""
    assert q.key is not None
    return PracticeQuestion(
        id=q.id, type=q.type,  # type: ignore[arg-type]
        text=q.text_vi, choices=q.choices, key=q.key, tolerance=q.tolerance,
        explanation=q.explanation_vi, citation=q.citation,
    )


def _escape(text: str) -> str:
    """HTML-escape plain text."""
    return html.escape(text)
