"""Rule table: the API's session states, keywords, element names, array indices and counts.

SCORM 2004 4th ed. RTE 3.1.4-3.1.7 (API states and error codes 103-143), 4.1.1 keywords; SCORM 1.2 RTE
3.3.2-3.3.4 (LMSInitialize ... and codes 101-405), 3.4.2 keywords.
"""

from __future__ import annotations

from scorm.cmi.ruletable import Case

_S04 = "2004 RTE 3.1.7"
_S12 = "1.2 RTE 3.3.4"

_BUCKETS = (("adl.data.0.id", "notes"), ("adl.data.1.id", "bank"), ("adl.data.1.store", "7"))
_ACCESS = ((True, True), (True, True))
_S43 = "2004 RTE 4.3"


def _adl_data() -> list[Case]:
    def case(call: str, element: str, value: str = "", **kw: object) -> Case:
        kw.setdefault("state", _BUCKETS)
        kw.setdefault("shared", _ACCESS)
        return Case("2004", call, element, value, **kw)  # type: ignore[arg-type]

    return [
        case("get", "adl.data._count", result="2", section=_S43),
        case("get", "adl.data._children", result="id,store", compare="set", section=_S43),
        case("get", "adl.data.0.id", result="notes", section=_S43),
        case("get", "adl.data.1.store", result="7", section=_S43 + " (the stored value)"),
        case("get", "adl.data.0.store", code=403, section=_S43 + " (store never written: 403)"),
        case("get", "adl.data.2.id", code=301, section=_S43 + " (no such bucket: 301)"),
        case("set", "adl.data.0.id", "x", code=404, section=_S43 + " (id is read only)"),
        case("set", "adl.data.0.store", "x", section=_S43),
        case("get", "adl.data.0.store", result="x", setup=(("adl.data.0.store", "x"),), section=_S43),
        case("set", "adl.data.2.store", "x", code=351, section=_S43 + " (a SCO cannot add a bucket: 351)"),
        case("get", "adl.data.1.store", code=405, shared=((True, True), (False, True)),
             section=_S43 + " (readSharedData false: 405)"),
        case("set", "adl.data.1.store", "8", code=404, shared=((True, True), (True, False)),
             section=_S43 + " (writeSharedData false: 404)"),
    ]


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
    # -- values the SCO may change back (2004 RTE 4.2.4: completion_status is any state at any time)
    Case("2004", "set", "cmi.completion_status", "incomplete", setup=(("cmi.completion_status", "completed"),),
         section="2004 RTE 4.2.4 (completed back to incomplete is allowed)"),
    Case("2004", "get", "cmi.completion_status", result="incomplete",
         setup=(("cmi.completion_status", "completed"), ("cmi.completion_status", "incomplete")),
         section="2004 RTE 4.2.4 (completed back to incomplete is stored)"),
    Case("2004", "get", "cmi.success_status", result="failed",
         setup=(("cmi.success_status", "passed"), ("cmi.success_status", "failed")), section="2004 RTE 4.2.22"),
    Case("1.2", "get", "cmi.core.lesson_status", result="incomplete",
         setup=(("cmi.core.lesson_status", "completed"), ("cmi.core.lesson_status", "incomplete")),
         section="1.2 RTE 3.4.4 cmi.core.lesson_status"),
    # -- evaluated statuses (2004 RTE 4.2.4.1 and 4.2.22.1: the LMS answers from the threshold / passing score)
    Case("2004", "get", "cmi.completion_status", result="completed", state=(("cmi.completion_threshold", "0.8"),),
         setup=(("cmi.progress_measure", "0.9"),), section="2004 RTE 4.2.4.1 (progress >= threshold)"),
    Case("2004", "get", "cmi.completion_status", result="incomplete", state=(("cmi.completion_threshold", "0.8"),),
         setup=(("cmi.completion_status", "completed"), ("cmi.progress_measure", "0.5")),
         section="2004 RTE 4.2.4.1 (progress < threshold overrides the SCO)"),
    Case("2004", "get", "cmi.completion_status", result="unknown", state=(("cmi.completion_threshold", "0.8"),),
         setup=(("cmi.completion_status", "completed"),), section="2004 RTE 4.2.4.1 (threshold, no progress)"),
    Case("2004", "get", "cmi.success_status", result="passed", state=(("cmi.scaled_passing_score", "0.5"),),
         setup=(("cmi.score.scaled", "0.7"),), section="2004 RTE 4.2.22.1 (scaled >= passing score)"),
    Case("2004", "get", "cmi.success_status", result="failed", state=(("cmi.scaled_passing_score", "0.5"),),
         setup=(("cmi.success_status", "passed"), ("cmi.score.scaled", "0.2")),
         section="2004 RTE 4.2.22.1 (scaled < passing score overrides the SCO)"),
    Case("2004", "get", "cmi.success_status", result="unknown", state=(("cmi.scaled_passing_score", "0.5"),),
         setup=(("cmi.success_status", "passed"),), section="2004 RTE 4.2.22.1 (passing score, no scaled score)"),
    Case("2004", "get", "cmi.completion_status", result="completed", setup=(("cmi.completion_status", "completed"),
         ("cmi.progress_measure", "0.1")), section="2004 RTE 4.2.4.1 (no threshold: the SCO's status)"),
    # -- resume: every stored array entry comes back (2004 RTE 4.2.2; 250 comments is the SPM)
    Case("2004", "get", "cmi.comments_from_learner._count", result="15", section="2004 RTE 4.2.2 (resume)",
         state=tuple((f"cmi.comments_from_learner.{i}.comment", f"c{i}") for i in range(15))),
    Case("2004", "get", "cmi.comments_from_learner.14.comment", result="c14", section="2004 RTE 4.2.2 (resume)",
         state=tuple((f"cmi.comments_from_learner.{i}.comment", f"c{i}") for i in range(15))),
    Case("2004", "get", "cmi.interactions._count", result="12", section="2004 RTE 4.2.9 (resume)",
         state=tuple((f"cmi.interactions.{i}.id", f"q{i}") for i in range(12))),
    # -- adl.data shared data buckets (2004 4th ed. RTE 4.3; CAM adlcp:data/adlcp:map)
    *_adl_data(),
    Case("1.2", "get", "cmi.interactions._count", result="0", section="1.2 RTE 3.4.4 cmi.interactions._count"),
    Case("1.2", "get", "cmi.objectives._count", result="1", setup=(("cmi.objectives.0.id", "o1"),),
         section="1.2 RTE 3.4.4 cmi.objectives._count"),
    Case("1.2", "set", "cmi.objectives.2.id", "o", code=201, section="1.2 RTE 3.4.2 (index beyond _count: 201)"),
    Case("1.2", "get", "cmi.objectives.0.id", code=201, section="1.2 RTE 3.4.2"),
]
