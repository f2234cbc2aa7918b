"""Rule table: SCORM 2004 4th ed. interaction responses, per type (RTE 4.2.9.1 correct_responses.n.pattern,
4.2.9.2 learner_response), the dependency on ``id`` and ``type`` (408) and the pattern counts (351).
"""

from __future__ import annotations

from scorm.cmi.ruletable import Case

_OK, _TYPE = 0, 406

# type: (valid patterns, invalid patterns, valid learner responses, invalid learner responses)
RESPONSES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "true-false": (["true", "false"], ["yes", "1", "True", ""], ["true", "false"], ["no", "0", ""]),
    "choice": (["a", "a[,]b[,]c", "choice-1[,]choice-2"], ["a[,]a", "a[,]", "[,]b", "a b"],
               ["a", "a[,]b"], ["a[,]a", "a[,]"]),
    "fill-in": (["Hà Nội", "{case_matters=true}Hà Nội", "{order_matters=false}a[,]b",
                 "{case_matters=false}{order_matters=true}{lang=vi}một[,]hai", "{lang=en}one"],
                ["{case_matters=maybe}x", "{order_matters=yes}x", "{lang=}x"],
                ["Hà Nội", "{lang=vi}Hà Nội", "a[,]b"], ["{lang=}x"]),
    "long-fill-in": (["a long answer", "{case_matters=true}{lang=en}Long text"],
                     ["{case_matters=1}x", "{lang=}x"], ["{lang=vi}Một câu trả lời dài", "free text"], ["{lang=}x"]),
    "likert": (["strongly_agree", "likert-5"], ["a[,]b", "a b"], ["agree"], ["a[,]b"]),
    "matching": (["a[.]1", "a[.]1[,]b[.]2", "tile1[.]target1[,]tile2[.]target1"],
                 ["a", "a[.]", "[.]1", "a[.]1[.]2", "a[.]1[,]"],
                 ["a[.]1[,]b[.]2"], ["a", "a[.]1[,]b"]),
    "performance": (["step1[.]answer", "{order_matters=false}s1[.]a[,]s2[.]b", "s1[.]1[:]5"],
                    ["{order_matters=x}s[.]a", "{case_matters=true}s[.]a", "s1[.]a[.]b"],
                    ["step1[.]answer[,]step2[.]b"], ["s1[.]a[.]b"]),
    "sequencing": (["a[,]b[,]c", "c[,]a"], ["a[,]", "[,]", "a b"], ["a[,]b[,]c"], ["a[,]"]),
    "numeric": (["5", "1[:]5", "1.5[:]", "[:]10", "-2[:]2"], ["abc", "5[:]1", "1[:]x", "1:5"],
                ["12.5", "-3", "0"], ["abc", "1[:]5", ""]),
    "other": (["anything at all", "a[,]b[.]c"], [], ["anything", ""], []),
}

#: RTE 4.2.9.1: how many correct-response patterns each type may hold
PATTERN_COUNT = {"true-false": 1, "likert": 1, "numeric": 1, "other": 1}


def _setup(interaction_type: str) -> tuple[tuple[str, str], ...]:
    return (("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", interaction_type))


def _type_cases(interaction_type: str) -> list[Case]:
    good, bad, responses, bad_responses = RESPONSES[interaction_type]
    pattern, response = "cmi.interactions.0.correct_responses.0.pattern", "cmi.interactions.0.learner_response"
    setup = _setup(interaction_type)
    section = f"2004 RTE 4.2.9.1 correct_responses ({interaction_type})"
    answer = f"2004 RTE 4.2.9.2 learner_response ({interaction_type})"
    cases = [Case("2004", "set", pattern, value, code=_OK, setup=setup, section=section) for value in good]
    cases += [Case("2004", "set", pattern, value, code=_TYPE, setup=setup, section=section) for value in bad]
    cases += [Case("2004", "set", response, value, code=_OK, setup=setup, section=answer) for value in responses]
    cases += [Case("2004", "set", response, value, code=_TYPE, setup=setup, section=answer) for value in bad_responses]
    cases.append(Case("2004", "get", response, result=responses[0], setup=(*setup, (response, responses[0])),
                      section=answer + " (stored as set)"))
    if interaction_type in PATTERN_COUNT:
        cases.append(Case("2004", "set", "cmi.interactions.0.correct_responses.1.pattern", good[0], code=351,
                          setup=(*setup, (pattern, good[0])), section=section + ": one pattern only (351)"))
    return cases


CASES: list[Case] = [
    *(case for interaction_type in RESPONSES for case in _type_cases(interaction_type)),
    Case("2004", "set", "cmi.interactions.0.learner_response", "true", code=408,
         setup=(("cmi.interactions.0.id", "q1"),), section="2004 RTE 4.2.9.2 (type must be set first: 408)"),
    Case("2004", "set", "cmi.interactions.0.correct_responses.0.pattern", "true", code=408,
         setup=(("cmi.interactions.0.id", "q1"),), section="2004 RTE 4.2.9.1 (type must be set first: 408)"),
    Case("2004", "set", "cmi.interactions.0.correct_responses.1.pattern", "b", code=0,
         setup=(*_setup("choice"), ("cmi.interactions.0.correct_responses.0.pattern", "a")),
         section="2004 RTE 4.2.9.1 choice: several patterns"),
    Case("2004", "get", "cmi.interactions.0.correct_responses._count", result="1",
         setup=(*_setup("choice"), ("cmi.interactions.0.correct_responses.0.pattern", "a")),
         section="2004 RTE 4.2.9.1"),
]
