"""Write a conformant SCORM 1.2 or SCORM 2004 4th-edition package from plain data.

The input is a :class:`PackageSource`: a module made of lessons (already rendered to HTML) that each
end with a few practice questions. The output is a zip holding one SCO — a small single-page app
(``index.html``) that shows one lesson at a time — plus the shared run-time script and style sheet,
declared as an asset resource the SCO depends on. The SCO reports its progress, score and answers
to whichever run-time API the LMS offers (``API`` for 1.2, ``API_1484_11`` for 2004).

Builds are reproducible: entries are written in a fixed order with a fixed timestamp and mode.

A 2004 package can carry IMS SS sequencing: ``PackageSource.sequencing`` (the organization, i.e. the
root activity), ``item_sequencing`` and ``hide_lms_ui`` (the SCO). For a multi-SCO package whose
activity tree and sequencing are given in Python (tests, sequencing demos) see
:func:`scorm.build_course.build_course_package`.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from string import Template
from typing import Literal

from lxml import etree

from scorm.sequencing.model import ControlMode, DeliveryControls, Sequencing
from scorm.sequencing.write import hide_lms_ui_element, sequencing_element

__all__ = ["PackageSource", "PracticeLesson", "PracticeQuestion", "build_package", "build_manifest"]

ScormVersion = Literal["1.2", "2004-4th"]
QuestionType = Literal["single", "multiple", "true_false", "numeric"]

#: question types the SCO can present as practice (ordering is left to server-graded quizzes)
PRACTICE_TYPES: frozenset[str] = frozenset({"single", "multiple", "true_false", "numeric"})
#: where the shared run-time files live inside the package
RUNTIME_DIR = "shared"
RUNTIME_FILES: tuple[str, ...] = ("sco-runtime.js", "sco.css")
LAUNCH_FILE = "index.html"
MANIFEST = "imsmanifest.xml"
#: the zip timestamp of every entry (the earliest a zip can store), for reproducible builds
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

#: the sequencing a 2004 build writes unless the source gives its own
ORG_SEQUENCING = Sequencing(control_mode=ControlMode(choice=True, flow=True))
ITEM_SEQUENCING = Sequencing(delivery_controls=DeliveryControls(tracked=True, completion_set_by_content=True,
                                                                objective_set_by_content=True))

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

NS_12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
NS_2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


@dataclass(frozen=True)
class PracticeQuestion:
    """A self-check question shown at the end of a lesson and reported as a cmi.interaction."""

    #: stable identifier, also the interaction id (e.g. ``"LCD2024-L01-P1"``)
    id: str
    type: QuestionType
    text: str
    #: answer options for single/multiple choice; empty for true_false and numeric
    choices: tuple[str, ...] = ()
    #: single: index; multiple: tuple of indexes; true_false: bool; numeric: number
    key: int | bool | float | tuple[int, ...] = 0
    #: numeric only: accepted distance from ``key``
    tolerance: float = 0.0
    explanation: str = ""
    citation: str = ""


@dataclass(frozen=True)
class PracticeLesson:
    """One page of the SCO: a lesson's HTML body followed by its practice questions."""

    identifier: str
    title: str
    #: the lesson body as trusted HTML (rendered by the caller)
    html: str
    questions: tuple[PracticeQuestion, ...] = ()


@dataclass(frozen=True)
class PackageSource:
    """Everything needed to build one module as one SCO, independent of any source format."""

    identifier: str
    title: str
    lessons: tuple[PracticeLesson, ...]
    #: extra files by package-relative POSIX path (images, …), copied and listed in the manifest
    assets: dict[str, bytes] = field(default_factory=dict)
    #: BCP 47 language of the content, e.g. ``"vi"``
    language: str = "vi"
    #: practice score (0–100) at or above which the SCO reports "passed"; ``None``: no success status
    pass_mark: float | None = None
    #: a short description shown under the title on the first page
    description: str = ""
    #: 2004 only: the organization's (root activity's) sequencing; default flow and choice
    sequencing: Sequencing | None = None
    #: 2004 only: the SCO's sequencing; default: the content sets completion and satisfaction
    item_sequencing: Sequencing | None = None
    #: 2004 only: LMS navigation controls the SCO hides (``adlnav:hideLMSUI`` values)
    hide_lms_ui: tuple[str, ...] = ()


def build_package(source: PackageSource, version: ScormVersion, output: Path) -> Path:
    """Write ``source`` as a SCORM ``version`` zip at ``output`` and return the path.

    Raises :class:`ValueError` when the source is unusable (no lessons, bad identifiers, practice
    questions of a type the SCO cannot present, asset paths escaping the package).
    """
    _validate(source)
    files = _package_files(source)
    files[MANIFEST] = build_manifest(source, version, sorted(files))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            zf.writestr(info, files[name])
    return output


def build_manifest(source: PackageSource, version: ScormVersion, files: list[str]) -> bytes:
    """Return imsmanifest.xml for ``source``; ``files`` are all package paths except the manifest."""
    if version == "1.2":
        root = _manifest_12(source)
    elif version == "2004-4th":
        root = _manifest_2004(source)
    else:
        raise ValueError(f"unknown SCORM version {version!r}; use '1.2' or '2004-4th'")
    _add_resources(root, source, version, files)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- validation ---------------------------------------------------------------------------------


def _validate(source: PackageSource) -> None:
    """Reject sources the SCO or the manifest cannot represent."""
    if not _IDENTIFIER.match(source.identifier):
        raise ValueError(f"package identifier {source.identifier!r} is not an XML ID")
    if not source.lessons:
        raise ValueError("a package needs at least one lesson")
    seen: set[str] = set()
    for lesson in source.lessons:
        for q in lesson.questions:
            if q.type not in PRACTICE_TYPES:
                raise ValueError(f"practice question {q.id}: type {q.type!r} cannot be shown in the SCO")
            if q.id in seen:
                raise ValueError(f"practice question id {q.id!r} is used twice")
            seen.add(q.id)
    for path in source.assets:
        _check_asset_path(path)


def _check_asset_path(path: str) -> None:
    """An asset path must be relative, normalised and outside the reserved names."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or str(pure) != path:
        raise ValueError(f"asset path {path!r} must be a normalised relative POSIX path")
    if path in (MANIFEST, LAUNCH_FILE) or pure.parts[0] == RUNTIME_DIR:
        raise ValueError(f"asset path {path!r} clashes with a file the builder writes")


# -- files ----------------------------------------------------------------------------------------


def _package_files(source: PackageSource) -> dict[str, bytes]:
    """All files of the package except the manifest, by path."""
    files = {f"{RUNTIME_DIR}/{name}": _asset_bytes(name) for name in RUNTIME_FILES}
    files[LAUNCH_FILE] = render_launch_page(source).encode("utf-8")
    files.update(source.assets)
    return files


def _asset_bytes(name: str) -> bytes:
    """Read one of the builder's own files shipped as package data."""
    return resources.files("scorm").joinpath("assets", name).read_bytes()


def render_launch_page(source: PackageSource) -> str:
    """Return the SCO's ``index.html``: every lesson as a hidden page, plus the data the script needs."""
    template = Template(_asset_bytes("sco.html").decode("utf-8"))
    pages = "\n".join(_render_lesson(i, lesson, len(source.lessons)) for i, lesson in enumerate(source.lessons))
    return template.substitute(
        lang=html.escape(source.language),
        title=html.escape(source.title),
        description=html.escape(source.description),
        pages=pages,
        data=_script_json(_runtime_data(source)),
        runtime=f"{RUNTIME_DIR}/sco-runtime.js",
        css=f"{RUNTIME_DIR}/sco.css",
    )


def _runtime_data(source: PackageSource) -> dict[str, object]:
    """The JSON the run-time script reads: pages, questions with keys, pass mark."""
    return {
        "id": source.identifier,
        "passMark": source.pass_mark,
        "pages": [
            {"id": lesson.identifier, "title": lesson.title, "questions": [_question_data(q) for q in lesson.questions]}
            for lesson in source.lessons
        ],
    }


def _question_data(q: PracticeQuestion) -> dict[str, object]:
    """Describe a question for the script (the key travels with it: practice is graded in the SCO)."""
    key: object = list(q.key) if isinstance(q.key, tuple) else q.key
    return {"id": q.id, "type": q.type, "key": key, "tolerance": q.tolerance, "n": len(q.choices),
            "text": q.text[:250]}


def _script_json(data: object) -> str:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _render_lesson(index: int, lesson: PracticeLesson, total: int) -> str:
    """One ``<section>`` page: heading, body, practice questions."""
    questions = "\n".join(_render_question(n, q) for n, q in enumerate(lesson.questions, start=1))
    practice = ""
    if lesson.questions:
        practice = (f'<div class="practice"><h3>Câu hỏi ôn tập <span lang="en">/ Practice</span></h3>\n'
                    f"{questions}</div>")
    return (
        f'<section class="page" id="page-{index}" data-page="{index}" hidden>\n'
        f'<p class="page-no">Bài {index + 1}/{total}</p>\n'
        f"<h2>{html.escape(lesson.title)}</h2>\n"
        f'<div class="lesson-body">{lesson.html}</div>\n{practice}\n</section>'
    )


def _render_question(number: int, q: PracticeQuestion) -> str:
    """A practice question as a form the script wires up."""
    qid = html.escape(q.id)
    head = f'<p class="q-text"><span class="q-no">Câu {number}.</span> {html.escape(q.text)}</p>'
    body = _render_inputs(q)
    hint = ' <span class="q-hint">(chọn tất cả đáp án đúng)</span>' if q.type == "multiple" else ""
    return (
        f'<form class="question" data-qid="{qid}" data-type="{q.type}">\n{head}{hint}\n{body}\n'
        f'<button type="submit" class="btn check">Kiểm tra</button>\n'
        f'<div class="feedback" role="status" aria-live="polite" hidden>'
        f'<p class="verdict"></p><p class="explanation">{html.escape(q.explanation)}</p>'
        f'<p class="citation">Căn cứ: {html.escape(q.citation)}</p></div>\n</form>'
    )


def _render_inputs(q: PracticeQuestion) -> str:
    """The answer controls of one question."""
    name = html.escape(q.id)
    if q.type == "numeric":
        return (f'<label class="numeric">Đáp án: <input type="text" inputmode="decimal" name="{name}" '
                f'autocomplete="off"></label>')
    if q.type == "true_false":
        options = [("true", "Đúng"), ("false", "Sai")]
    else:
        options = [(str(i), text) for i, text in enumerate(q.choices)]
    kind = "checkbox" if q.type == "multiple" else "radio"
    return "\n".join(
        f'<label class="choice"><input type="{kind}" name="{name}" value="{value}"> '
        f"<span>{html.escape(text)}</span></label>"
        for value, text in options
    )


# -- manifest -------------------------------------------------------------------------------------


def _q(ns: dict[str | None, str], prefix: str | None, name: str) -> str:
    """Clark notation ``{uri}name`` for a prefix of ``ns``."""
    return f"{{{ns[prefix]}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a child element with optional text and attributes."""
    el = etree.SubElement(parent, tag, dict(attrs))
    if text is not None:
        el.text = text
    return el


def _manifest_12(source: PackageSource) -> etree._Element:
    """The manifest skeleton of SCORM 1.2 (IMS CP 1.1.2 with ADL CP extensions)."""
    ns = NS_12
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns, identifier=f"MANIFEST-{source.identifier}",
                         version="1.2")
    meta = _sub(root, _q(ns, None, "metadata"))
    _sub(meta, _q(ns, None, "schema"), "ADL SCORM")
    _sub(meta, _q(ns, None, "schemaversion"), "1.2")
    orgs = _sub(root, _q(ns, None, "organizations"), default=f"ORG-{source.identifier}")
    org = _sub(orgs, _q(ns, None, "organization"), identifier=f"ORG-{source.identifier}")
    _sub(org, _q(ns, None, "title"), source.title)
    item = _sub(org, _q(ns, None, "item"), identifier=f"ITEM-{source.identifier}",
                identifierref=f"RES-{source.identifier}", isvisible="true")
    _sub(item, _q(ns, None, "title"), source.title)
    if source.pass_mark is not None:
        _sub(item, _q(ns, "adlcp", "masteryscore"), _number(source.pass_mark))
    _sub(root, _q(ns, None, "resources"))
    return root


def _manifest_2004(source: PackageSource) -> etree._Element:
    """The manifest skeleton of SCORM 2004 4th edition, with flow and choice navigation."""
    ns = NS_2004
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns, identifier=f"MANIFEST-{source.identifier}",
                         version="1")
    meta = _sub(root, _q(ns, None, "metadata"))
    _sub(meta, _q(ns, None, "schema"), "ADL SCORM")
    _sub(meta, _q(ns, None, "schemaversion"), "2004 4th Edition")
    orgs = _sub(root, _q(ns, None, "organizations"), default=f"ORG-{source.identifier}")
    org = _sub(orgs, _q(ns, None, "organization"), identifier=f"ORG-{source.identifier}")
    org.set(_q(ns, "adlseq", "objectivesGlobalToSystem"), "false")
    _sub(org, _q(ns, None, "title"), source.title)
    item = _sub(org, _q(ns, None, "item"), identifier=f"ITEM-{source.identifier}",
                identifierref=f"RES-{source.identifier}", isvisible="true")
    _sub(item, _q(ns, None, "title"), source.title)
    sequencing_element(source.item_sequencing or ITEM_SEQUENCING, item)
    if source.hide_lms_ui:
        hide_lms_ui_element(item, source.hide_lms_ui)
    sequencing_element(source.sequencing or ORG_SEQUENCING, org)
    _sub(root, _q(ns, None, "resources"))
    return root


def _add_resources(root: etree._Element, source: PackageSource, version: ScormVersion, files: list[str]) -> None:
    """Add the SCO resource and the shared run-time asset resource, listing every file once."""
    ns = NS_12 if version == "1.2" else NS_2004
    attr = "scormtype" if version == "1.2" else "scormType"
    resources_el = root.find(_q(ns, None, "resources"))
    assert resources_el is not None
    runtime_files = [f for f in files if f.startswith(f"{RUNTIME_DIR}/")]
    sco_files = [f for f in files if f not in runtime_files]
    sco = _sub(resources_el, _q(ns, None, "resource"), identifier=f"RES-{source.identifier}",
               type="webcontent", href=LAUNCH_FILE)
    sco.set(_q(ns, "adlcp", attr), "sco")
    for name in sco_files:
        _sub(sco, _q(ns, None, "file"), href=name)
    _sub(sco, _q(ns, None, "dependency"), identifierref="RES-SHARED-RUNTIME")
    shared = _sub(resources_el, _q(ns, None, "resource"), identifier="RES-SHARED-RUNTIME", type="webcontent")
    shared.set(_q(ns, "adlcp", attr), "asset")
    for name in runtime_files:
        _sub(shared, _q(ns, None, "file"), href=name)


def _number(value: float) -> str:
    """A number without a pointless ``.0``."""
    return str(int(value)) if float(value).is_integer() else str(value)
