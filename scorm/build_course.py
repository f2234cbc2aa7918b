"""Build a multi-SCO SCORM 2004 4th-edition package whose activity tree and sequencing are given in Python.

Each leaf activity is a small SCO (``sco/<identifier>.html`` with the shared ``shared/sco-driver.js``)
that initializes, sets the data-model values of its ``on_load`` and shows one button per
:class:`ScoAction` (set values, commit, terminate with an ``adl.nav.request``). Tests also drive it
through ``window.sco`` (``get``, ``set``, ``commit``, ``finish(request)``).

Example — a pre-test that skips the lesson once passed, a post-test that writes a global objective,
forced sequential order at the root::

    from scorm.build_course import Activity, CourseSource, ScoAction, build_course_package
    from scorm.sequencing import (ControlMode, MapInfo, Objective, RuleCondition, Sequencing,
                                  SequencingRule)

    passed = ScoAction("Đạt", {"cmi.success_status": "passed", "cmi.completion_status": "completed"},
                       request="continue")
    course = CourseSource("SEQ1", "Khoá có trình tự", activities=(
        Activity("PRE", "Kiểm tra đầu vào", actions=(passed,), sequencing=Sequencing(objectives=(
            Objective("pre", primary=True, map_info=(MapInfo("g-pre", write_satisfied_status=True),)),))),
        Activity("LESSON", "Bài học", sequencing=Sequencing(sequencing_rules=(
            SequencingRule("pre", "skip", (RuleCondition("satisfied", referenced_objective="pre-ok"),)),),
            objectives=(Objective("pre-ok", primary=True, map_info=(MapInfo("g-pre"),)),))),
        Activity("POST", "Kiểm tra cuối", actions=(passed,), sequencing=Sequencing(objectives=(
            Objective("post", primary=True, map_info=(MapInfo("g-post", write_satisfied_status=True),)),))),
    ), sequencing=Sequencing(control_mode=ControlMode(choice=False, flow=True)))
    build_course_package(course, tmp_path / "seq1.zip")
"""

from __future__ import annotations

import html
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from scorm.build import NS_2004, ZIP_EPOCH, _asset_bytes, _q, _script_json, _sub
from scorm.sequencing.model import Sequencing
from scorm.sequencing.write import IMSSS, hide_lms_ui_element, sequencing_element

__all__ = ["Activity", "CourseSource", "ScoAction", "build_course_manifest", "build_course_package"]

DRIVER = "shared/sco-driver.js"
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


@dataclass(frozen=True)
class ScoAction:
    """A button on a SCO page: set ``values`` in order, commit, then (``finish``) terminate after setting
    ``adl.nav.request`` to ``request`` when given."""

    label: str
    values: Mapping[str, str] = field(default_factory=dict)
    request: str | None = None
    finish: bool = True


@dataclass(frozen=True)
class Activity:
    """An item of the organization: a cluster (with ``children``) or a leaf SCO."""

    identifier: str
    title: str
    children: tuple[Activity, ...] = ()
    sequencing: Sequencing | None = None
    hide_lms_ui: tuple[str, ...] = ()
    isvisible: bool = True
    #: leaf only: trusted HTML shown on the SCO page
    body: str = ""
    #: leaf only: data-model values the SCO sets right after Initialize, in order
    on_load: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[ScoAction, ...] = ()

    def walk(self) -> list[Activity]:
        """This activity and its descendants in document order."""
        return [self, *(a for child in self.children for a in child.walk())]


@dataclass(frozen=True)
class CourseSource:
    """A whole multi-SCO course: the root activity's sequencing, the tree, the sequencing collection."""

    identifier: str
    title: str
    activities: tuple[Activity, ...]
    sequencing: Sequencing | None = None
    collection: Mapping[str, Sequencing] = field(default_factory=dict)
    objectives_global_to_system: bool | None = None
    language: str = "vi"


def _is_id(value: str) -> bool:
    return bool(value) and (value[0].isalpha() or value[0] == "_") and set(value) <= _ID_CHARS


def _validate(course: CourseSource) -> None:
    if not _is_id(course.identifier) or not course.activities:
        raise ValueError("a course needs an XML ID identifier and at least one activity")
    seen: set[str] = set()
    for act in (a for top in course.activities for a in top.walk()):
        if not _is_id(act.identifier) or act.identifier in seen:
            raise ValueError(f"activity identifier {act.identifier!r} is not a unique XML ID")
        seen.add(act.identifier)
        if act.children and (act.on_load or act.actions or act.body):
            raise ValueError(f"cluster {act.identifier!r} cannot have SCO content")
    for key, seq in course.collection.items():
        if not _is_id(key) or seq.id not in (None, key):
            raise ValueError(f"sequencing collection entry {key!r} must be an XML ID matching its ID")


def _page(course: CourseSource, act: Activity) -> bytes:
    data = {"values": list(act.on_load.items()),
            "actions": [{"values": list(a.values.items()), "request": a.request, "finish": a.finish}
                        for a in act.actions]}
    buttons = "\n".join(f'<button type="button" id="sco-action-{i}">{html.escape(a.label)}</button>'
                        for i, a in enumerate(act.actions))
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(course.language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(act.title)}</title></head>\n<body>\n<h1>{html.escape(act.title)}</h1>\n"
            f'<div class="sco-body">{act.body}</div>\n<p>{buttons}</p>\n<pre id="sco-log"></pre>\n'
            f'<script type="application/json" id="sco-data">{_script_json(data)}</script>\n'
            f'<script src="../{DRIVER}"></script>\n</body></html>\n').encode()


def _item(parent: etree._Element, act: Activity) -> None:
    ns = NS_2004
    attrs = {"identifier": act.identifier, "isvisible": "true" if act.isvisible else "false"}
    if not act.children:
        attrs["identifierref"] = f"RES-{act.identifier}"
    item = _sub(parent, _q(ns, None, "item"), **attrs)
    _sub(item, _q(ns, None, "title"), act.title)
    for child in act.children:
        _item(item, child)
    if act.sequencing is not None:
        sequencing_element(act.sequencing, item)
    if act.hide_lms_ui:
        hide_lms_ui_element(item, act.hide_lms_ui)


def _resources(root: etree._Element, leaves: list[Activity]) -> None:
    ns = NS_2004
    resources = _sub(root, _q(ns, None, "resources"))
    for act in leaves:
        res = _sub(resources, _q(ns, None, "resource"), identifier=f"RES-{act.identifier}", type="webcontent",
                   href=f"sco/{act.identifier}.html")
        res.set(_q(ns, "adlcp", "scormType"), "sco")
        _sub(res, _q(ns, None, "file"), href=f"sco/{act.identifier}.html")
        _sub(res, _q(ns, None, "dependency"), identifierref="RES-SCO-DRIVER")
    driver = _sub(resources, _q(ns, None, "resource"), identifier="RES-SCO-DRIVER", type="webcontent")
    driver.set(_q(ns, "adlcp", "scormType"), "asset")
    _sub(driver, _q(ns, None, "file"), href=DRIVER)


def build_course_manifest(course: CourseSource) -> bytes:
    """``imsmanifest.xml`` of ``course`` (SCORM 2004 4th edition)."""
    _validate(course)
    ns = NS_2004
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns, identifier=f"MANIFEST-{course.identifier}",
                         version="1")
    meta = _sub(root, _q(ns, None, "metadata"))
    _sub(meta, _q(ns, None, "schema"), "ADL SCORM")
    _sub(meta, _q(ns, None, "schemaversion"), "2004 4th Edition")
    orgs = _sub(root, _q(ns, None, "organizations"), default=f"ORG-{course.identifier}")
    org = _sub(orgs, _q(ns, None, "organization"), identifier=f"ORG-{course.identifier}")
    if course.objectives_global_to_system is not None:
        org.set(_q(ns, "adlseq", "objectivesGlobalToSystem"), "true" if course.objectives_global_to_system else "false")
    _sub(org, _q(ns, None, "title"), course.title)
    for act in course.activities:
        _item(org, act)
    if course.sequencing is not None:
        sequencing_element(course.sequencing, org)
    _resources(root, [a for top in course.activities for a in top.walk() if not a.children])
    if course.collection:
        coll = _sub(root, f"{{{IMSSS}}}sequencingCollection")
        for key, seq in course.collection.items():
            el = sequencing_element(seq, coll)
            el.set("ID", key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_course_package(course: CourseSource, output: Path) -> Path:
    """Write ``course`` as a SCORM 2004 4th-edition zip at ``output`` (reproducibly) and return the path.
    Raises :class:`ValueError` for identifiers that are not unique XML IDs or clusters with SCO content."""
    files = {"imsmanifest.xml": build_course_manifest(course), DRIVER: _asset_bytes("sco-driver.js")}
    for act in (a for top in course.activities for a in top.walk() if not a.children):
        files[f"sco/{act.identifier}.html"] = _page(course, act)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name])
    return output
