"""cmi5 (quartz, 2nd ed.) building blocks, no database: reading a course structure (cmi5.xml, §13),
the AU launch URL (§8.1), the moveOn rule (§10) and the LMS's own statements ``launched`` and
``satisfied`` (§9.3, §9.5.1, §9.6.2). Played AUs, the fetch URL's auth token and the AU → ledger hook are
not built yet (docs/xapi.md, "cmi5")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from lms.core.errors import UserError

NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
MOVE_ON = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
CATEGORY = {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}
EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
VERBS = {"launched": "http://adlnet.gov/expapi/verbs/launched", "satisfied": "https://w3id.org/xapi/adl/verbs/satisfied"}


@dataclass(frozen=True)
class AU:
    """An assignable unit (§13.1.4)."""

    id: str
    title: str
    url: str
    move_on: str = "NotApplicable"
    mastery_score: float | None = None
    launch_method: str = "AnyWindow"
    launch_parameters: str = ""


@dataclass
class Course:
    id: str
    title: str
    aus: list[AU] = field(default_factory=list)


def _invalid(vi: str, en: str) -> UserError:
    return UserError(vi, en, status=422, code="cmi5_invalid")


def _title(node: Element) -> str:
    langstring = node.find(f"{NS}title/{NS}langstring")
    return (langstring.text or "").strip() if langstring is not None else ""


def parse_course(data: bytes) -> Course:
    """The course and its AUs in document order (blocks are flattened). Refused (422) when not a cmi5
    course structure, or an AU lacks an id or url, or has an unknown moveOn."""
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise _invalid(f"cmi5.xml không hợp lệ: {exc}", f"cmi5.xml is not well-formed: {exc}") from exc
    course = root.find(f"{NS}course")
    if root.tag != f"{NS}courseStructure" or course is None or not course.get("id"):
        raise _invalid("Không phải cấu trúc khóa học cmi5.", "Not a cmi5 course structure.")
    return Course(course.get("id", ""), _title(course), [_au(node) for node in root.iter(f"{NS}au")])


def _au(node: Element) -> AU:
    url = (node.findtext(f"{NS}url") or "").strip()
    move_on = node.get("moveOn", "NotApplicable")
    if not node.get("id") or not url:
        raise _invalid("Mỗi AU cần có id và url.", "Every AU needs an id and a url.")
    if move_on not in MOVE_ON:
        raise _invalid(f"moveOn không hợp lệ: {move_on}", f"Unknown moveOn: {move_on}")
    mastery = node.get("masteryScore")
    return AU(node.get("id", ""), _title(node), url, move_on, float(mastery) if mastery else None,
              node.get("launchMethod", "AnyWindow"), (node.findtext(f"{NS}launchParameters") or "").strip())


def move_on_met(move_on: str, *, completed: bool, passed: bool) -> bool:
    """Whether the AU is satisfied (§10): ``NotApplicable`` always; ``Passed``/``Completed`` each on
    its own; ``CompletedAndPassed`` both; ``CompletedOrPassed`` either."""
    return {"NotApplicable": True, "Passed": passed, "Completed": completed,
            "CompletedAndPassed": completed and passed, "CompletedOrPassed": completed or passed}[move_on]


def launch_url(au_url: str, *, endpoint: str, fetch: str, actor: dict[str, Any], registration: str,
               activity_id: str) -> str:
    """The AU's URL with the five launch parameters of §8.1 appended (URL-encoded; actor as JSON)."""
    query = urlencode({"endpoint": endpoint, "fetch": fetch, "actor": json.dumps(actor, separators=(",", ":")),
                       "registration": registration, "activityId": activity_id})
    return f"{au_url}{'&' if '?' in au_url else '?'}{query}"


def lms_statement(verb: str, *, statement_id: str, actor: dict[str, Any], activity_id: str, registration: str,
                  session_id: str, au: AU, launch_mode: str = "Normal", launch_url_: str = "") -> dict[str, Any]:
    """A statement the LMS itself makes: ``launched`` (§9.3.1, with the launch extensions) or
    ``satisfied`` (§9.3.9; its object is the AU here)."""
    extensions: dict[str, Any] = {EXT + "sessionid": session_id}
    if verb == "launched":
        extensions.update({EXT + "launchmode": launch_mode, EXT + "launchurl": launch_url_,
                           EXT + "moveon": au.move_on, EXT + "launchparameters": au.launch_parameters})
        if au.mastery_score is not None:
            extensions[EXT + "masteryscore"] = au.mastery_score
    return {
        "id": statement_id, "actor": actor,
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity_id},
        "context": {"registration": registration, "extensions": extensions,
                    "contextActivities": {"category": [CATEGORY]}},
    }
