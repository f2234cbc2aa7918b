"""Rule table: SCORM 2004 4th ed. data types (RTE 4.1.1) on the elements that use them.

real(10,7) with ranges (406 type mismatch, 407 out of range), time(second,10,0), timeinterval(second,10,2),
localized_string_type ({lang=...}), language_type, characterstring and every vocabulary ("state").
"""

from __future__ import annotations

from scorm.cmi.ruletable import Case

_OK, _TYPE, _RANGE = 0, 406, 407


def _set(element: str, value: str, code: int, section: str, setup: tuple[tuple[str, str], ...] = ()) -> Case:
    return Case("2004", "set", element, value, code=code, section=f"2004 RTE {section}", setup=setup)


def _many(element: str, section: str, values: dict[str, int], setup: tuple[tuple[str, str], ...] = ()) -> list[Case]:
    return [_set(element, value, code, section, setup) for value, code in values.items()]


_OBJ = (("cmi.objectives.0.id", "obj-1"),)
_INT = (("cmi.interactions.0.id", "q1"),)
_COMMENT = (("cmi.comments_from_learner.0.comment", "c"),)

_REAL = {"0": _OK, "0.75": _OK, "-0.5": _OK, "1": _OK, "12.3456789": _OK, "abc": _TYPE, "": _TYPE,
         "1,5": _TYPE, "0x10": _TYPE}
_SCALED = {"1": _OK, "-1": _OK, "0.5": _OK, "1.01": _RANGE, "-1.5": _RANGE, "2": _RANGE, "x": _TYPE}
_UNIT = {"0": _OK, "1": _OK, "0.3": _OK, "1.1": _RANGE, "-0.1": _RANGE, "half": _TYPE}
_TIME = {
    "2026-12-04T10:15:30": _OK, "2026-12-04T10:15:30Z": _OK, "2026-12-04T10:15:30+07:00": _OK,
    "2026-12-04T10:15:30.5": _OK, "2026-12-04T10:15": _OK, "2026-12-04": _OK, "2026-12": _OK, "2026": _OK,
    "2026-13-01": _TYPE, "2026-02-30": _TYPE, "2026-12-04T25:00:00": _TYPE, "04/12/2026": _TYPE,
    "1969-12-31T23:59:59": _TYPE, "2039-01-01": _TYPE, "": _TYPE, "yesterday": _TYPE, "2026-12-04 10:15:30": _TYPE,
}
_INTERVAL = {
    "PT1H30M": _OK, "P1DT2H": _OK, "PT0S": _OK, "P1Y2M3DT4H5M6.78S": _OK, "PT0H0M0S": _OK, "PT10.5S": _OK,
    "P1D": _OK, "PT": _TYPE, "P": _TYPE, "1:30:00": _TYPE, "-PT1S": _TYPE, "P1W": _TYPE, "PT1.5M": _TYPE,
    "": _TYPE, "00:01:00": _TYPE, "P1H": _TYPE,
}
_LOCALIZED = {"Xin chào": _OK, "{lang=vi}Xin chào": _OK, "{lang=en-US}Hello": _OK, "": _OK,
              "{lang=}text": _TYPE, "{lang=12}text": _TYPE, "{lang=english}text": _TYPE}
_LANGUAGE = {"vi": _OK, "en-US": _OK, "zh-Hant-TW": _OK, "": _OK, "fra": _OK, "i-klingon": _OK,
             "english": _TYPE, "12": _TYPE, "en_US": _TYPE, "e": _TYPE}
_COMPLETION = {"completed": _OK, "incomplete": _OK, "not attempted": _OK, "unknown": _OK,
               "done": _TYPE, "Completed": _TYPE, "": _TYPE}
_SUCCESS = {"passed": _OK, "failed": _OK, "unknown": _OK, "pass": _TYPE, "": _TYPE}

CASES: list[Case] = [
    *_many("cmi.score.raw", "4.2.20 real(10,7)", _REAL),
    *_many("cmi.score.min", "4.2.20 real(10,7)", {"-100": _OK, "x": _TYPE}),
    *_many("cmi.score.max", "4.2.20 real(10,7)", {"1000": _OK, "x": _TYPE}),
    *_many("cmi.score.scaled", "4.2.20 score.scaled -1..1", _SCALED),
    *_many("cmi.progress_measure", "4.2.18 progress_measure 0..1", _UNIT),
    *_many("cmi.learner_preference.audio_level", "4.2.13 audio_level >= 0", {"0": _OK, "5.5": _OK, "-1": _RANGE,
                                                                         "loud": _TYPE}),
    *_many("cmi.learner_preference.delivery_speed", "4.2.13 delivery_speed >= 0",
           {"0": _OK, "2": _OK, "-0.5": _RANGE, "fast": _TYPE}),
    *_many("cmi.learner_preference.audio_captioning", "4.2.13 audio_captioning",
           {"-1": _OK, "0": _OK, "1": _OK, "2": _TYPE, "on": _TYPE}),
    *_many("cmi.learner_preference.language", "4.2.13 language_type", _LANGUAGE),
    *_many("cmi.completion_status", "4.2.4 completion_status", _COMPLETION),
    *_many("cmi.success_status", "4.2.22 success_status", _SUCCESS),
    *_many("cmi.exit", "4.2.8 exit", {"time-out": _OK, "suspend": _OK, "logout": _OK, "normal": _OK, "": _OK,
                                      "quit": _TYPE, "Suspend": _TYPE}),
    *_many("cmi.session_time", "4.2.21 timeinterval(second,10,2)", _INTERVAL),
    *_many("cmi.location", "4.2.14 characterstring SPM 1000", {"": _OK, "ch2/p3?x=1": _OK, "x" * 1000: _OK}),
    *_many("cmi.suspend_data", "4.2.23 characterstring SPM 64000", {"": _OK, "a" * 64000: _OK}),
    *_many("adl.nav.request", "4.4.1 adl.nav.request", {
        "continue": _OK, "previous": _OK, "{target=sco-2}choice": _OK, "{target=sco-2}jump": _OK, "exit": _OK,
        "exitAll": _OK, "abandon": _OK, "abandonAll": _OK, "suspendAll": _OK, "_none_": _OK,
        "next": _TYPE, "start": _TYPE, "": _TYPE}),
    # objectives (RTE 4.2.17): id first (408), then each element's type
    *_many("cmi.objectives.0.id", "4.2.17 long_identifier_type", {"urn:x:obj-1": _OK, "": _TYPE}),
    *_many("cmi.objectives.0.score.scaled", "4.2.17 objectives.n.score.scaled", _SCALED, _OBJ),
    *_many("cmi.objectives.0.score.raw", "4.2.17 objectives.n.score.raw", {"7": _OK, "x": _TYPE}, _OBJ),
    *_many("cmi.objectives.0.success_status", "4.2.17 objectives.n.success_status", _SUCCESS, _OBJ),
    *_many("cmi.objectives.0.completion_status", "4.2.17 objectives.n.completion_status", _COMPLETION, _OBJ),
    *_many("cmi.objectives.0.progress_measure", "4.2.17 objectives.n.progress_measure", _UNIT, _OBJ),
    *_many("cmi.objectives.0.description", "4.2.17 localized_string_type SPM 250", _LOCALIZED, _OBJ),
    _set("cmi.objectives.0.score.scaled", "0.5", 408, "4.2.17 (id must be set first: 408)"),
    _set("cmi.objectives.0.success_status", "passed", 408, "4.2.17 (id must be set first: 408)"),
    _set("cmi.objectives.0.description", "x", 408, "4.2.17 (id must be set first: 408)"),
    # comments_from_learner (RTE 4.2.2)
    *_many("cmi.comments_from_learner.0.comment", "4.2.2 localized_string_type SPM 4000", _LOCALIZED),
    *_many("cmi.comments_from_learner.0.location", "4.2.2 characterstring SPM 250", {"p3": _OK}),
    *_many("cmi.comments_from_learner.0.timestamp", "4.2.2 time(second,10,0)", _TIME),
    *_many("cmi.comments_from_learner.1.comment", "4.2.2 (append at _count)", {"second": _OK}, _COMMENT),
    Case("2004", "set", "cmi.comments_from_lms.0.comment", "x", code=404, section="2004 RTE 4.2.3 (read only)"),
    Case("2004", "get", "cmi.comments_from_lms.0.comment", result="Lời nhắn",
         state=(("cmi.comments_from_lms.0.comment", "Lời nhắn"),), section="2004 RTE 4.2.3"),
    # interaction elements that are not responses (RTE 4.2.9)
    *_many("cmi.interactions.0.timestamp", "4.2.9 interactions.n.timestamp time(second,10,0)",
           {"2026-12-04T10:15:30": _OK, "10:15": _TYPE}, _INT),
    *_many("cmi.interactions.0.weighting", "4.2.9 interactions.n.weighting real(10,7)",
           {"2.5": _OK, "-1": _OK, "heavy": _TYPE}, _INT),
    *_many("cmi.interactions.0.latency", "4.2.9 interactions.n.latency timeinterval",
           {"PT5S": _OK, "5": _TYPE}, _INT),
    *_many("cmi.interactions.0.description", "4.2.9 interactions.n.description localized_string_type",
           _LOCALIZED, _INT),
    *_many("cmi.interactions.0.result", "4.2.9 interactions.n.result", {
        "correct": _OK, "incorrect": _OK, "unanticipated": _OK, "neutral": _OK, "0.5": _OK, "-3": _OK,
        "wrong": _TYPE, "": _TYPE}, _INT),
    *_many("cmi.interactions.0.type", "4.2.9 interactions.n.type", {
        "true-false": _OK, "choice": _OK, "fill-in": _OK, "long-fill-in": _OK, "likert": _OK, "matching": _OK,
        "performance": _OK, "sequencing": _OK, "numeric": _OK, "other": _OK, "essay": _TYPE, "": _TYPE}, _INT),
    *_many("cmi.interactions.0.objectives.0.id", "4.2.9 interactions.n.objectives.n.id",
           {"obj-1": _OK, "": _TYPE}, _INT),
    *_many("cmi.interactions.0.id", "4.2.9 interactions.n.id long_identifier_type",
           {"urn:q:1": _OK, "q-1": _OK, "": _TYPE}),
    _set("cmi.interactions.0.type", "choice", 408, "4.2.9 (id must be set first: 408)"),
    _set("cmi.interactions.0.result", "correct", 408, "4.2.9 (id must be set first: 408)"),
    _set("cmi.interactions.0.objectives.0.id", "o", 408, "4.2.9 (id must be set first: 408)"),
    _set("cmi.interactions.0.description", "x", 408, "4.2.9 (id must be set first: 408)"),
]
