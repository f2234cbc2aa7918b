"""ONE rule table for the SCORM run-time API: every case written once, as data, with its book section.

Each :class:`Case` is one API call in a known situation (state the LMS loaded, calls made first, the
session's phase) and the answer the RTE book requires: the return value and the error code. Two
enforcers are tested against the same cases:

* ``scorm.cmi`` (:class:`~scorm.cmi.api.RuntimeApi`) in ``tests/scorm/test_rule_table.py``;
* scorm-again in Chromium, wrapped by ``lms/static/js/rte_adapter.js``, in
  ``tests/e2e/test_rte_rule_table.py`` (the cases go to the page as :func:`as_json`).

Sources: SCORM 2004 4th edition RTE (sections 3.1.7 error codes, 4.1 types, 4.2 cmi, 4.4 adl.nav),
SCORM 1.2 RTE (3.3 API and error codes, 3.4 data model). The cases are grouped by concern in the
modules of this package; :func:`all_cases` gathers them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

__all__ = ["Case", "all_cases", "as_json"]


@dataclass(frozen=True)
class Case:
    """One API call and the answer the book requires.

    The runner loads ``state`` (what the LMS hands the runtime: values it seeds), calls Initialize unless
    ``phase`` is "before", makes the ``setup`` SetValue calls (each must succeed), calls Terminate when
    ``phase`` is "after", then makes ``call`` and compares the return value and the error code.
    """

    version: str
    #: "get", "set", "init", "term" or "commit" (the 1.2 calls are LMSGetValue ...)
    call: str
    element: str = ""
    value: str = ""
    #: expected return value; for "set"/"init"/"term"/"commit" "true" when ``code`` is 0 else "false"
    result: str | None = None
    code: int = 0
    section: str = ""
    setup: tuple[tuple[str, str], ...] = ()
    state: tuple[tuple[str, str], ...] = ()
    #: "before" (no Initialize), "running" or "after" (Terminate called)
    phase: str = "running"
    #: "exact" or "set" (a comma-separated list compared as a set: ``_children``)
    compare: str = "exact"

    @property
    def expected(self) -> str:
        """The return value the call must give."""
        if self.result is not None:
            return self.result
        if self.call == "get":
            return ""
        return "true" if self.code == 0 else "false"

    @property
    def ident(self) -> str:
        """A readable, unique-enough id for test reports."""
        shown = self.value if len(self.value) <= 24 else self.value[:21] + "..."
        before = f"[{len(self.setup)}]" if self.setup else ""
        digest = hashlib.sha256(repr((self.setup, self.state, self.value, self.section)).encode()).hexdigest()[:6]
        return f"{self.version}:{self.phase}:{self.call}{before}:{self.element}={shown!r}->{self.code}#{digest}"


def all_cases() -> list[Case]:
    """Every case of the table, both versions."""
    from scorm.cmi.ruletable import access, interactions, session, types12, types2004

    cases = [*session.CASES, *access.cases(), *types2004.CASES, *interactions.CASES, *types12.CASES]
    return cases


def as_json() -> str:
    """The table as JSON (a list of objects with the fields of :class:`Case` plus ``expected``/``ident``)."""
    return json.dumps([{**asdict(case), "expected": case.expected, "ident": case.ident} for case in all_cases()],
                      ensure_ascii=False)
