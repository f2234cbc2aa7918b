"""The fast commit merge gives exactly what the reference merge gave (``commit_oracle``): the same stored
state (values and their order: it is stored and answered as JSON) and the same refused elements, for
random commits over both rule tables — valid and invalid values of every type, arrays with holes,
interactions whose ``type`` changes under re-sent responses (2004 RTE 4.2.9.1: the response format
depends on the type), re-sent (echoed) elements whose stored value a changed context no longer
accepts, ``keep_best``, the session time added to the total (RTE 1.2 3.4.2.1.4 / 2004 RTE 4.2.19),
shared data permissions (2004 RTE 4.3) and stored states that are not plain strings.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorm.cmi import SCORM12, SCORM2004, DataModel, validate_commit
from scorm.cmi.spec import Element
from tests.scorm.commit_oracle import OracleModel, oracle_validate_commit

_BY_TYPE: dict[str, list[str]] = {
    "CMIString255": ["", "p3", "x" * 255, "x" * 256],
    "CMIString4096": ["", "slide=3", "s" * 4096, "s" * 4097],
    "CMIFeedback": ["", "a", "x" * 256],
    "CMIIdentifier": ["q1", "obj-2", "a b", "", "x" * 256],
    "CMIDecimal": ["0", "50", "100", "100.5", "-1", "", "abc", "1e2", "80"],
    "CMISInteger": ["-1", "0", "1", "100", "101", "1.5", "-101", ""],
    "CMITime": ["10:00:00", "23:59:59.5", "25:00:00", "bad"],
    "CMITimespan": ["00:00:01", "0000:10:00.50", "1:00:00", "PT1H", "9999:59:59.99"],
    "CMIResult": ["0.5", "x", "99"],
    "characterstring": ["", "free text", "s" * 300],
    "localized_string_type": ["{lang=vi}Câu 1", "plain", "{lang=}x", "{lang=en-GB}"],
    "long_identifier_type": ["urn:q1", "q2", " ", "", "urn:obj:1"],
    "language_type": ["vi", "en-US", "zz-zz-zz-zz", "", "i-klingon"],
    "real (10,7)": ["0.5", "-1", "1", "1.1", "-2", "x", "0.0000001", "80"],
    "time (second,10,0)": ["2026-12-05T10:00:00", "2026-12-05T10:00:00.5Z", "1960-01-01", "2026-02-30", "2026"],
    "timeinterval (second,10,2)": ["PT1H", "P", "PT", "PT1.5S", "00:00:01", "P1DT2H3M4.05S", "PT0S"],
    "nav_request": ["{target=sco2}choice", "{target=}jump", "bogus"],
    "correct_response_pattern": ["a", "a[,]b", "true", "1[:]2", "a[.]b", "", "0.5", "{case_matters=true}x", "1[:]"],
    "learner_response": ["a", "a[,]b", "true", "false", "1[:]2", "a[.]b", "", "0.5", "x[.]y[,]z[.]w"],
}
_ODD = [None, True, False, 1, -3, 1.5, float("nan"), Decimal("0.5"), Decimal("1E+50"), [], {}, ["a"], "a\x00b",
        "\ud800", 10**50]


def _values_for(element: Element) -> list[object]:
    words = list(element.vocabulary) + ["bogus", ""] if element.vocabulary else []
    return words + _BY_TYPE.get(element.type, ["x"])


def _names(element: Element) -> st.SearchStrategy[str]:
    indices = st.sampled_from([0, 0, 0, 1, 2])
    return st.tuples(indices, indices).map(
        lambda ij: element.path.replace(".n.", f".{ij[0]}.", 1).replace(".m.", f".{ij[1]}.", 1))


def _entry(model: object) -> st.SearchStrategy[tuple[object, object]]:
    elements = [e for e in model.elements if not e.path.startswith("adl.nav.request_valid")]  # type: ignore[attr-defined]
    known = st.sampled_from(elements).flatmap(
        lambda element: st.tuples(_names(element), st.one_of(st.sampled_from(_values_for(element)),
                                                              st.sampled_from(_ODD))))
    odd_names = st.sampled_from(["", "cmi", "cmi.bogus", "cmi.interactions._count", "cmi.core._children",
                                 "cmi._version", "cmi.interactions.01.id", "cmi.objectives.-1.id", "adl.data._count",
                                 "cmi.interactions.0.objectives._count", "cmi.learner_preference._children"])
    return st.one_of(known, known, known, st.tuples(odd_names, st.sampled_from(["", "x", 0, None])),
                     st.tuples(st.integers(-1, 3), st.just("x")))


def _payload(model: object) -> st.SearchStrategy[dict[object, object]]:
    return st.one_of(st.lists(_entry(model), max_size=25).map(dict), _records(model))


def _records(model: object) -> st.SearchStrategy[dict[object, object]]:
    """Whole array entries, ``id`` and ``type`` with the elements that depend on them: interactions with
    responses and patterns, objectives with scores."""
    version = model.version  # type: ignore[attr-defined]
    response = "student_response" if version == "1.2" else "learner_response"
    types = _values_for(model.element("cmi.interactions.#.type"))  # type: ignore[attr-defined]
    patterns = _BY_TYPE["correct_response_pattern"]
    interaction = st.fixed_dictionaries({
        "id": st.sampled_from(["q1", "q2", ""]), "type": st.sampled_from(types),
        response: st.sampled_from(_BY_TYPE["learner_response"]),
        "correct_responses.0.pattern": st.sampled_from(patterns),
        "correct_responses.1.pattern": st.sampled_from(patterns)})
    objective = st.fixed_dictionaries({"id": st.sampled_from(["obj one", "o2", "o3", ""]),
                                       "score.raw": st.sampled_from(["50", "x", "101"])})
    entries = st.tuples(st.sampled_from(["cmi.interactions", "cmi.objectives"]), st.sampled_from([0, 0, 1]),
                        st.booleans())
    return st.lists(entries, min_size=1, max_size=3).flatmap(lambda chosen: st.tuples(
        *[(interaction if kind == "cmi.interactions" else objective).map(
            lambda fields, kind=kind, i=i, partial=partial: {
                f"{kind}.{i}.{field}": value for n, (field, value) in enumerate(fields.items())
                if not partial or n != 0})
          for kind, i, partial in chosen])).map(lambda parts: {k: v for part in parts for k, v in part.items()})


_TABLES = {"1.2": SCORM12, "2004": SCORM2004}


@st.composite
def _cases(draw: st.DrawFn) -> tuple:
    """(version, prior state, payload, keyword arguments): the prior state is reached by earlier commits
    through the reference merge (a trusted state), sometimes from LMS values that no SCO could set."""
    version = draw(st.sampled_from(["1.2", "2004"]))
    model = _TABLES[version]
    options = {"keep_best": draw(st.booleans()), "strict_suspend_data_limit": draw(st.booleans()),
               "shared_data": tuple(draw(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=3)))}
    seeds = {"1.2": {"cmi.core.student_id": "CB-1", "cmi.core.lesson_status": "not attempted",
                     "cmi.core.total_time": "0000:01:00.00", "cmi.student_data.mastery_score": "80"},
             "2004": {"cmi.learner_id": "CB-1", "cmi.objectives.0.id": "obj one", "cmi.total_time": "PT1M",
                      "adl.data.0.id": "urn:shared", "adl.data.0.store": "kept", "cmi.completion_threshold": "0.8"}}
    prior: dict[object, object] = dict(draw(st.sampled_from([{}, seeds[version]])))
    for _ in range(draw(st.integers(0, 3))):
        earlier = {**draw(_payload(model)), **draw(_echo(prior))}
        prior, _errors = oracle_validate_commit(version, prior, earlier, keep_best=draw(st.booleans()),
                                                strict_suspend_data_limit=draw(st.booleans()),
                                                shared_data=options["shared_data"])
    payload = {**draw(_echo(prior)), **draw(_payload(model))}
    return version, prior, payload, options


def _echo(prior: dict) -> st.SearchStrategy[dict]:
    """A part of the stored state sent back (the runtime sends every element it holds)."""
    names = sorted(k for k in prior if isinstance(k, str))
    if not names:
        return st.just({})
    return st.lists(st.sampled_from(names), max_size=len(names)).map(lambda chosen: {n: prior[n] for n in chosen})


def _same(fast: tuple, reference: tuple) -> None:
    assert list(fast[0].items()) == list(reference[0].items())  # values and their order
    assert fast[1] == reference[1]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_cases())
def test_fast_merge_equals_the_reference_merge(case: tuple) -> None:
    version, prior, payload, options = case
    _same(validate_commit(version, prior, payload, **options),
          oracle_validate_commit(version, prior, payload, **options))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_cases(), st.data())
def test_echoes_in_a_changed_context_are_judged_as_before(case: tuple, data: st.DataObject) -> None:
    """The whole state sent back, with the interaction types, the strictness of the 1.2 suspend_data limit
    and the shared data permissions changed under it."""
    version, prior, _payload_, options = case
    types = [k for k in prior if isinstance(k, str) and k.endswith(".type")]
    payload = {**prior, **{name: data.draw(st.sampled_from(_values_for(SCORM2004.element("cmi.interactions.#.type"))))
                           for name in types}}
    options = {**options, "strict_suspend_data_limit": not options["strict_suspend_data_limit"],
               "shared_data": ((True, False),)}
    _same(validate_commit(version, prior, payload, **options),
          oracle_validate_commit(version, prior, payload, **options))


_ANY_VALUE = st.one_of(st.text(max_size=8), st.sampled_from(_ODD), st.integers(), st.floats(), st.none())
_ANY_NAME = st.one_of(st.sampled_from(["cmi.interactions.3.id", "cmi.interactions.1.objectives.4.id",
                                       "cmi.objectives.0.id", "cmi.objectives._count", "cmi.core._children", "_count",
                                       "adl.nav.request_valid.choice.{target=a.1}", "cmi..0", "cmi.interactions.x1.id",
                                       "cmi.interactions.0001.id", "x" * 300 + ".1"]),
                      st.text(alphabet="cmi.0123_count", max_size=20), st.integers())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["1.2", "2004"]), st.dictionaries(_ANY_NAME, _ANY_VALUE, max_size=12),
       st.dictionaries(_ANY_NAME, _ANY_VALUE, max_size=6))
def test_any_stored_state_loads_and_merges_as_before(version: str, prior: dict, payload: dict) -> None:
    """States that are not plain strings (an LMS bug, an old row): the same values kept, the same counts."""
    model = DataModel(version, prior)
    oracle = OracleModel(version, prior, strict_suspend_data_limit=False, shared_data=())
    assert list(model.state().items()) == list(oracle.state().items())
    arrays = {*oracle._counts, "cmi.interactions", "cmi.objectives", "cmi.interactions.0.objectives", "adl.data"}
    assert {array: model.count(array) for array in arrays} == {array: oracle.count(array) for array in arrays}
    _same(validate_commit(version, prior, payload), oracle_validate_commit(version, prior, payload))


def _both(version: str, prior: dict, payload: dict, **options: object) -> tuple:
    fast = validate_commit(version, prior, payload, **options)  # type: ignore[arg-type]
    _same(fast, oracle_validate_commit(version, prior, payload, **options))  # type: ignore[arg-type]
    return fast


def test_a_response_sent_again_under_a_new_interaction_type_is_checked_again() -> None:
    """2004 RTE 4.2.9.1: the learner response's format is the interaction type's; a stored "a" re-sent when
    the type became numeric is refused (406), as it was before the merge was made fast."""
    prior = {"cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
             "cmi.interactions.0.learner_response": "a"}
    state, errors = _both("2004", prior, {**prior, "cmi.interactions.0.type": "numeric"})
    assert [(e.element, e.code) for e in errors] == [("cmi.interactions.0.learner_response", 406)]
    assert state["cmi.interactions.0.learner_response"] == "a"  # the stored value is not removed


def test_a_long_suspend_data_sent_again_under_the_strict_limit_is_refused() -> None:
    """1.2 RTE 3.4.2.6: CMIString4096; kept when the limit is relaxed, refused again once it is enforced."""
    prior = {"cmi.suspend_data": "s" * 5000}
    _state, errors = _both("1.2", prior, dict(prior), strict_suspend_data_limit=True)
    assert [(e.element, e.code) for e in errors] == [("cmi.suspend_data", 405)]


def test_an_lms_value_no_sco_could_set_is_refused_when_sent_back() -> None:
    """A seeded 1.2 objective id with a space (not a CMIIdentifier, RTE 3.4.3) sent back is refused (405);
    "not attempted" sent back is ignored (the runtime's initial value)."""
    prior = {"cmi.objectives.0.id": "obj one", "cmi.core.lesson_status": "not attempted"}
    _state, errors = _both("1.2", prior, dict(prior))
    assert [(e.element, e.code) for e in errors] == [("cmi.objectives.0.id", 405)]


def test_a_store_sent_back_to_a_bucket_no_longer_writable_is_refused() -> None:
    """2004 RTE 4.3: writeSharedData false → 404 on SetValue, also for the value read at launch."""
    prior = {"adl.data.0.id": "urn:shared", "adl.data.0.store": "kept"}
    _state, errors = _both("2004", prior, {"adl.data.0.store": "kept"}, shared_data=((True, False),))
    assert [(e.element, e.code) for e in errors] == [("adl.data.0.store", 404)]
