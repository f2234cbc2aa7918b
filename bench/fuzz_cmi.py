"""Coverage-guided fuzzing of ``scorm.cmi`` with atheris (not a test; run by hand for long sessions).

    .venv/bin/python bench/fuzz_cmi.py -max_total_time=300

Each input is decoded into a version, a prior state and a commit payload; ``validate_commit`` and
``DataModel`` must answer with error codes and never raise (``outcome`` may raise ``ScormError`` only).
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from scorm.cmi import DataModel, outcome, validate_commit
    from scorm.errors import ScormError

_NAMES = [
    "cmi.core.lesson_status", "cmi.core.session_time", "cmi.core.score.raw", "cmi.suspend_data",
    "cmi.completion_status", "cmi.success_status", "cmi.session_time", "cmi.score.scaled",
    "cmi.interactions.0.id", "cmi.interactions.0.type", "cmi.interactions.0.correct_responses.0.pattern",
    "cmi.interactions.0.learner_response", "cmi.objectives.0.id", "cmi.objectives.1.id", "adl.nav.request",
]


def _value(data: atheris.FuzzedDataProvider) -> object:
    kind = data.ConsumeIntInRange(0, 4)
    if kind == 0:
        return data.ConsumeUnicodeNoSurrogates(40)
    if kind == 1:
        return data.ConsumeInt(8)
    if kind == 2:
        return data.ConsumeFloat()
    if kind == 3:
        return None
    return data.ConsumeUnicode(20)


def test_one_input(raw: bytes) -> None:
    """Run one fuzz input through the commit, the data model and the outcome."""
    data = atheris.FuzzedDataProvider(raw)
    version = "1.2" if data.ConsumeBool() else "2004"
    payload: dict[str, object] = {}
    for _ in range(data.ConsumeIntInRange(0, 12)):
        name = data.PickValueInList(_NAMES) if data.ConsumeBool() else data.ConsumeUnicode(30)
        payload[name] = _value(data)
    state, errors = validate_commit(version, {}, payload)
    model = DataModel(version, state)
    for name in payload:
        model.get_value(name)
    with contextlib.suppress(ScormError):
        outcome(version, state, {"mastery_score": _value(data)})


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
