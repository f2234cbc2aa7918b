"""Read and validate a course source folder (``course_packages/<code>/``).

Layout::

    module.toml                 code, titles, summaries, topic, hours, pass_mark, version, reviewed,
                                sources = ["<registry id>", …] (or free-text [[legal_source]] tables)
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import yaml

from lms.content.fields import (
    ComputedFrom,
    ContentError,
    SourceRef,
    check_nfc,
    choice,
    computed_from,
    number,
    optional_text,
    source_refs,
    text,
)
from lms.content.questions import PRACTICE_TYPES, Question, parse_question, questions
from lms.content.seqtable import sequencing_table
from scorm.build import PackageSource, PracticeLesson, PracticeQuestion
from scorm.sequencing.model import Sequencing

__all__ = ["ContentError", "Course", "LegalSource", "Lesson", "Question", "SourceRef", "load_course",
           "parse_question", "render_markdown"]

TOPICS = frozenset({"union_law", "osh", "finance", "democracy", "other"})
MIN_PRACTICE, MAX_PRACTICE = 3, 5

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
_LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    #: registry texts and articles the lesson rests on
    sources: tuple[SourceRef, ...] = ()
    #: changing bases (base salary …) amounts in the lesson were computed from
    computed_from: tuple[ComputedFrom, ...] = ()
    #: texts named only for history or comparison
    mentions: tuple[SourceRef, ...] = ()

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
    #: registry texts the module as a whole rests on (``sources = [...]`` in module.toml)
    sources: tuple[SourceRef, ...] = ()
    #: texts the module names only for history or comparison
    mentions: tuple[SourceRef, ...] = ()
    #: the source's own version label (``version`` in module.toml), carried into the package metadata
    version: str = "1"
    #: the date the content was last checked against the registry (``reviewed``), if given
    reviewed: str = ""
    #: the organization's sequencing from the ``[sequencing]`` table (lms/content/seqtable.py), if given
    sequencing: Sequencing | None = None

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
            sequencing=self.sequencing,
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
    bank = tuple(questions(_read_toml(root / "questions.toml"), root / "questions.toml"))
    course = Course(
        path=root,
        code=_code(meta, module_file, root),
        title_vi=text(meta, "title_vi", module_file),
        title_en=text(meta, "title_en", module_file),
        summary_vi=text(meta, "summary_vi", module_file),
        summary_en=text(meta, "summary_en", module_file),
        topic=choice(meta, "topic", TOPICS, module_file),
        hours=number(meta, "hours", module_file, minimum=0.5),
        pass_mark=number(meta, "pass_mark", module_file, minimum=1, maximum=100),
        legal_sources=_legal_sources(meta, module_file),
        sources=source_refs(meta, module_file),
        mentions=source_refs(meta, module_file, key="mentions"),
        version=str(meta.get("version", "1")),
        reviewed=str(meta.get("reviewed", "")),
        sequencing=sequencing_table(meta, module_file),
        lessons=lessons,
        questions=bank,
        assets=_load_assets(root / "assets"),
    )
    _check_unique_ids(course)
    if not course.sources and not course.legal_sources:
        raise ContentError(module_file, "sources", "name the module's legal texts (sources = [...] or [[legal_source]])")
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
    code = text(meta, "code", file)
    if not _CODE.match(code):
        raise ContentError(file, "code", f"{code!r} must be 2–20 capital letters or digits")
    if code != root.name:
        raise ContentError(file, "code", f"{code!r} differs from the folder name {root.name!r}")
    return code


def _legal_sources(meta: dict[str, Any], file: Path) -> tuple[LegalSource, ...]:
    """The ``[[legal_source]]`` tables (name, number, adopted, effective, optional note)."""
    items = meta.get("legal_source", [])
    if not isinstance(items, list):
        raise ContentError(file, "legal_source", "must be an array of tables ([[legal_source]])")
    out = []
    for i, item in enumerate(items):
        where = f"legal_source[{i}]"
        if not isinstance(item, dict):
            raise ContentError(file, where, "must be a table")
        for key in ("adopted", "effective"):
            if key in item and not _DATE.match(str(item[key])):
                raise ContentError(file, f"{where}.{key}", "must be a date written YYYY-MM-DD")
        out.append(LegalSource(
            name=text(item, "name", file, where), number=text(item, "number", file, where),
            adopted=str(item.get("adopted", "")), effective=str(item.get("effective", "")),
            note=optional_text(item, "note", file, where) or "",
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
    check_nfc(body, path, "body")
    sidecar = path.with_name(path.stem + ".questions.toml")
    if "question" in front and sidecar.exists():
        raise ContentError(path, "question", f"practice questions are both inline and in {sidecar.name}")
    qfile = sidecar if sidecar.exists() else path
    qdata = _read_toml(sidecar) if sidecar.exists() else front
    practice = tuple(questions(qdata, qfile))
    if not MIN_PRACTICE <= len(practice) <= MAX_PRACTICE:
        raise ContentError(qfile, "question", f"{len(practice)} practice questions; a lesson needs 3–5")
    for q in practice:
        if q.type not in PRACTICE_TYPES:
            raise ContentError(qfile, f"question {q.id}.type", f"{q.type!r} cannot be used for practice")
    citations = front.get("citations", [])
    if not isinstance(citations, list) or not citations or not all(isinstance(c, str) and c for c in citations):
        raise ContentError(path, "citations", "a non-empty list of strings is required")
    for c in citations:
        check_nfc(c, path, "citations")
    return Lesson(
        number=int(match.group(1)), slug=match.group(2), title=text(front, "title", path),
        body_md=body.strip() + "\n", citations=tuple(citations), questions=practice,
        sources=source_refs(front, path), computed_from=computed_from(front, path),
        mentions=source_refs(front, path, key="mentions"),
    )


def _split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split ``+++ toml +++`` or ``--- yaml ---`` front matter from the Markdown body."""
    raw = path.read_text(encoding="utf-8")
    for fence, parse in (("+++", tomllib.loads), ("---", yaml.safe_load)):
        if raw.startswith(fence + "\n"):
            end = raw.find("\n" + fence + "\n", len(fence))
            if end < 0:
                raise ContentError(path, "front matter", f"no closing {fence} line")
            try:
                front = parse(raw[len(fence) + 1:end + 1]) or {}
            except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
                raise ContentError(path, "front matter", str(exc)) from exc
            if not isinstance(front, dict):
                raise ContentError(path, "front matter", "must be a table/mapping")
            return front, raw[end + len(fence) + 2:]
    raise ContentError(path, "front matter", "the file must start with +++ (TOML) or --- (YAML)")


def _load_assets(folder: Path) -> dict[str, bytes]:
    """Files under ``assets/``, keyed by their package path ``assets/…``."""
    if not folder.is_dir():
        return {}
    return {
        "assets/" + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- checks ------------------------------------------------------------------------------------


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
