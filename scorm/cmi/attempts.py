"""Attempt rules: what a SCO session's end means for its next launch, exactly as each book says.

SCORM 2004 4th ed. (RTE 4.2.8 ``cmi.entry``, RTE 4.2.10 ``cmi.exit``, SN 4.2.1 / 4.6 and the
``suspendAll`` navigation request, RTE 4.4.2):

* ``cmi.exit`` = ``suspend`` → the learner attempt is suspended: the next launch resumes it with the
  stored data and ``cmi.entry`` = ``resume``.
* ``adl.nav.request`` = ``suspendAll`` → the whole activity tree is suspended: this SCO's attempt is
  suspended as above (whatever ``cmi.exit`` says) and the LMS remembers it as the activity to resume:
  the next launch of the course opens this SCO, with ``entry`` ``resume``.
* ``cmi.exit`` = ``""``, ``normal``, ``time-out``, ``logout`` (or never set) → the learner attempt ends:
  the next launch is a new learner attempt, ``entry`` = ``ab-initio``, fresh data except what the
  manifest seeds.

SCORM 1.2 (1.2 RTE 3.4.4 ``cmi.core.entry``/``cmi.core.exit``): ``entry`` is ``ab-initio`` at the first
launch, ``resume`` only after ``exit`` = ``suspend``, else ``""``; 1.2 has no learner-attempt
boundary, so the stored data is kept and the LMS's own attempt policy decides when to start afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scorm.cmi.spec import Version, normalise_version
from scorm.cmi.timeinterval import format_interval, parse_interval
from scorm.errors import CmiError

__all__ = ["LaunchPlan", "SessionEnd", "add_session_time", "launch_plan", "session_end", "session_seconds"]

_EXIT = {"1.2": "cmi.core.exit", "2004": "cmi.exit"}
_SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
_TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}


@dataclass(frozen=True)
class SessionEnd:
    """How one SCO session ended, read from the state the SCO left (at Terminate/LMSFinish)."""

    #: the ``exit`` value the SCO set ("" when never set)
    exit: str
    #: 2004 ``adl.nav.request`` ("" when never set or ``_none_``)
    nav_request: str
    #: the attempt is suspended (exit suspend, or suspendAll): resume it next time
    suspended: bool
    #: 2004 ``suspendAll``: the LMS must remember this SCO as the one to resume (save the position)
    suspend_all: bool
    #: 2004: the learner attempt on this SCO is over (any exit but suspend, and no suspendAll)
    attempt_ended: bool


def session_end(version: Version, state: Mapping[str, object]) -> SessionEnd:
    """Read how a session ended from the SCO's state (the state committed at Terminate/LMSFinish).

    >>> session_end("2004", {"cmi.exit": "normal"}).attempt_ended
    True
    >>> session_end("2004", {"adl.nav.request": "suspendAll"}).suspended
    True
    """
    version = normalise_version(version)
    exit_ = _text(state.get(_EXIT[version]))
    request = _text(state.get("adl.nav.request")) if version == "2004" else ""
    request = "" if request == "_none_" else request
    suspend_all = request == "suspendAll"
    suspended = exit_ == "suspend" or suspend_all
    return SessionEnd(exit_, request, suspended, suspend_all, version == "2004" and not suspended)


@dataclass(frozen=True)
class LaunchPlan:
    """What the next launch of a SCO must be."""

    #: the value of ``cmi.entry`` / ``cmi.core.entry``
    entry: str
    #: start from fresh data (only the manifest seeds and LMS values): a new learner attempt
    new_attempt: bool


def launch_plan(version: Version, previous: SessionEnd | None) -> LaunchPlan:
    """The entry value and whether to start afresh, given how the previous session ended.

    ``previous`` is None at the first launch of the SCO (or after the LMS's own attempt policy
    started a new attempt): ``ab-initio`` with fresh data, in both versions.

    >>> launch_plan("2004", session_end("2004", {"cmi.exit": "suspend"}))
    LaunchPlan(entry='resume', new_attempt=False)
    >>> launch_plan("1.2", session_end("1.2", {"cmi.core.exit": ""}))
    LaunchPlan(entry='', new_attempt=False)
    """
    version = normalise_version(version)
    if previous is None:
        return LaunchPlan("ab-initio", True)
    if previous.suspended:
        return LaunchPlan("resume", False)
    if version == "2004":
        return LaunchPlan("ab-initio", True)
    return LaunchPlan("", False)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def session_seconds(
    version: Version, state: Mapping[str, object], elapsed_seconds: float | Decimal, *, sco_set: bool = True
) -> Decimal:
    """The length of a session: the SCO's ``session_time`` when it set a valid one, else the elapsed time.

    RTE 4.2.23 (2004) / 1.2 RTE 3.4.4 ``cmi.core.session_time``: the SCO reports its session time; when
    it does not, the LMS uses the time from Initialize to Terminate (``elapsed_seconds``, measured by
    the caller). ``sco_set`` False says the value in ``state`` is the runtime's default (scorm-again
    sends PT0H0M0S / 00:00:00 when the SCO never set it; the adapter tells which), not the SCO's.
    """
    version = normalise_version(version)
    value = state.get(_SESSION_TIME[version])
    if sco_set and isinstance(value, str) and value:
        try:
            return parse_interval(value, version)
        except CmiError:
            pass
    return max(Decimal(str(elapsed_seconds)), Decimal(0)).quantize(Decimal("0.01"))


def add_session_time(version: Version, total: str | None, seconds: Decimal) -> str:
    """``total_time`` after a session of ``seconds``: the attempt's total plus the session (RTE 4.2.26).

    An empty or unreadable ``total`` counts as zero; the result is in the version's format.
    """
    version = normalise_version(version)
    try:
        base = parse_interval(total, version) if total else Decimal(0)
    except CmiError:
        base = Decimal(0)
    return format_interval(base + seconds, version)
