"""The SCORM 2004 (4th edition) run-time data model (RTE book, section 4.2), as a table.

``spm`` is the smallest permitted maximum length: an LMS must store at least that many characters. It is
documented here and never used to refuse or cut a value (``suspend_data`` in particular is stored whole).
Elements without a ``default`` answer GetValue with error 403 until they are set.
"""

from __future__ import annotations

from decimal import Decimal

from scorm.cmi.spec import Access, Element, Model

__all__ = ["COMPLETION_STATUS", "INTERACTION_TYPES", "NAV_REQUESTS", "SCORM2004", "SUCCESS_STATUS"]

COMPLETION_STATUS = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_STATUS = ("passed", "failed", "unknown")
INTERACTION_TYPES = (
    "true-false", "choice", "fill-in", "long-fill-in", "likert", "matching", "performance", "sequencing",
    "numeric", "other",
)
#: adl.nav.request; "{target=ID}choice" and "{target=ID}jump" are accepted too
NAV_REQUESTS = (
    "continue", "previous", "choice", "jump", "exit", "exitAll", "abandon", "abandonAll", "suspendAll", "_none_",
)
_ONE = Decimal(1)
_ZERO = Decimal(0)
_SCALED = {"minimum": -_ONE, "maximum": _ONE}
_NEEDS_ID = ("id",)
_NEEDS_TYPE = ("id", "type")


def _comment_elements(array: str, access: Access) -> tuple[Element, ...]:
    return (
        Element(f"{array}.n.comment", "localized_string_type", access, spm=4000),
        Element(f"{array}.n.location", "characterstring", access, spm=250),
        Element(f"{array}.n.timestamp", "time (second,10,0)", access),
    )


_ELEMENTS = (
    *_comment_elements("cmi.comments_from_learner", "RW"),
    *_comment_elements("cmi.comments_from_lms", "RO"),
    Element("cmi.completion_status", "state", "RW", COMPLETION_STATUS, default="unknown"),
    Element("cmi.completion_threshold", "real (10,7)", "RO", minimum=_ZERO, maximum=_ONE),
    Element("cmi.credit", "state", "RO", ("credit", "no-credit"), default="credit"),
    Element("cmi.entry", "state", "RO", ("ab-initio", "resume", ""), default="ab-initio"),
    Element("cmi.exit", "state", "WO", ("time-out", "suspend", "logout", "normal", "")),
    Element("cmi.interactions.n.id", "long_identifier_type", "RW", spm=4000),
    Element("cmi.interactions.n.type", "state", "RW", INTERACTION_TYPES, requires=_NEEDS_ID),
    Element("cmi.interactions.n.objectives.m.id", "long_identifier_type", "RW", spm=4000, requires=_NEEDS_ID),
    Element("cmi.interactions.n.timestamp", "time (second,10,0)", "RW", requires=_NEEDS_ID),
    Element("cmi.interactions.n.correct_responses.m.pattern", "correct_response_pattern", "RW",
            requires=_NEEDS_TYPE, note="format depends on cmi.interactions.n.type"),
    Element("cmi.interactions.n.weighting", "real (10,7)", "RW", requires=_NEEDS_ID),
    Element("cmi.interactions.n.learner_response", "learner_response", "RW", requires=_NEEDS_TYPE,
            note="format depends on cmi.interactions.n.type"),
    Element("cmi.interactions.n.result", "result", "RW", ("correct", "incorrect", "unanticipated", "neutral"),
            requires=_NEEDS_ID),
    Element("cmi.interactions.n.latency", "timeinterval (second,10,2)", "RW", requires=_NEEDS_ID),
    Element("cmi.interactions.n.description", "localized_string_type", "RW", spm=250, requires=_NEEDS_ID),
    Element("cmi.launch_data", "characterstring", "RO", spm=4000),
    Element("cmi.learner_id", "long_identifier_type", "RO", spm=4000, default=""),
    Element("cmi.learner_name", "localized_string_type", "RO", spm=250, default=""),
    Element("cmi.learner_preference.audio_level", "real (10,7)", "RW", minimum=_ZERO, default="1"),
    Element("cmi.learner_preference.language", "language_type", "RW", spm=250, default=""),
    Element("cmi.learner_preference.delivery_speed", "real (10,7)", "RW", minimum=_ZERO, default="1"),
    Element("cmi.learner_preference.audio_captioning", "state", "RW", ("-1", "0", "1"), default="0"),
    Element("cmi.location", "characterstring", "RW", spm=1000),
    Element("cmi.max_time_allowed", "timeinterval (second,10,2)", "RO"),
    Element("cmi.mode", "state", "RO", ("browse", "normal", "review"), default="normal"),
    Element("cmi.objectives.n.id", "long_identifier_type", "RW", spm=4000,
            note="unique in the array and fixed once set (else 351)"),
    Element("cmi.objectives.n.score.scaled", "real (10,7)", "RW", requires=_NEEDS_ID, **_SCALED),
    Element("cmi.objectives.n.score.raw", "real (10,7)", "RW", requires=_NEEDS_ID),
    Element("cmi.objectives.n.score.min", "real (10,7)", "RW", requires=_NEEDS_ID),
    Element("cmi.objectives.n.score.max", "real (10,7)", "RW", requires=_NEEDS_ID),
    Element("cmi.objectives.n.success_status", "state", "RW", SUCCESS_STATUS, default="unknown",
            requires=_NEEDS_ID),
    Element("cmi.objectives.n.completion_status", "state", "RW", COMPLETION_STATUS, default="unknown",
            requires=_NEEDS_ID),
    Element("cmi.objectives.n.progress_measure", "real (10,7)", "RW", minimum=_ZERO, maximum=_ONE,
            requires=_NEEDS_ID),
    Element("cmi.objectives.n.description", "localized_string_type", "RW", spm=250, requires=_NEEDS_ID),
    Element("cmi.progress_measure", "real (10,7)", "RW", minimum=_ZERO, maximum=_ONE),
    Element("cmi.scaled_passing_score", "real (10,7)", "RO", **_SCALED),
    Element("cmi.score.scaled", "real (10,7)", "RW", **_SCALED),
    Element("cmi.score.raw", "real (10,7)", "RW"),
    Element("cmi.score.min", "real (10,7)", "RW"),
    Element("cmi.score.max", "real (10,7)", "RW"),
    Element("cmi.session_time", "timeinterval (second,10,2)", "WO",
            note="added to cmi.total_time on commit; not stored itself"),
    Element("cmi.success_status", "state", "RW", SUCCESS_STATUS, default="unknown"),
    Element("cmi.suspend_data", "characterstring", "RW", spm=64000, note="never refused nor cut for length"),
    Element("cmi.time_limit_action", "state", "RO",
            ("exit,message", "continue,message", "exit,no message", "continue,no message"),
            default="continue,no message"),
    Element("cmi.total_time", "timeinterval (second,10,2)", "RO", default="PT0H0M0S",
            note="LMS-owned: the sum of all session_time values of the attempt"),
    Element("adl.data.n.id", "long_identifier_type", "RO", spm=4000,
            note="a shared data bucket's targetID (CAM adlcp:map); the LMS creates the entries"),
    Element("adl.data.n.store", "characterstring", "RW", spm=64000,
            note="405 when the map has readSharedData false, 404 when writeSharedData is false"),
    Element("adl.nav.request", "nav_request", "RW", NAV_REQUESTS, default="_none_"),
    Element("adl.nav.request_valid.continue", "state", "RO", ("true", "false", "unknown"), default="unknown"),
    Element("adl.nav.request_valid.previous", "state", "RO", ("true", "false", "unknown"), default="unknown"),
    Element("adl.nav.request_valid.choice.{target=}", "state", "RO", ("true", "false", "unknown"),
            default="unknown", note="the LMS does no sequencing: always unknown unless it stores a value"),
    Element("adl.nav.request_valid.jump.{target=}", "state", "RO", ("true", "false", "unknown"),
            default="unknown", note="the LMS does no sequencing: always unknown unless it stores a value"),
)

#: The SCORM 2004 4th edition data model.
SCORM2004 = Model(
    version="2004",
    version_value="1.0",
    elements=_ELEMENTS,
    children={
        "cmi.comments_from_learner": ("comment", "location", "timestamp"),
        "cmi.comments_from_lms": ("comment", "location", "timestamp"),
        "cmi.interactions": ("id", "type", "objectives", "timestamp", "correct_responses", "weighting",
                             "learner_response", "result", "latency", "description"),
        "cmi.learner_preference": ("audio_level", "language", "delivery_speed", "audio_captioning"),
        "cmi.objectives": ("id", "score", "success_status", "completion_status", "progress_measure",
                           "description"),
        "cmi.objectives.n.score": ("scaled", "raw", "min", "max"),
        "cmi.score": ("scaled", "raw", "min", "max"),
        "adl.data": ("id", "store"),
    },
    arrays=("cmi.comments_from_learner", "cmi.comments_from_lms", "cmi.interactions",
            "cmi.interactions.n.objectives", "cmi.interactions.n.correct_responses", "cmi.objectives", "adl.data"),
)
