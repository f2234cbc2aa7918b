"""Rule table: the API's session states, keywords, element names, array indices and counts.

SCORM 2004 4th ed. RTE 3.1.4-3.1.7 (API states and error codes 103-143), 4.1.1 keywords; SCORM 1.2 RTE
3.3.2-3.3.4 (LMSInitialize ... and codes 101-405), 3.4.2 keywords.
"""

from __future__ import annotations

from scorm.cmi.ruletable import Case

_S04 = "2004 RTE 3.1.7"
_S12 = "1.2 RTE 3.3.4"

CASES: list[Case] = [
    # -- 2004: calls before Initialize and after Terminate (RTE 3.1.3 / 3.1.7)
    Case("2004", "get", "cmi.location", code=122, phase="before", section=_S04),
    Case("2004", "set", "cmi.location", "x", code=132, phase="before", section=_S04),
    Case("2004", "commit", code=142, phase="before", section=_S04),
    Case("2004", "term", code=112, phase="before", section=_S04),
    Case("2004", "get", "cmi.location", code=123, phase="after", setup=(("cmi.location", "x"),), section=_S04),
    Case("2004", "get", "cmi.completion_status", code=123, phase="after", section=_S04),
    Case("2004", "set", "cmi.location", "x", code=133, phase="after", section=_S04),
    Case("2004", "set", "cmi.session_time", "PT1S", code=133, phase="after", section=_S04),
    Case("2004", "commit", code=143, phase="after", section=_S04),
    Case("2004", "term", code=113, phase="after", section=_S04),
    Case("2004", "init", code=103, section="2004 RTE 3.1.3.1"),
    Case("2004", "init", code=104, phase="after", section="2004 RTE 3.1.3.1"),
    Case("2004", "init", value="x", code=201, phase="before", section="2004 RTE 3.1.3.1"),
    Case("2004", "commit", value="x", code=201, section="2004 RTE 3.1.3.3"),
    Case("2004", "term", value="x", code=201, section="2004 RTE 3.1.3.2"),
    # -- 1.2 (RTE 3.3.2: calls before LMSInitialize are 301; after LMSFinish the API is closed: 101)
    Case("1.2", "get", "cmi.core.lesson_location", code=301, phase="before", section=_S12),
    Case("1.2", "set", "cmi.core.lesson_location", "x", code=301, phase="before", section=_S12),
    Case("1.2", "commit", code=301, phase="before", section=_S12),
    Case("1.2", "term", code=301, phase="before", section=_S12),
    Case("1.2", "get", "cmi.core.lesson_location", code=101, phase="after", section=_S12),
    Case("1.2", "set", "cmi.core.lesson_location", "x", code=101, phase="after", section=_S12),
    Case("1.2", "commit", code=101, phase="after", section=_S12),
    Case("1.2", "init", code=101, section=_S12),
    Case("1.2", "init", value="x", code=201, phase="before", section="1.2 RTE 3.3.2.1"),
    # -- element names (2004 RTE 3.1.7.4 codes 201/301/351/401; 1.2 RTE 3.3.4 201/401)
    Case("2004", "set", "cmi", "x", code=401, section="2004 RTE 3.1.7.6 (401: not a data model element)"),
    Case("2004", "get", "cmi", code=401, section="2004 RTE 3.1.7.6"),
    Case("2004", "set", "cmi.core.lesson_status", "completed", code=401, section="2004 RTE 3.1.7.6"),
    Case("2004", "get", "cmi.bogus", code=401, section="2004 RTE 3.1.7.6"),
    Case("2004", "get", "", code=301, section="2004 RTE 3.1.7.4 (GetValue(\"\") is 301)"),
    Case("2004", "set", "", "x", code=351, section="2004 RTE 3.1.7.4 (SetValue(\"\") is 351)"),
    Case("1.2", "set", "cmi", "x", code=401, section="1.2 RTE 3.3.4 (401: not implemented)"),
    Case("1.2", "get", "cmi.bogus", code=401, section=_S12),
    Case("1.2", "set", "cmi.completion_status", "completed", code=401, section=_S12),
    Case("1.2", "get", "", code=201, section="1.2 RTE 3.3.4 (201: invalid argument)"),
    # -- keywords (2004 RTE 4.1.1; 1.2 RTE 3.4.2)
    Case("2004", "get", "cmi._version", result="1.0", section="2004 RTE 4.2.1"),
    Case("1.2", "get", "cmi._version", result="3.4", section="1.2 RTE 3.4.4 cmi._version"),
    Case("2004", "set", "cmi._version", "1.0", code=404, section="2004 RTE 4.2.1 (read only)"),
    Case("1.2", "set", "cmi._version", "3.4", code=402, section="1.2 RTE 3.3.4 (402: keyword)"),
    Case("2004", "set", "cmi.interactions._children", "x", code=404, section="2004 RTE 4.1.1"),
    Case("2004", "set", "cmi.interactions._count", "1", code=404, section="2004 RTE 4.1.1"),
    Case("1.2", "set", "cmi.core._children", "x", code=402, section="1.2 RTE 3.4.2"),
    Case("1.2", "set", "cmi.interactions._count", "1", code=402, section="1.2 RTE 3.4.2"),
    Case("2004", "get", "cmi.location._children", code=301, section="2004 RTE 4.1.1 (_children of a leaf: 301)"),
    Case("2004", "get", "cmi.location._count", code=301, section="2004 RTE 4.1.1 (_count of a non-array: 301)"),
    Case("2004", "get", "cmi.learner_preference._count", code=301, section="2004 RTE 4.1.1"),
    Case("1.2", "get", "cmi.core.lesson_location._children", code=202, section="1.2 RTE 3.3.4 (202)"),
    Case("1.2", "get", "cmi.core._count", code=203, section="1.2 RTE 3.3.4 (203)"),
    Case("1.2", "get", "cmi.core.score._count", code=203, section="1.2 RTE 3.3.4 (203)"),
    # -- arrays: counts and indices (2004 RTE 4.1.1, 3.1.7.4: 301 get / 351 set beyond _count)
    Case("2004", "get", "cmi.interactions._count", result="0", section="2004 RTE 4.2.9"),
    Case("2004", "get", "cmi.objectives._count", result="0", section="2004 RTE 4.2.17"),
    Case("2004", "get", "cmi.comments_from_learner._count", result="0", section="2004 RTE 4.2.2"),
    Case("2004", "get", "cmi.comments_from_lms._count", result="0", section="2004 RTE 4.2.3"),
    Case("2004", "get", "cmi.interactions._count", result="2", section="2004 RTE 4.2.9",
         setup=(("cmi.interactions.0.id", "q1"), ("cmi.interactions.1.id", "q2"))),
    Case("2004", "get", "cmi.interactions.0.objectives._count", result="1", section="2004 RTE 4.2.9",
         setup=(("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.objectives.0.id", "o1"))),
    Case("2004", "set", "cmi.interactions.1.id", "q2", code=351, section="2004 RTE 4.1.1 (index beyond _count)"),
    Case("2004", "set", "cmi.objectives.3.id", "o", code=351, section="2004 RTE 4.1.1"),
    Case("2004", "set", "cmi.comments_from_learner.1.comment", "c", code=351, section="2004 RTE 4.1.1"),
    Case("2004", "get", "cmi.interactions.0.id", code=301, section="2004 RTE 4.1.1 (no such entry: 301)"),
    Case("2004", "get", "cmi.objectives.0.id", code=301, section="2004 RTE 4.1.1"),
    Case("2004", "get", "cmi.interactions.0.objectives.0.id", code=301, section="2004 RTE 4.1.1",
         setup=(("cmi.interactions.0.id", "q1"),)),
    Case("2004", "get", "cmi.objectives.0.id", result="o1", state=(("cmi.objectives.0.id", "o1"),),
         section="2004 RTE 4.2.17 (objectives seeded from the manifest)"),
    Case("2004", "get", "cmi.objectives._count", result="2",
         state=(("cmi.objectives.0.id", "o1"), ("cmi.objectives.1.id", "o2")), section="2004 RTE 4.2.17"),
    Case("2004", "set", "cmi.objectives.1.id", "o1", code=351, setup=(("cmi.objectives.0.id", "o1"),),
         section="2004 RTE 4.2.17 (objective ids are unique)"),
    Case("2004", "set", "cmi.objectives.0.id", "o2", code=351, setup=(("cmi.objectives.0.id", "o1"),),
         section="2004 RTE 4.2.17 (an objective id is fixed once set)"),
    Case("2004", "set", "cmi.objectives.0.id", "o1", setup=(("cmi.objectives.0.id", "o1"),),
         section="2004 RTE 4.2.17 (setting the same id again is allowed)"),
    Case("1.2", "get", "cmi.interactions._count", result="0", section="1.2 RTE 3.4.4 cmi.interactions._count"),
    Case("1.2", "get", "cmi.objectives._count", result="1", setup=(("cmi.objectives.0.id", "o1"),),
         section="1.2 RTE 3.4.4 cmi.objectives._count"),
    Case("1.2", "set", "cmi.objectives.2.id", "o", code=201, section="1.2 RTE 3.4.2 (index beyond _count: 201)"),
    Case("1.2", "get", "cmi.objectives.0.id", code=201, section="1.2 RTE 3.4.2"),
]
