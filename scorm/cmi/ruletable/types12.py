"""Rule table: SCORM 1.2 data types (RTE 3.4.3: CMIDecimal, CMISInteger, CMIString255/4096, CMITime,
CMITimespan, CMIVocabulary, CMIIdentifier) on the elements that use them; every bad value is 405."""

from __future__ import annotations

from scorm.cmi.ruletable import Case

_OK, _BAD = 0, 405
_INT = (("cmi.interactions.0.id", "q1"),)
_OBJ = (("cmi.objectives.0.id", "o1"),)


def _many(element: str, section: str, values: dict[str, int], setup: tuple[tuple[str, str], ...] = ()) -> list[Case]:
    return [Case("1.2", "set", element, value, code=code, setup=setup, section=f"1.2 RTE 3.4.4 {section}")
            for value, code in values.items()]


_SCORE = {"0": _OK, "85": _OK, "100": _OK, "72.5": _OK, "": _OK, "-1": _BAD, "101": _BAD, "abc": _BAD}
_STATUS = {"passed": _OK, "completed": _OK, "failed": _OK, "incomplete": _OK, "browsed": _OK,
           "not attempted": _BAD, "done": _BAD, "Passed": _BAD, "": _BAD}
_TIMESPAN = {"00:00:30": _OK, "0000:01:30.5": _OK, "12:34:56.78": _OK, "30": _BAD, "00:60:00": _BAD,
             "PT30S": _BAD, "": _BAD, "00:00:30.123": _BAD}

CASES: list[Case] = [
    *_many("cmi.core.score.raw", "cmi.core.score.raw CMIDecimal 0..100 or blank", _SCORE),
    *_many("cmi.core.score.min", "cmi.core.score.min", {"0": _OK, "x": _BAD}),
    *_many("cmi.core.score.max", "cmi.core.score.max", {"100": _OK, "x": _BAD}),
    *_many("cmi.core.lesson_status", "cmi.core.lesson_status", _STATUS),
    *_many("cmi.core.exit", "cmi.core.exit", {"time-out": _OK, "suspend": _OK, "logout": _OK, "": _OK,
                                              "normal": _BAD, "quit": _BAD}),
    *_many("cmi.core.session_time", "cmi.core.session_time CMITimespan", _TIMESPAN),
    *_many("cmi.core.lesson_location", "cmi.core.lesson_location CMIString255",
           {"x" * 255: _OK, "x" * 256: _BAD, "": _OK}),
    *_many("cmi.comments", "cmi.comments CMIString4096", {"x" * 4096: _OK, "x" * 4097: _BAD}),
    *_many("cmi.student_preference.audio", "cmi.student_preference.audio CMISInteger -1..100",
           {"-1": _OK, "0": _OK, "100": _OK, "101": _BAD, "-2": _BAD, "5.5": _BAD, "loud": _BAD}),
    *_many("cmi.student_preference.speed", "cmi.student_preference.speed -100..100",
           {"-100": _OK, "100": _OK, "101": _BAD, "fast": _BAD}),
    *_many("cmi.student_preference.text", "cmi.student_preference.text -1..1",
           {"-1": _OK, "1": _OK, "2": _BAD, "on": _BAD}),
    *_many("cmi.student_preference.language", "cmi.student_preference.language CMIString255",
           {"vi": _OK, "x" * 256: _BAD}),
    *_many("cmi.objectives.0.id", "cmi.objectives.n.id CMIIdentifier", {"o1": _OK}),
    *_many("cmi.objectives.0.score.raw", "cmi.objectives.n.score.raw", {"50": _OK, "x": _BAD}, _OBJ),
    *_many("cmi.objectives.0.status", "cmi.objectives.n.status", {"passed": _OK, "browsed": _OK, "x": _BAD},
           _OBJ),
    *_many("cmi.interactions.0.id", "cmi.interactions.n.id CMIIdentifier", {"q1": _OK}),
    *_many("cmi.interactions.0.time", "cmi.interactions.n.time CMITime", {
        "10:15:30": _OK, "23:59:59.99": _OK, "25:00:00": _BAD, "10:15": _BAD, "2026-12-04T10:15:30": _BAD}, _INT),
    *_many("cmi.interactions.0.type", "cmi.interactions.n.type", {
        "true-false": _OK, "choice": _OK, "fill-in": _OK, "matching": _OK, "performance": _OK,
        "sequencing": _OK, "likert": _OK, "numeric": _OK, "long-fill-in": _BAD, "other": _BAD}, _INT),
    *_many("cmi.interactions.0.weighting", "cmi.interactions.n.weighting CMIDecimal",
           {"1.5": _OK, "heavy": _BAD}, _INT),
    *_many("cmi.interactions.0.result", "cmi.interactions.n.result", {
        "correct": _OK, "wrong": _OK, "unanticipated": _OK, "neutral": _OK, "0.5": _OK, "incorrect": _BAD}, _INT),
    *_many("cmi.interactions.0.latency", "cmi.interactions.n.latency CMITimespan",
           {"00:00:05": _OK, "5s": _BAD}, _INT),
    *_many("cmi.interactions.0.student_response", "cmi.interactions.n.student_response CMIFeedback",
           {"a": _OK}, _INT),
    *_many("cmi.interactions.0.correct_responses.0.pattern", "cmi.interactions.n.correct_responses.n.pattern",
           {"a": _OK}, _INT),
    *_many("cmi.interactions.0.objectives.0.id", "cmi.interactions.n.objectives.n.id", {"o1": _OK}, _INT),
]
