"""The server side of a commit: check what the browser runtime sent and merge it into the stored state.

Rules (see ``docs/scorm-conformance.md``):

* Values go through :class:`~scorm.cmi.datamodel.DataModel` exactly as SetValue calls would, in an
  order that sets each array entry's ``id`` (then ``type``) before its other elements.
* Read-only and LMS-owned elements (``cmi.core.student_id``, ``cmi.entry``, ``cmi.total_time``,
  ``cmi.mode``, ``cmi.launch_data`` ...) and the keywords ``_children``/``_count``/``_version`` are
  ignored silently: the runtime echoes what the LMS sent, and a different value is simply not applied
  (the LMS value is kept).
* ``None`` and ``""`` for an element that cannot hold the empty string mean "never set by the SCO" (the
  runtime sends every element) and are ignored.
* ``session_time`` is not stored: it is added to ``total_time``, written in the version's format.
* With ``keep_best=True`` (the old default) completion and pass never regress within an attempt:
  1.2 ``lesson_status`` keeps ``passed`` over anything else and ``completed``/``failed`` over
  ``incomplete``/``browsed``; 2004 ``completion_status`` keeps ``completed`` and ``success_status``
  keeps ``passed``; the weaker value is dropped silently. With ``keep_best=False`` the values are
  stored exactly as the SCO set them (RTE 4.2.4: a SCO may set ``completed`` back to ``incomplete``);
  the LMS keeps the learner's best result elsewhere. A 1.2 ``lesson_status`` of ``not attempted`` (the
  runtime's initial value, which a SCO may not set) is always ignored.
* Any other invalid value is reported as a :class:`CommitError` with the code SetValue would give and
  is left out; every other value of the commit is still applied (one bad element never loses the
  rest). Elements of an array entry whose ``id`` (or ``type``) was refused fail with 408 (2004).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from scorm.cmi.attempts import launch_plan, session_end
from scorm.cmi.codes import error_text
from scorm.cmi.datamodel import DataModel
from scorm.cmi.spec import Version, normalise_version, parse_name
from scorm.cmi.timeinterval import format_interval, parse_interval
from scorm.cmi.values import to_text
from scorm.errors import CmiError

__all__ = ["CommitError", "keeps_prior_status", "launch_state", "validate_commit"]

_SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
_TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}
_EXIT = {"1.2": "cmi.core.exit", "2004": "cmi.exit"}
_ENTRY = {"1.2": "cmi.core.entry", "2004": "cmi.entry"}
_COMPLETION_12 = frozenset({"passed", "completed", "failed"})
_MAX_REPORTED_NAME = 200


@dataclass(frozen=True)
class CommitError:
    """One value of a commit that cannot be applied, with the SetValue error code it would get."""

    element: str
    code: int
    message_en: str
    message_vi: str


def _error(version: str, element: object, code: int) -> CommitError:
    text = error_text(version, code)
    name = element if isinstance(element, str) else repr(element)
    return CommitError(name[:_MAX_REPORTED_NAME], code, text.en, text.vi)


def validate_commit(
    version: Version,
    prior_state: Mapping[str, object],
    payload: object,
    *,
    strict_suspend_data_limit: bool = False,
    keep_best: bool = True,
    shared_data: tuple[tuple[bool, bool], ...] = (),
) -> tuple[dict[str, str], list[CommitError]]:
    """Merge a commit ``payload`` into ``prior_state``; return ``(new state, errors)``.

    ``prior_state`` is trusted (the LMS stored it); ``payload`` is not. The new state holds every
    accepted value; ``errors`` lists each refused element with its SetValue error code (store the
    state, record the errors, answer them to the page). ``adl.data.n.store`` is kept only for buckets
    whose ``adl.data.n.id`` is in ``prior_state`` (merge :func:`scorm.seeding.shared_data_values` into
    it) and, with ``shared_data`` (``(read, write)`` per bucket), only for writable ones. Raises :class:`~scorm.errors.CmiError` only
    for a bad ``version`` or a ``prior_state`` that is not a mapping.
    """
    version = normalise_version(version)
    if not isinstance(prior_state, Mapping):
        raise CmiError("prior_state must be a mapping", code="cmi.bad_state",
                       message_vi="Dữ liệu đã lưu của bài học không hợp lệ")
    if not isinstance(payload, Mapping):
        return dict(prior_state), [_error(version, "", 201)]
    model = DataModel(version, prior_state, strict_suspend_data_limit=strict_suspend_data_limit,
                      shared_data=shared_data)
    errors: list[CommitError] = []
    session = Decimal(0)
    for name, value in sorted(payload.items(), key=_write_order):
        outcome = _apply(model, name, value, keep_best)
        if isinstance(outcome, Decimal):
            session += outcome
        elif outcome:
            errors.append(_error(version, name, outcome))
    state = model.values()
    state.pop(_SESSION_TIME[version], None)
    state[_TOTAL_TIME[version]] = format_interval(_prior_total(version, prior_state) + session, version)
    return state, errors


def _apply(model: DataModel, name: object, value: object, keep_best: bool = True) -> int | Decimal:
    """Apply one payload entry; return an error code, 0, or the session time it carries."""
    parsed = parse_name(name)
    if parsed is None:
        return 0 if name == "" else model.rules.undefined
    if parsed.keyword:
        return 0
    element = model.model.element(parsed.key)
    if element is None:
        return 0 if model.model.is_unimplemented(parsed.base) else model.rules.undefined
    if element.access == "RO" or value is None:
        return 0
    text = to_text(value)
    if text is not None and _dropped(model, parsed.base, text, keep_best):
        return 0
    code = model.set_element(parsed, element, text)
    if code and text == "":
        return 0  # the runtime sends "" for elements the SCO never set
    if code or parsed.base != _SESSION_TIME[model.version]:
        return code
    return parse_interval(text or "", model.version)


def _dropped(model: DataModel, name: str, text: str, keep_best: bool) -> bool:
    if model.version == "1.2" and name == "cmi.core.lesson_status" and text == "not attempted":
        return True
    return keep_best and keeps_prior_status(model.version, name, model.stored(name), text)


def keeps_prior_status(version: str, name: str, prior: str | None, new: str) -> bool:
    """Tell whether writing ``new`` over ``prior`` would regress completion or pass (then it is dropped)."""
    if version == "1.2" and name == "cmi.core.lesson_status":
        if new == "not attempted":
            return True  # the runtime's initial value; a SCO may not set it
        if prior == "passed":
            return new != "passed"
        return prior in _COMPLETION_12 and new not in _COMPLETION_12
    if version == "2004" and name == "cmi.completion_status":
        return prior == "completed" and new != "completed"
    if version == "2004" and name == "cmi.success_status":
        return prior == "passed" and new != "passed"
    return False


def _write_order(item: tuple[object, object]) -> tuple[object, ...]:
    """Sort key: array indices numerically, and in each entry ``id`` first, then ``type``."""
    name = item[0]
    if not isinstance(name, str):
        return (1, repr(name))
    return _name_order(name) if len(name) <= 256 else _name_order.__wrapped__(name)


@functools.lru_cache(maxsize=4096)
def _name_order(name: str) -> tuple[object, ...]:
    ranks = {"id": 0, "type": 1}
    return (0, tuple(
        (0, int(part), 0, "") if part.isascii() and part.isdigit() and len(part) < 10 else (1, 0, ranks.get(part, 2), part)
        for part in name.split(".")
    ))


def _prior_total(version: str, prior_state: Mapping[str, object]) -> Decimal:
    """The stored total time; a missing or unreadable value counts as zero."""
    value = prior_state.get(_TOTAL_TIME[version])
    if not isinstance(value, str) or not value:
        return Decimal(0)
    try:
        return parse_interval(value, version)
    except CmiError:
        return Decimal(0)


def launch_state(
    version: Version,
    prior_state: Mapping[str, object] | None,
    *,
    new_attempt: bool = False,
    lms_values: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The state to hand the runtime at launch, with ``entry`` and the data the attempt rules give.

    The rules are :func:`scorm.cmi.attempts.launch_plan`'s: an empty state or ``new_attempt`` (the
    LMS's own attempt policy) → ``ab-initio`` with fresh data; after ``exit`` = ``suspend`` (2004:
    also ``adl.nav.request`` = ``suspendAll``) → ``resume`` with the stored data; otherwise 2004 starts
    a new learner attempt (``ab-initio``, fresh data: RTE 4.2.7/4.2.8) and 1.2 keeps the data with
    entry ``""`` (1.2 RTE 3.4.4). The last session's ``exit``, ``session_time`` and navigation request
    are cleared; ``lms_values`` (learner, credit, mode and the manifest seeds of
    :func:`scorm.seeding.seed_values`) are written over the state.
    """
    version = normalise_version(version)
    state = {str(key): text for key, value in (prior_state or {}).items() if (text := to_text(value)) is not None}
    plan = launch_plan(version, None if new_attempt or not state else session_end(version, state))
    if plan.new_attempt:
        state = {}
    state[_ENTRY[version]] = plan.entry
    for transient in (_EXIT[version], _SESSION_TIME[version], "adl.nav.request"):
        state.pop(transient, None)
    if version == "1.2":
        state.setdefault("cmi.core.lesson_status", "not attempted")
    state.update(lms_values or {})
    return state
