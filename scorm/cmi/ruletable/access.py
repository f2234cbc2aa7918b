"""Rule table: every element of both data models: read-only / write-only, initial values, ``_children``.

Written from the books, not from ``scorm/cmi``'s own tables: SCORM 2004 4th ed. RTE 4.2.x and 4.4 (adl.nav);
SCORM 1.2 RTE 3.4.4. SetValue of a read-only element: 2004 404, 1.2 403; GetValue of a write-only
element: 2004 405, 1.2 404; GetValue of an element with no value and no default: 2004 403, 1.2 "".
"""

from __future__ import annotations

from scorm.cmi.ruletable import Case

# element: (access, sample valid value, initial value: str, or None = 2004 403 "not initialized", section)
ELEMENTS_2004: dict[str, tuple[str, str, str | None, str]] = {
    "cmi.completion_status": ("RW", "completed", "unknown", "4.2.4"),
    "cmi.completion_threshold": ("RO", "0.5", None, "4.2.5"),
    "cmi.credit": ("RO", "credit", "credit", "4.2.6"),
    "cmi.entry": ("RO", "resume", "ab-initio", "4.2.7"),
    "cmi.exit": ("WO", "suspend", None, "4.2.8"),
    "cmi.launch_data": ("RO", "x", None, "4.2.10"),
    "cmi.learner_id": ("RO", "x", "", "4.2.11"),
    "cmi.learner_name": ("RO", "x", "", "4.2.12"),
    "cmi.learner_preference.audio_level": ("RW", "0.5", "1", "4.2.13"),
    "cmi.learner_preference.language": ("RW", "vi", "", "4.2.13"),
    "cmi.learner_preference.delivery_speed": ("RW", "1.5", "1", "4.2.13"),
    "cmi.learner_preference.audio_captioning": ("RW", "1", "0", "4.2.13"),
    "cmi.location": ("RW", "page-3", None, "4.2.14"),
    "cmi.max_time_allowed": ("RO", "PT1H", None, "4.2.15"),
    "cmi.mode": ("RO", "review", "normal", "4.2.16"),
    "cmi.progress_measure": ("RW", "0.5", None, "4.2.18"),
    "cmi.scaled_passing_score": ("RO", "0.5", None, "4.2.19"),
    "cmi.score.scaled": ("RW", "0.5", None, "4.2.20"),
    "cmi.score.raw": ("RW", "50", None, "4.2.20"),
    "cmi.score.min": ("RW", "0", None, "4.2.20"),
    "cmi.score.max": ("RW", "100", None, "4.2.20"),
    "cmi.session_time": ("WO", "PT1M", None, "4.2.21"),
    "cmi.success_status": ("RW", "passed", "unknown", "4.2.22"),
    "cmi.suspend_data": ("RW", "state;1", None, "4.2.23"),
    "cmi.time_limit_action": ("RO", "exit,message", "continue,no message", "4.2.24"),
    "cmi.total_time": ("RO", "PT1M", "PT0H0M0S", "4.2.25"),
    "adl.nav.request": ("RW", "continue", "_none_", "4.4.1"),
    "adl.nav.request_valid.continue": ("RO", "true", "unknown", "4.4.2"),
    "adl.nav.request_valid.previous": ("RO", "true", "unknown", "4.4.2"),
}

ELEMENTS_12: dict[str, tuple[str, str, str | None, str]] = {
    "cmi.core.student_id": ("RO", "x", "", "3.4.4 cmi.core.student_id"),
    "cmi.core.student_name": ("RO", "x", "", "3.4.4 cmi.core.student_name"),
    "cmi.core.lesson_location": ("RW", "p3", "", "3.4.4 cmi.core.lesson_location"),
    "cmi.core.credit": ("RO", "credit", "credit", "3.4.4 cmi.core.credit"),
    "cmi.core.lesson_status": ("RW", "incomplete", "not attempted", "3.4.4 cmi.core.lesson_status"),
    "cmi.core.entry": ("RO", "resume", "ab-initio", "3.4.4 cmi.core.entry"),
    "cmi.core.score.raw": ("RW", "50", "", "3.4.4 cmi.core.score.raw"),
    "cmi.core.score.min": ("RW", "0", "", "3.4.4 cmi.core.score.min"),
    "cmi.core.score.max": ("RW", "100", "", "3.4.4 cmi.core.score.max"),
    "cmi.core.total_time": ("RO", "00:01:00", "0000:00:00.00", "3.4.4 cmi.core.total_time"),
    "cmi.core.lesson_mode": ("RO", "browse", "normal", "3.4.4 cmi.core.lesson_mode"),
    "cmi.core.exit": ("WO", "suspend", None, "3.4.4 cmi.core.exit"),
    "cmi.core.session_time": ("WO", "00:01:00", None, "3.4.4 cmi.core.session_time"),
    "cmi.suspend_data": ("RW", "state;1", "", "3.4.4 cmi.suspend_data"),
    "cmi.launch_data": ("RO", "x", "", "3.4.4 cmi.launch_data"),
    "cmi.comments": ("RW", "good", "", "3.4.4 cmi.comments"),
    "cmi.comments_from_lms": ("RO", "x", "", "3.4.4 cmi.comments_from_lms"),
    "cmi.student_data.mastery_score": ("RO", "80", "", "3.4.4 cmi.student_data.mastery_score"),
    "cmi.student_data.max_time_allowed": ("RO", "00:30:00", "", "3.4.4 cmi.student_data.max_time_allowed"),
    "cmi.student_data.time_limit_action": ("RO", "exit,message", "", "3.4.4 cmi.student_data.time_limit_action"),
    "cmi.student_preference.audio": ("RW", "50", "", "3.4.4 cmi.student_preference.audio"),
    "cmi.student_preference.language": ("RW", "vi", "", "3.4.4 cmi.student_preference.language"),
    "cmi.student_preference.speed": ("RW", "10", "", "3.4.4 cmi.student_preference.speed"),
    "cmi.student_preference.text": ("RW", "1", "", "3.4.4 cmi.student_preference.text"),
}

#: values the LMS always hands over at launch (``scorm.cmi.launch_state`` and the player's LMS values): the
#: initial-value case loads them as the LMS does, so it checks that the runtime returns what it was given
SEEDED = frozenset({"cmi.entry", "cmi.credit", "cmi.mode", "cmi.total_time", "cmi.core.entry", "cmi.core.credit",
                    "cmi.core.lesson_mode", "cmi.core.total_time", "cmi.core.lesson_status"})

_INTERACTION_12 = ("id", "time", "type", "weighting", "student_response", "result", "latency")

CHILDREN_2004 = {
    "cmi.comments_from_learner": "comment,location,timestamp",
    "cmi.comments_from_lms": "comment,location,timestamp",
    "cmi.interactions": "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,"
                        "latency,description",
    "cmi.learner_preference": "audio_level,language,delivery_speed,audio_captioning",
    "cmi.objectives": "id,score,success_status,completion_status,progress_measure,description",
    "cmi.score": "scaled,raw,min,max",
}
CHILDREN_12 = {
    "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
                "lesson_mode,exit,session_time",
    "cmi.core.score": "raw,min,max",
    "cmi.objectives": "id,score,status",
    "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
    "cmi.student_preference": "audio,language,speed,text",
    "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
}


def _element_cases(version: str, name: str, row: tuple[str, str, str | None, str]) -> list[Case]:
    access, sample, initial, where = row
    section = f"{version} RTE {where}"
    read_only, write_only, not_initialized = (403, 404, None) if version == "1.2" else (404, 405, 403)
    cases: list[Case] = []
    if access == "RO":
        cases.append(Case(version, "set", name, sample, code=read_only, section=section + " (read only)"))
    if access == "WO":
        cases.append(Case(version, "get", name, code=write_only, section=section + " (write only)"))
        cases.append(Case(version, "get", name, code=write_only, setup=((name, sample),),
                          section=section + " (write only, also once set)"))
    elif initial is not None:
        seeded = ((name, initial),) if name in SEEDED else ()
        cases.append(Case(version, "get", name, result=initial, state=seeded, section=section + " (initial value)"))
    elif not_initialized is not None:
        cases.append(Case(version, "get", name, code=not_initialized, section=section + " (not initialized: 403)"))
    if access == "RW":
        cases.append(Case(version, "get", name, result=sample, setup=((name, sample),),
                          section=section + " (stored as set)"))
    if access == "RO" and initial is None:
        cases.append(Case(version, "get", name, result=sample, state=((name, sample),),
                          section=section + " (the LMS's value)"))
    return cases


def _interaction_cases_12() -> list[Case]:
    """1.2 RTE 3.4.4 cmi.interactions.n.*: every element is write only (404 on read)."""
    setup = (("cmi.interactions.0.id", "q1"),)
    return [Case("1.2", "get", f"cmi.interactions.0.{child}", code=404, setup=setup,
                 section=f"1.2 RTE 3.4.4 cmi.interactions.n.{child} (write only)") for child in _INTERACTION_12]


def cases() -> list[Case]:
    """The access, initial-value and ``_children`` cases of every element."""
    found: list[Case] = []
    for version, table, children in (("2004", ELEMENTS_2004, CHILDREN_2004), ("1.2", ELEMENTS_12, CHILDREN_12)):
        for name, row in table.items():
            found.extend(_element_cases(version, name, row))
        for node, listed in children.items():
            found.append(Case(version, "get", f"{node}._children", result=listed, compare="set",
                              section=f"{version} RTE keywords: {node}._children"))
    return [*found, *_interaction_cases_12()]
