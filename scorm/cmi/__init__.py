"""The SCORM 1.2 and 2004 run-time data models: tables, validation with the standard error codes,
time-interval arithmetic, server-side commit validation and the meaning of the stored data.

The LMS commit endpoint uses::

    state, errors = validate_commit(version, prior_state, payload, keep_best=False)
    result = outcome(version, state, launch_data)            # during the session
    result = final_outcome(version, state, launch_data)      # when the session has ended

and at launch ``launch_state`` (entry and data by :func:`launch_plan`); see ``docs/conformance.md``.
"""

from scorm.cmi.api import RuntimeApi
from scorm.cmi.attempts import (
    LaunchPlan,
    SessionEnd,
    add_session_time,
    launch_plan,
    session_end,
    session_seconds,
)
from scorm.cmi.codes import CODES_12, CODES_2004
from scorm.cmi.commit import CommitError, launch_state, validate_commit
from scorm.cmi.datamodel import DataModel
from scorm.cmi.model12 import SCORM12
from scorm.cmi.model2004 import SCORM2004
from scorm.cmi.outcome import Outcome, final_outcome, finish_values, outcome
from scorm.cmi.spec import Element, Model, normalise_version
from scorm.cmi.timeinterval import format_interval, parse_interval

__all__ = [
    "CODES_12",
    "CODES_2004",
    "SCORM12",
    "SCORM2004",
    "CommitError",
    "DataModel",
    "Element",
    "LaunchPlan",
    "Model",
    "Outcome",
    "RuntimeApi",
    "SessionEnd",
    "add_session_time",
    "final_outcome",
    "finish_values",
    "format_interval",
    "launch_plan",
    "launch_state",
    "normalise_version",
    "outcome",
    "parse_interval",
    "session_end",
    "session_seconds",
    "validate_commit",
]
