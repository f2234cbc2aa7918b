"""What an SCO's stored data means for the LMS: completed? passed? which score? how long?

1.2 (RTE 1.2, ``cmi.core.lesson_status`` and ``cmi.student_data.mastery_score``): when a mastery score
is known, the raw score is set and the attempt is for credit in normal mode, the status becomes
``passed`` when raw >= mastery score and ``failed`` otherwise. ``passed``, ``completed`` and ``failed``
count as completed (the learner finished; ``failed`` is about success); ``incomplete`` and ``browsed``
as incomplete.

2004 (4th edition RTE, 4.2.4 and 4.2.22): when a completion threshold is known, completion is
``completed`` if progress_measure >= threshold, ``incomplete`` if below, ``unknown`` if no progress
measure was set; when a scaled passing score is known, success is ``passed`` if score.scaled >= it,
``failed`` if below, ``unknown`` without a scaled score. Otherwise the SCO's own statuses count.

At the end of a session (Terminate/LMSFinish, or the LMS ending it) the books give the LMS defaults:
:func:`finish_values` (1.2: ``lesson_status`` "completed" when the SCO never set it, then passed/failed
from the mastery score) and :func:`final_outcome` (2004: with ``completionSetByContent`` /
``objectiveSetByContent`` false, SN 3.12 delivery controls, the LMS sets completion/satisfaction the
SCO did not report).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from scorm.cmi.responses import is_real
from scorm.cmi.spec import Version, normalise_version
from scorm.cmi.timeinterval import parse_interval
from scorm.errors import CmiError

__all__ = ["Outcome", "final_outcome", "finish_values", "outcome"]

_COMPLETION_12 = {"passed": "completed", "completed": "completed", "failed": "completed",
                  "incomplete": "incomplete", "browsed": "incomplete", "not attempted": "not attempted"}


@dataclass(frozen=True)
class Outcome:
    """The meaning of one SCO attempt's data."""

    #: "completed", "incomplete", "not attempted" or "unknown"
    completion: str
    #: "passed", "failed" or "unknown"
    success: str
    #: 0..1 for 1.2 (derived from the raw score), -1..1 for 2004 (cmi.score.scaled); None when unknown
    score_scaled: float | None
    score_raw: float | None
    total_time_seconds: Decimal

    @property
    def completed(self) -> bool:
        """Whether the SCO is completed (1.2: passed, completed or failed)."""
        return self.completion == "completed"

    @property
    def passed(self) -> bool | None:
        """True when passed, False when failed, None when unknown."""
        return {"passed": True, "failed": False}.get(self.success)


def outcome(version: Version, state: Mapping[str, object], launch_data: Mapping[str, object] | None = None) -> Outcome:
    """Interpret a stored state; ``launch_data`` may hold ``mastery_score`` (1.2, 0..100),
    ``completion_threshold`` (2004, 0..1) and ``scaled_passing_score`` (2004, -1..1).

    Values missing from ``launch_data`` are read from the state (``cmi.student_data.mastery_score``,
    ``cmi.completion_threshold``, ``cmi.scaled_passing_score``). Raises
    :class:`~scorm.errors.CmiError` when a launch value is not a number in its range.
    """
    version = normalise_version(version)
    launch = launch_data or {}
    if version == "1.2":
        return _outcome_12(state, _launch_number(launch, state, "mastery_score", "cmi.student_data.mastery_score",
                                                  Decimal(0), Decimal(100)))
    threshold = _launch_number(launch, state, "completion_threshold", "cmi.completion_threshold", Decimal(0), Decimal(1))
    passing = _launch_number(launch, state, "scaled_passing_score", "cmi.scaled_passing_score", Decimal(-1), Decimal(1))
    return _outcome_2004(state, threshold, passing)


def _outcome_12(state: Mapping[str, object], mastery: Decimal | None) -> Outcome:
    status = _text(state, "cmi.core.lesson_status") or "not attempted"
    raw = _number(state, "cmi.core.score.raw")
    for_credit = _text(state, "cmi.core.credit") in {None, "", "credit"}
    normal = _text(state, "cmi.core.lesson_mode") in {None, "", "normal"}
    if mastery is not None and raw is not None and for_credit and normal:
        status = "passed" if raw >= mastery else "failed"
    return Outcome(
        completion=_COMPLETION_12.get(status, "unknown"),
        success=status if status in {"passed", "failed"} else "unknown",
        score_scaled=_scaled_12(raw, _number(state, "cmi.core.score.min"), _number(state, "cmi.core.score.max")),
        score_raw=None if raw is None else float(raw),
        total_time_seconds=_total(state, "cmi.core.total_time", "1.2"),
    )


def finish_values(version: Version, state: Mapping[str, object],
                  launch_data: Mapping[str, object] | None = None) -> dict[str, str]:
    """The values the LMS writes into the state when a SCO session ends (empty when none).

    SCORM 1.2 RTE 3.4.4 (``cmi.core.lesson_status``, "Additional behavior requirements"): when the SCO
    finishes without setting ``lesson_status`` (it is still "not attempted"), the LMS sets "completed"
    ("browsed" in browse mode); then, with a mastery score and a raw score, for credit, "passed" when
    raw >= mastery score, else "failed". SCORM 2004 writes nothing into the SCO's data.
    """
    if normalise_version(version) != "1.2":
        return {}
    status = _text(state, "cmi.core.lesson_status") or "not attempted"
    if status != "not attempted":
        return {}
    browse = _text(state, "cmi.core.lesson_mode") == "browse"
    status = "browsed" if browse else "completed"
    mastery = _launch_number(launch_data or {}, state, "mastery_score", "cmi.student_data.mastery_score",
                             Decimal(0), Decimal(100))
    raw = _number(state, "cmi.core.score.raw")
    if not browse and mastery is not None and raw is not None and _text(state, "cmi.core.credit") != "no-credit":
        status = "passed" if raw >= mastery else "failed"
    return {"cmi.core.lesson_status": status}


def final_outcome(
    version: Version,
    state: Mapping[str, object],
    launch_data: Mapping[str, object] | None = None,
    *,
    completion_set_by_content: bool = False,
    objective_set_by_content: bool = False,
) -> Outcome:
    """The outcome of a SCO session that has ended, with the LMS defaults the books give.

    1.2: :func:`outcome` of the state with :func:`finish_values` applied. 2004: :func:`outcome` (RTE
    4.2.4.1 threshold, 4.2.22.1 passing score), then SN 3.12 delivery controls: with
    ``completionSetByContent`` false (the default) and no completion known, the attempt is
    "completed"; with ``objectiveSetByContent`` false and no success known, the primary objective is
    satisfied ("passed").
    """
    version = normalise_version(version)
    if version == "1.2":
        return outcome(version, {**state, **finish_values(version, state, launch_data)}, launch_data)
    result = outcome(version, state, launch_data)
    completion, success = result.completion, result.success
    if not completion_set_by_content and completion in {"unknown", "not attempted"}:
        completion = "completed"
    if not objective_set_by_content and success == "unknown":
        success = "passed"
    return Outcome(completion, success, result.score_scaled, result.score_raw, result.total_time_seconds)


def _scaled_12(raw: Decimal | None, low: Decimal | None, high: Decimal | None) -> float | None:
    """raw scaled into 0..1: by (raw-min)/(max-min) when both are set, raw/max with max only, else raw/100."""
    if raw is None:
        return None
    if low is not None and high is not None and high > low:
        scaled = (raw - low) / (high - low)
    elif high is not None and high > 0:
        scaled = raw / high
    else:
        scaled = raw / 100
    return float(min(max(scaled, Decimal(0)), Decimal(1)))


def _outcome_2004(state: Mapping[str, object], threshold: Decimal | None, passing: Decimal | None) -> Outcome:
    completion = _text(state, "cmi.completion_status") or "unknown"
    if threshold is not None:
        progress = _number(state, "cmi.progress_measure")
        completion = "unknown" if progress is None else ("completed" if progress >= threshold else "incomplete")
    success = _text(state, "cmi.success_status") or "unknown"
    scaled = _number(state, "cmi.score.scaled")
    if passing is not None:
        success = "unknown" if scaled is None else ("passed" if scaled >= passing else "failed")
    raw = _number(state, "cmi.score.raw")
    return Outcome(
        completion=completion if completion in {"completed", "incomplete", "not attempted"} else "unknown",
        success=success if success in {"passed", "failed"} else "unknown",
        score_scaled=None if scaled is None else float(scaled),
        score_raw=None if raw is None else float(raw),
        total_time_seconds=_total(state, "cmi.total_time", "2004"),
    )


def _text(state: Mapping[str, object], name: str) -> str | None:
    value = state.get(name)
    return value if isinstance(value, str) else None


def _number(state: Mapping[str, object], name: str) -> Decimal | None:
    value = state.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not is_real(value):
        return None
    return Decimal(value)


def _total(state: Mapping[str, object], name: str, version: str) -> Decimal:
    value = state.get(name)
    if not isinstance(value, str) or not value:
        return Decimal(0)
    try:
        return parse_interval(value, version)
    except CmiError:
        return Decimal(0)


def _launch_number(
    launch: Mapping[str, object], state: Mapping[str, object], key: str, element: str, low: Decimal, high: Decimal
) -> Decimal | None:
    value = launch.get(key)
    if value is None or value == "":
        value = state.get(element)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise _bad_launch(key, value) from exc
    if not number.is_finite() or not low <= number <= high:
        raise _bad_launch(key, value)
    return number


def _bad_launch(key: str, value: object) -> CmiError:
    return CmiError(f"launch value {key}={value!r} is not a number in its range", code="cmi.bad_launch_data",
                    message_vi=f"Giá trị {key}={value!r} của gói bài học không hợp lệ")
