"""scorm.cmi against the ONE rule table (scorm/cmi/ruletable): every SCORM 1.2 and 2004 element and rule.

Each case cites its RTE section (SCORM 2004 4th ed. RTE / SCORM 1.2 RTE) in ``case.section``; the same
cases run against scorm-again in Chromium in tests/e2e/test_rte_rule_table.py.
"""

from __future__ import annotations

import json

import pytest

from scorm.cmi.ruletable import Case, all_cases, as_json
from scorm.cmi.ruletable.run import agrees, run_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.ident for case in CASES])
def test_scorm_cmi_follows_the_rule_table(case: Case) -> None:
    """The RTE book's answer (return value and error code) for this call; see ``case.section``."""
    answer = run_case(case)
    assert agrees(case, answer), f"{case.section}: got {answer}, book says {(case.expected, case.code)}"


def test_the_table_covers_both_versions_and_every_call() -> None:
    """The table is not trivially small: every API call kind in both versions, hundreds of values."""
    assert {(case.version, case.call) for case in CASES} >= {
        (version, call) for version in ("1.2", "2004") for call in ("get", "set", "init", "term", "commit")}
    assert len(CASES) > 500 and all(case.section for case in CASES)


def test_the_json_export_round_trips() -> None:
    """The browser test reads the same cases as JSON."""
    exported = json.loads(as_json())
    assert len(exported) == len(CASES)
    assert exported[0]["expected"] == CASES[0].expected and exported[0]["version"] == CASES[0].version


def test_case_idents_are_unique() -> None:
    """The browser test pairs answers with cases by ident."""
    assert len({case.ident for case in CASES}) == len(CASES)
