"""scorm-again 3.4.3 in Chromium against the ONE rule table (scorm/cmi/ruletable), raw and through
lms/static/js/rte_adapter.js.

The page is minimal (no LMS player): the vendored bundle lms/static/vendor/scorm-again/scorm-again.min.js,
the adapter and tests/e2e/rte_rule_table.js (the runner, the twin of scorm/cmi/ruletable/run.py). The
cases are exported to JSON at test time, so the browser and ``scorm.cmi`` answer the same table.
Each scorm-again deviation (D1..D9 in the adapter's header and docs/conformance.md) has a test below
showing raw scorm-again differs from the book and the adapter fixes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scorm.cmi.ruletable import Case, all_cases, as_json

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "lms" / "static" / "vendor" / "scorm-again" / "scorm-again.min.js"
ADAPTER = ROOT / "lms" / "static" / "js" / "rte_adapter.js"
RUNNER = Path(__file__).resolve().parent / "rte_rule_table.js"
CASES = all_cases()


@pytest.fixture
def rte_page(page):
    """A blank page with scorm-again, the adapter and the rule-table runner loaded."""
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE} is missing: run `npm ci && npm run build` (scripts/copy-vendor.mjs)")
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    for script in (BUNDLE, ADAPTER, RUNNER):
        page.add_script_tag(path=str(script))
    return page


def _run(page, cases: list[Case] | None = None, *, wrap: bool) -> dict[str, tuple[str | None, int | None, str | None]]:
    exported = json.loads(as_json())
    if cases is not None:
        wanted = {case.ident for case in cases}
        exported = [case for case in exported if case["ident"] in wanted]
    answers = page.evaluate("([cases, wrap]) => window.rteRuleTable.run(cases, wrap)", [exported, wrap])
    return {a["ident"]: (a["result"], a["code"], a["setupError"]) for a in answers}


def _agrees(case: Case, answer: tuple[str | None, int | None, str | None]) -> bool:
    result, code, setup_error = answer
    if setup_error or code != case.code or result is None:
        return False
    if case.compare == "set":
        return set(result.split(",")) == set(case.expected.split(","))
    return result == case.expected


def _disagreements(page, cases: list[Case], *, wrap: bool) -> list[str]:
    answers = _run(page, cases, wrap=wrap)
    return [f"{case.ident} [{case.section}] got {answers[case.ident]}" for case in cases
            if not _agrees(case, answers[case.ident])]


def test_scorm_again_with_the_adapter_follows_the_whole_rule_table(rte_page) -> None:
    """Every case of the table (SCORM 1.2 RTE 3.3-3.4, SCORM 2004 4th ed. RTE 3.1, 4.1-4.4) through the adapter."""
    assert _disagreements(rte_page, CASES, wrap=True) == []


def _select(predicate) -> list[Case]:
    chosen = [case for case in CASES if predicate(case)]
    assert chosen, "the table has no such case"
    return chosen


DEVIATIONS = {
    "D1 SetValue/GetValue('cmi') is 401 (2004 RTE 3.1.7.6; 1.2 RTE 3.3.4)":
        lambda c: c.element == "cmi",
    "D2 every comments_from_learner entry comes back on resume (2004 RTE 4.2.2)":
        lambda c: c.state and c.element.startswith("cmi.comments_from_learner"),
    "D3 GetValue of a missing array entry is 301 (2004 RTE 4.1.1, 3.1.7.4)":
        lambda c: c.call == "get" and c.code == 301 and ".0." in c.element,
    "D4 values the book forbids are refused (2004 RTE 4.1.1 language_type, timeinterval)":
        lambda c: c.element in {"cmi.learner_preference.language", "cmi.session_time"} and c.code == 406,
    "D4 response patterns the book forbids are refused (2004 RTE 4.2.9.1)":
        lambda c: c.element.endswith("pattern") and c.value in {"1:5", "{lang=}x", "a b"},
    "D4 1.2 vocabularies and CMITimespan (1.2 RTE 3.4.3)":
        lambda c: c.version == "1.2" and (c.value, c.code) in {("normal", 405), ("00:60:00", 405), ("incorrect", 405)},
    "D5 values the book allows are stored (2004 RTE 4.1.1 characterstring, time, real)":
        lambda c: (c.element, c.value) in {("cmi.location", ""), ("cmi.learner_preference.delivery_speed", "0"),
                                           ("cmi.comments_from_learner.0.timestamp", "2026-12-04T10:15:30Z")},
    "D6 dependencies are established first: 408 (2004 RTE 4.2.9, 4.2.17)":
        lambda c: c.code == 408 and c.element in {"cmi.objectives.0.score.scaled", "cmi.interactions.0.result"},
    "D7 audio_captioning is a state: 406 (2004 RTE 4.2.13)":
        lambda c: c.element == "cmi.learner_preference.audio_captioning" and c.code == 406 and c.value == "2",
    "D8 initial values (2004 RTE 4.4.1 adl.nav.request, 4.2.10 launch_data; 1.2 RTE 3.4.4 score.max)":
        lambda c: c.call == "get" and not c.setup and c.element in {"adl.nav.request", "cmi.launch_data",
                                                                     "cmi.core.score.max"} and not c.state,
    "D9 1.2 LMSGetValue('') is 201 and calls after LMSFinish are 101 (1.2 RTE 3.3.4)":
        lambda c: c.version == "1.2" and (c.phase == "after" or (c.call == "get" and c.element == "")),
}


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_each_scorm_again_deviation_is_real_and_fixed_by_the_adapter(rte_page, name: str) -> None:
    """Raw scorm-again 3.4.3 answers these cases against the book; through the adapter it follows it."""
    cases = _select(DEVIATIONS[name])
    assert _disagreements(rte_page, cases, wrap=False), f"{name}: scorm-again already follows the book"
    assert _disagreements(rte_page, cases, wrap=True) == []


def test_values_the_adapter_stores_reach_the_commit(rte_page) -> None:
    """D5 (2004 RTE 4.1.1): a value stored past scorm-again's check is in the data it commits, and the
    adapter reports whether the SCO set its own session time (RTE 4.2.21)."""
    payload = rte_page.evaluate("""() => {
        var api = new window.Scorm2004API({autocommit: false, lmsCommitUrl: false, logLevel: 5});
        window.lmsRteAdapter.wrap(api, "2004", {state: {"cmi.location": "p1"}});
        var before = window.lmsRteAdapter.info(api).sessionTimeSet;
        api.Initialize("");
        api.SetValue("cmi.location", "");
        api.SetValue("cmi.learner_preference.delivery_speed", "0");
        api.SetValue("cmi.session_time", "PT2M");
        var cmi = api.renderCommitCMI(true);
        return {before: before, info: window.lmsRteAdapter.info(api), json: JSON.stringify(cmi),
                location: api.GetValue("cmi.location"), speed: api.GetValue("cmi.learner_preference.delivery_speed")};
    }""")
    assert payload["before"] is False and payload["info"] == {"phase": "running", "sessionTimeSet": True}
    assert (payload["location"], payload["speed"]) == ("", "0")
    committed = json.loads(payload["json"])
    flat = json.dumps(committed)
    assert '"delivery_speed": "0"' in flat and '"location": ""' in flat
