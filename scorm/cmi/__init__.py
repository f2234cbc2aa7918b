"""The SCORM 1.2 and 2004 run-time data models: tables, validation with the standard error codes,
time-interval arithmetic, server-side commit validation and the meaning of the stored data.

The LMS commit endpoint uses::

    state, errors = validate_commit(version, prior_state, payload)
    result = outcome(version, state, launch_data)
"""

from scorm.cmi.api import RuntimeApi
from scorm.cmi.codes import CODES_12, CODES_2004
from scorm.cmi.commit import CommitError, launch_state, validate_commit
from scorm.cmi.datamodel import DataModel
from scorm.cmi.model12 import SCORM12
from scorm.cmi.model2004 import SCORM2004
from scorm.cmi.outcome import Outcome, outcome
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
    "Model",
    "Outcome",
    "RuntimeApi",
    "format_interval",
    "launch_state",
    "normalise_version",
    "outcome",
    "parse_interval",
    "validate_commit",
]
