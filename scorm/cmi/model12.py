"""The SCORM 1.2 run-time data model (SCORM 1.2 RTE, section 3.4), as a table.

Access is from the SCO's side: ``RO`` elements are written by the LMS only, ``WO`` elements cannot be
read back by the SCO (GetValue gives error 404) but the LMS stores them.
"""

from __future__ import annotations

from decimal import Decimal

from scorm.cmi.spec import Element, Model

__all__ = ["LESSON_STATUS", "SCORM12"]

#: cmi.core.lesson_status (CMIVocabulary Status)
LESSON_STATUS = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
_SCORE = {"blank_ok": True, "minimum": Decimal(0), "maximum": Decimal(100)}
_TIME_LIMIT_ACTION = ("exit,message", "exit,no message", "continue,message", "continue,no message")
_INTERACTION_TYPE = (
    "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric",
)

_ELEMENTS = (
    Element("cmi.core.student_id", "CMIIdentifier", "RO", max_length=255, default=""),
    Element("cmi.core.student_name", "CMIString255", "RO", max_length=255, default=""),
    Element("cmi.core.lesson_location", "CMIString255", "RW", max_length=255),
    Element("cmi.core.credit", "CMIVocabulary", "RO", ("credit", "no-credit"), default="credit"),
    Element("cmi.core.lesson_status", "CMIVocabulary", "RW", LESSON_STATUS, default="not attempted",
            not_settable=("not attempted",)),
    Element("cmi.core.entry", "CMIVocabulary", "RO", ("ab-initio", "resume", ""), default="ab-initio"),
    Element("cmi.core.score.raw", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.core.score.max", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.core.score.min", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.core.total_time", "CMITimespan", "RO", default="0000:00:00.00",
            note="LMS-owned: the sum of all session_time values of the attempt"),
    Element("cmi.core.lesson_mode", "CMIVocabulary", "RO", ("browse", "normal", "review"), default="normal"),
    Element("cmi.core.exit", "CMIVocabulary", "WO", ("time-out", "suspend", "logout", "")),
    Element("cmi.core.session_time", "CMITimespan", "WO",
            note="added to cmi.core.total_time on commit; not stored itself"),
    Element("cmi.suspend_data", "CMIString4096", "RW", max_length=4096,
            note="the 4,096 limit is enforced only with strict_suspend_data_limit=True"),
    Element("cmi.launch_data", "CMIString4096", "RO", default=""),
    Element("cmi.comments", "CMIString4096", "RW", max_length=4096),
    Element("cmi.comments_from_lms", "CMIString4096", "RO", default=""),
    Element("cmi.objectives.n.id", "CMIIdentifier", "RW", max_length=255),
    Element("cmi.objectives.n.score.raw", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.objectives.n.score.max", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.objectives.n.score.min", "CMIDecimal", "RW", **_SCORE),
    Element("cmi.objectives.n.status", "CMIVocabulary", "RW", LESSON_STATUS),
    Element("cmi.student_data.mastery_score", "CMIDecimal", "RO", minimum=Decimal(0), maximum=Decimal(100)),
    Element("cmi.student_data.max_time_allowed", "CMITimespan", "RO"),
    Element("cmi.student_data.time_limit_action", "CMIVocabulary", "RO", _TIME_LIMIT_ACTION),
    Element("cmi.student_preference.audio", "CMISInteger", "RW", minimum=Decimal(-1), maximum=Decimal(100)),
    Element("cmi.student_preference.language", "CMIString255", "RW", max_length=255),
    Element("cmi.student_preference.speed", "CMISInteger", "RW", minimum=Decimal(-100), maximum=Decimal(100)),
    Element("cmi.student_preference.text", "CMISInteger", "RW", minimum=Decimal(-1), maximum=Decimal(1)),
    Element("cmi.interactions.n.id", "CMIIdentifier", "WO", max_length=255),
    Element("cmi.interactions.n.objectives.m.id", "CMIIdentifier", "WO", max_length=255),
    Element("cmi.interactions.n.time", "CMITime", "WO"),
    Element("cmi.interactions.n.type", "CMIVocabulary", "WO", _INTERACTION_TYPE),
    Element("cmi.interactions.n.correct_responses.m.pattern", "CMIFeedback", "WO", max_length=4096,
            note="limit relaxed from 255 to 4,096 (long answers of real packages)"),
    Element("cmi.interactions.n.weighting", "CMIDecimal", "WO"),
    Element("cmi.interactions.n.student_response", "CMIFeedback", "WO", max_length=4096,
            note="limit relaxed from 255 to 4,096 (long answers of real packages)"),
    Element("cmi.interactions.n.result", "CMIResult", "WO", ("correct", "wrong", "unanticipated", "neutral")),
    Element("cmi.interactions.n.latency", "CMITimespan", "WO"),
)

#: The SCORM 1.2 data model.
SCORM12 = Model(
    version="1.2",
    version_value="3.4",
    elements=_ELEMENTS,
    children={
        "cmi.core": ("student_id", "student_name", "lesson_location", "credit", "lesson_status", "entry",
                     "score", "total_time", "lesson_mode", "exit", "session_time"),
        "cmi.core.score": ("raw", "min", "max"),
        "cmi.objectives": ("id", "score", "status"),
        "cmi.objectives.n.score": ("raw", "min", "max"),
        "cmi.student_data": ("mastery_score", "max_time_allowed", "time_limit_action"),
        "cmi.student_preference": ("audio", "language", "speed", "text"),
        "cmi.interactions": ("id", "objectives", "time", "type", "correct_responses", "weighting",
                             "student_response", "result", "latency"),
    },
    arrays=("cmi.objectives", "cmi.interactions", "cmi.interactions.n.objectives",
            "cmi.interactions.n.correct_responses"),
)
