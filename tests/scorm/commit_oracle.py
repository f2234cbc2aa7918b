"""The reference merge: ``validate_commit`` and ``DataModel``'s SetValue path as they were before the
merge was made fast (main at ``115e850``), kept as the oracle of ``test_cmi_commit_fast.py``.

Every commit builds a full model of the stored state (each value converted, each name parsed, every
array's ``_count`` grown), sets each payload element through the whole SetValue path, and re-checks
each value with the unmemoised type checks. The pure rule pieces (the tables, ``check_value``,
``parse_name``, ``to_text``, the write order, ``keeps_prior_status``, intervals, error texts) are the
library's own: what changed for speed is the structure, and that is what this copy pins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from scorm.cmi.codes import error_text
from scorm.cmi.commit import CommitError, _write_order, keeps_prior_status
from scorm.cmi.datamodel import RULES_12, RULES_2004, model_for
from scorm.cmi.responses import pattern_limit
from scorm.cmi.spec import Element, ParsedName, normalise_version, parse_name
from scorm.cmi.timeinterval import format_interval, parse_interval
from scorm.cmi.values import check_value, to_text
from scorm.errors import CmiError

_SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
_TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}


class OracleModel:
    """``DataModel`` as it was: eager load, eager counts, every SetValue checked in full."""

    def __init__(self, version: str, state: Mapping[str, object], *, strict_suspend_data_limit: bool,
                 shared_data: Sequence[tuple[bool, bool]]) -> None:
        self.version = normalise_version(version)
        self.shared_data = tuple(shared_data)
        self.model = model_for(self.version)
        self.rules = RULES_12 if self.version == "1.2" else RULES_2004
        self.strict_suspend_data_limit = strict_suspend_data_limit
        self._values: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        for name, value in state.items():
            text = to_text(value)
            parsed = parse_name(name)
            if text is None or not isinstance(name, str) or (parsed is not None and parsed.keyword):
                continue
            self._values[name] = text
            if parsed is not None:
                self._grow(name)

    def state(self) -> dict[str, str]:
        return dict(self._values)

    def stored(self, name: str) -> str | None:
        return self._values.get(name)

    def count(self, array: str) -> int:
        return self._counts.get(array, 0)

    def set_value(self, element: object, value: object) -> int:
        try:
            return self._set(element, value)
        except Exception:
            return 101

    def _undefined_code(self, parsed: ParsedName) -> int:
        return self.rules.unimplemented if self.model.is_unimplemented(parsed.base) else self.rules.undefined

    def _set(self, name: object, value: object) -> int:
        rules = self.rules
        parsed = parse_name(name)
        if parsed is None:
            return rules.bad_set_name if name == "" or not isinstance(name, str) else rules.undefined
        if parsed.keyword:
            defined = parsed.key == "cmi" or self.model.is_node(parsed.key)
            return rules.keyword_set if defined else self._undefined_code(parsed)
        element = self.model.element(parsed.key)
        if element is None:
            return self._undefined_code(parsed)
        if element.access == "RO":
            return rules.read_only
        if not self._indices_exist(parsed.base, inclusive=not parsed.key.startswith("adl.data.")):
            return rules.set_index
        if element.path == "adl.data.n.store" and not self._bucket(parsed.indices[0])[1]:
            return rules.read_only
        text = to_text(value)
        if text is None:
            return rules.type
        code = self._check(parsed, element, text)
        if code:
            return code
        self._values[parsed.base] = text
        self._grow(parsed.base)
        return 0

    def _check(self, parsed: ParsedName, element: Element, text: str) -> int:
        rules = self.rules
        record = _record(parsed.base)
        if any(f"{record}.{sibling}" not in self._values for sibling in element.requires):
            return rules.dependency
        if text in element.not_settable:
            return rules.type
        interaction_type = self._values.get(record + ".type") if "interactions" in parsed.key else None
        fault = check_value(element, text, interaction_type=interaction_type)
        if fault == "type" and element.path == "cmi.suspend_data" and not self.strict_suspend_data_limit:
            fault = None
        if fault == "type":
            return rules.type
        if fault == "range":
            return rules.range
        return self._check_set_failure(parsed, element, text) if self.version == "2004" else 0

    def _check_set_failure(self, parsed: ParsedName, element: Element, text: str) -> int:
        if element.path == "cmi.objectives.n.id":
            current = self._values.get(parsed.base)
            if current is not None and current != text:
                return self.rules.set_failure
            others = (self._values.get(f"cmi.objectives.{i}.id") for i in range(self.count("cmi.objectives")))
            if current is None and text in others:
                return self.rules.set_failure
            return 0
        if element.path == "cmi.interactions.n.correct_responses.m.pattern":
            limit = pattern_limit(self._values.get(_record(parsed.base) + ".type", ""))
            if limit is not None and parsed.indices[-1] >= limit:
                return self.rules.set_failure
        return 0

    def _bucket(self, index: int) -> tuple[bool, bool]:
        return self.shared_data[index] if index < len(self.shared_data) else (True, True)

    def _indices_exist(self, name: str, *, inclusive: bool) -> bool:
        for array, index in _arrays_along(name):
            count = self.count(array)
            if index > count or (index == count and not inclusive):
                return False
        return True

    def _grow(self, name: str) -> None:
        for array, index in _arrays_along(name):
            if index >= self._counts.get(array, 0):
                self._counts[array] = index + 1


def _record(name: str) -> str:
    parts = name.split(".")
    for position, part in enumerate(parts):
        if part.isascii() and part.isdigit():
            return ".".join(parts[: position + 1])
    return ""


def _arrays_along(name: str) -> tuple[tuple[str, int], ...]:
    parts = name.split(".")
    found = []
    for position, part in enumerate(parts):
        if part.startswith("{"):
            break
        if part.isascii() and part.isdigit() and position > 0:
            found.append((".".join(parts[:position]), int(part)))
    return tuple(found)


def _error(version: str, element: object, code: int) -> CommitError:
    text = error_text(version, code)
    name = element if isinstance(element, str) else repr(element)
    return CommitError(name[:200], code, text.en, text.vi)


def oracle_validate_commit(version: str, prior_state: Mapping[str, object], payload: object, *,
                           strict_suspend_data_limit: bool = False, keep_best: bool = True,
                           shared_data: tuple[tuple[bool, bool], ...] = ()) -> tuple[dict[str, str], list]:
    """``scorm.cmi.validate_commit`` as it was at ``115e850``."""
    version = normalise_version(version)
    if not isinstance(payload, Mapping):
        return dict(prior_state), [_error(version, "", 201)]
    model = OracleModel(version, prior_state, strict_suspend_data_limit=strict_suspend_data_limit,
                        shared_data=shared_data)
    errors: list[CommitError] = []
    session = Decimal(0)
    for name, value in sorted(payload.items(), key=_write_order):
        outcome = _apply(model, name, value, keep_best)
        if isinstance(outcome, Decimal):
            session += outcome
        elif outcome:
            errors.append(_error(version, name, outcome))
    state = model.state()
    state.pop(_SESSION_TIME[version], None)
    state[_TOTAL_TIME[version]] = format_interval(_prior_total(version, prior_state) + session, version)
    return state, errors


def _apply(model: OracleModel, name: object, value: object, keep_best: bool) -> int | Decimal:
    parsed = parse_name(name)
    if parsed is None:
        return 0 if name == "" else model.rules.undefined
    if parsed.keyword:
        return 0
    element = model.model.element(parsed.key)
    if element is None:
        return 0 if model.model.is_unimplemented(parsed.base) else model.rules.undefined
    text = to_text(value)
    if element.access == "RO" or value is None:
        return 0
    if text is not None and _dropped(model, parsed.base, text, keep_best):
        return 0
    code = model.set_value(parsed.base, value)
    if code and text == "":
        return 0
    if code or parsed.base != _SESSION_TIME[model.version]:
        return code
    return parse_interval(text or "", model.version)


def _dropped(model: OracleModel, name: str, text: str, keep_best: bool) -> bool:
    if model.version == "1.2" and name == "cmi.core.lesson_status" and text == "not attempted":
        return True
    return keep_best and keeps_prior_status(model.version, name, model.stored(name), text)


def _prior_total(version: str, prior_state: Mapping[str, object]) -> Decimal:
    value = prior_state.get(_TOTAL_TIME[version])
    if not isinstance(value, str) or not value:
        return Decimal(0)
    try:
        return parse_interval(value, version)
    except CmiError:
        return Decimal(0)
