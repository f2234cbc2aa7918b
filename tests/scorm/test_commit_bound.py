"""The spec-derived bound on a commit's size (scorm.limits)."""

from __future__ import annotations

import json

from scorm.cmi import validate_commit
from scorm.limits import commit_bound_bytes, largest_data_model_chars


def test_the_largest_legal_2004_commit_fits_under_the_bound() -> None:
    """SCORM 2004 4th ed. RTE 4.2 SPMs: 250 interactions, each at its SPMs, stay under the bound."""
    payload = {"cmi.suspend_data": "x" * 64000, "cmi.location": "l" * 1000}
    for index in range(250):
        payload |= {f"cmi.interactions.{index}.id": f"{index}-" + "i" * 3990,
                    f"cmi.interactions.{index}.type": "long-fill-in",
                    f"cmi.interactions.{index}.learner_response": "r" * 4000,
                    f"cmi.interactions.{index}.description": "d" * 250}
    state, errors = validate_commit("2004", {}, payload)
    assert errors == []
    assert len(json.dumps(payload).encode()) < commit_bound_bytes("2004")


def test_the_bound_is_derived_from_the_tables() -> None:
    """Both versions have a bound; 2004's SPMs are larger than 1.2's limits."""
    assert 0 < largest_data_model_chars("1.2") < largest_data_model_chars("2004")
    assert commit_bound_bytes("2004", 0.5) == largest_data_model_chars("2004") * 2
