"""Run a rule-table case against ``scorm.cmi``'s :class:`~scorm.cmi.api.RuntimeApi`.

``tests/e2e/rte_rule_table.js`` does the same against scorm-again in the browser; keep the two in step.
"""

from __future__ import annotations

from scorm.cmi.api import RuntimeApi
from scorm.cmi.ruletable import Case

__all__ = ["Answer", "agrees", "run_case"]

#: (return value, error code)
Answer = tuple[str, int]


def run_case(case: Case) -> Answer:
    """Make the case's call on a fresh API; raises AssertionError when a setup call fails."""
    api = RuntimeApi(case.version, dict(case.state))
    if case.phase != "before" and not (case.call == "init" and case.phase == "before"):
        assert api.initialize("") == "true", "Initialize failed"
    for element, value in case.setup:
        assert api.set_value(element, value) == "true", f"setup SetValue({element!r}) -> {api.get_last_error()}"
    if case.phase == "after":
        assert api.terminate("") == "true", "Terminate failed"
    calls = {
        "get": lambda: api.get_value(case.element),
        "set": lambda: api.set_value(case.element, case.value),
        "init": lambda: api.initialize(case.value),
        "term": lambda: api.terminate(case.value),
        "commit": lambda: api.commit(case.value),
    }
    result = calls[case.call]()
    return result, int(api.get_last_error())


def agrees(case: Case, answer: Answer) -> bool:
    """Whether an answer is the one the case requires."""
    result, code = answer
    if code != case.code:
        return False
    if case.compare == "set":
        return set(result.split(",")) == set(case.expected.split(","))
    return result == case.expected
