"""Apply GetValue/SetValue calls to a stored state, with the error codes of the RTE books.

The state is a flat ``{element name: string}`` dict, the same shape the LMS stores and the browser
runtime sends. Array sizes (``_count``) are derived from the indices present.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from scorm.cmi.model12 import SCORM12
from scorm.cmi.model2004 import SCORM2004
from scorm.cmi.responses import is_real, pattern_limit
from scorm.cmi.spec import KEYWORDS, Element, Model, ParsedName, Version, normalise_version, parse_name
from scorm.cmi.values import Fault, check_value, storable, to_text

__all__ = ["DataModel", "Rules", "model_for"]

#: element → (limit, measure, status at or above the limit, status below it): 2004 RTE 4.2.4.1, 4.2.22.1
_EVALUATED = {
    "cmi.completion_status": ("cmi.completion_threshold", "cmi.progress_measure", "completed", "incomplete"),
    "cmi.success_status": ("cmi.scaled_passing_score", "cmi.score.scaled", "passed", "failed"),
}


@dataclass(frozen=True)
class Rules:
    """Which error code each kind of failure gets in one version."""

    bad_get_name: int
    bad_set_name: int
    undefined: int
    unimplemented: int
    no_children: int
    not_array: int
    keyword_set: int
    read_only: int
    write_only: int
    type: int
    range: int
    get_index: int
    set_index: int
    dependency: int
    set_failure: int
    #: GetValue of an element that has no value and no default (None: answer "" with no error)
    not_initialized: int | None


#: 1.2 has no dependency or set-failure codes: those cases are 405 (wrong value) or 201 (bad index)
RULES_12 = Rules(201, 201, 401, 401, 202, 203, 402, 403, 404, 405, 405, 201, 201, 405, 405, None)
RULES_2004 = Rules(301, 351, 401, 402, 301, 301, 404, 404, 405, 406, 407, 301, 351, 408, 351, 403)


def model_for(version: Version) -> Model:
    """Return the data-model table of a version (any accepted spelling)."""
    return SCORM12 if normalise_version(version) == "1.2" else SCORM2004


class DataModel:
    """The run-time data of one SCO attempt, read and written as a SCO does through the API."""

    def __init__(
        self,
        version: Version,
        state: Mapping[str, object] | None = None,
        *,
        strict_suspend_data_limit: bool = False,
        shared_data: Sequence[tuple[bool, bool]] = (),
    ) -> None:
        """Load ``state`` (trusted: what the LMS stored) for ``version`` ("1.2" or "2004", any edition).

        ``shared_data`` gives ``(readSharedData, writeSharedData)`` of each ``adl.data.n`` bucket (CAM
        ``adlcp:map``; missing entries are readable and writable): RTE 4.3 answers 405 to reading a
        store that may not be read and 404 to writing one that may not be written.
        """
        self.version = normalise_version(version)
        self.shared_data = tuple(shared_data)
        self.model = model_for(self.version)
        self.rules = RULES_12 if self.version == "1.2" else RULES_2004
        self.strict_suspend_data_limit = strict_suspend_data_limit
        self._values = _loaded(state or {})
        #: every array's ``_count``, derived from the names when first needed (None until then)
        self._counts: dict[str, int] | None = None

    # -- reading -------------------------------------------------------------------------------
    def state(self) -> dict[str, str]:
        """A copy of the stored values, as a flat dict."""
        return dict(self._values)

    def values(self) -> dict[str, str]:
        """The stored values themselves (no copy): for a caller that is done with the model."""
        return self._values

    def stored(self, name: str) -> str | None:
        """The stored value of an element given by its real name, or None (no defaults, no checks)."""
        return self._values.get(name)

    def count(self, array: str) -> int:
        """The ``_count`` of an array given by its real name (``cmi.interactions.0.objectives``)."""
        return self._array_counts().get(array, 0)

    def get_value(self, element: object) -> tuple[str, int]:
        """GetValue: return ``(value, error code)``; the value is ``""`` whenever the code is not 0."""
        try:
            return self._get(element)
        except Exception:  # a bug must not break the API contract: answer "General exception"
            return "", 101

    def _get(self, name: object) -> tuple[str, int]:
        rules = self.rules
        parsed = parse_name(name)
        if parsed is None:
            return "", (rules.bad_get_name if name == "" or not isinstance(name, str) else rules.undefined)
        if parsed.keyword:
            return self._get_keyword(parsed)
        element = self.model.element(parsed.key)
        if element is None:
            return "", self._undefined_code(parsed)
        if element.access == "WO":
            return "", rules.write_only
        if not self._indices_exist(parsed.base, inclusive=False):
            return "", rules.get_index
        if element.path == "adl.data.n.store" and not self._bucket(parsed.indices[0])[0]:
            return "", rules.write_only
        value = self._values.get(parsed.base, element.default)
        if value is None:
            return "", rules.not_initialized or 0
        if parsed.base in _EVALUATED and self.version == "2004":
            value = self._evaluated(parsed.base, value)
        return value, 0

    def _evaluated(self, name: str, value: str) -> str:
        """2004 RTE 4.2.4.1 / 4.2.22.1: with a completion threshold (scaled passing score) the LMS answers
        from progress_measure (score.scaled), "unknown" when the SCO did not set it."""
        limit_name, measure_name, above, below = _EVALUATED[name]
        limit, measure = self._values.get(limit_name), self._values.get(measure_name)
        if limit is None or not is_real(limit):
            return value
        if measure is None or not is_real(measure):
            return "unknown"
        return above if Decimal(measure) >= Decimal(limit) else below

    def _get_keyword(self, parsed: ParsedName) -> tuple[str, int]:
        rules = self.rules
        if parsed.keyword == "_version":
            if parsed.key == "cmi":
                return self.model.version_value, 0
            return "", self._undefined_code(parsed) if not self.model.is_node(parsed.key) else rules.no_children
        if not self.model.is_node(parsed.key):
            return "", self._undefined_code(parsed)
        if parsed.keyword == "_children":
            if not self.model.has_children(parsed.key):
                return "", rules.no_children
            if not self._indices_exist(parsed.base, inclusive=False):
                return "", rules.get_index
            return self.model.children_of(parsed.key), 0
        if not self.model.is_array(parsed.key):
            return "", rules.not_array
        if not self._indices_exist(parsed.base, inclusive=False):
            return "", rules.get_index
        return str(self.count(parsed.base)), 0

    def _undefined_code(self, parsed: ParsedName) -> int:
        if self.model.is_unimplemented(parsed.base):
            return self.rules.unimplemented
        return self.rules.undefined

    # -- writing -------------------------------------------------------------------------------
    def set_value(self, element: object, value: object) -> int:
        """SetValue: store ``value`` when valid and return the error code (0 when stored)."""
        try:
            return self._set(element, value)
        except Exception:  # a bug must not break the API contract: answer "General exception"
            return 101

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
        return self._set_element(parsed, element, to_text(value))

    def set_element(self, parsed: ParsedName, element: Element, text: str | None) -> int:
        """SetValue of a name already parsed and found (``element`` is ``model.element(parsed.key)``, the
        keyword empty) with the value already converted by :func:`~scorm.cmi.values.to_text`: the same
        answer and effect as :meth:`set_value`, without doing that work twice (the commit merge)."""
        try:
            return self._set_element(parsed, element, text)
        except Exception:  # a bug must not break the API contract: answer "General exception"
            return 101

    def _set_element(self, parsed: ParsedName, element: Element, text: str | None) -> int:
        rules = self.rules
        if element.access == "RO":
            return rules.read_only
        if text is not None and text == self._values.get(parsed.base) and element.path != "adl.data.n.store":
            # sent back unchanged (a runtime sends every element each commit): its indices exist (the
            # counts come from the stored names) and storing it again changes nothing, but the value is
            # checked again in today's context (an interaction's new type, a stricter limit)
            return self._check(parsed, element, text)
        if not self._indices_exist(parsed.base, inclusive=not parsed.key.startswith("adl.data.")):
            return rules.set_index  # adl.data entries are the LMS's: a SCO cannot append one
        if element.path == "adl.data.n.store" and not self._bucket(parsed.indices[0])[1]:
            return rules.read_only
        if text is None:
            return rules.type
        code = self._check(parsed, element, text)
        if code:
            return code
        self._values[parsed.base] = text
        if self._counts is not None:
            self._grow(self._counts, parsed.base)
        return 0

    def _check(self, parsed: ParsedName, element: Element, text: str) -> int:
        """Dependencies first (408), then the value's type and range, then the 2004 set-failure rules."""
        rules = self.rules
        record = _record(parsed.base)
        if element.requires and any(f"{record}.{sibling}" not in self._values for sibling in element.requires):
            return rules.dependency
        if text in element.not_settable:
            return rules.type
        interaction_type = self._values.get(record + ".type") if "interactions" in parsed.key else None
        fault = _fault(self.version, parsed.key, element, text, interaction_type)
        if fault == "type" and element.path == "cmi.suspend_data" and not self.strict_suspend_data_limit:
            fault = None  # the only check on 1.2 suspend_data is its 4,096 length, relaxed by default
        if fault == "type":
            return rules.type
        if fault == "range":
            return rules.range
        return self._check_set_failure(parsed, element, text) if self.version == "2004" else 0

    def _check_set_failure(self, parsed: ParsedName, element: Element, text: str) -> int:
        if element.path == "cmi.objectives.n.id":
            return self._check_objective_id(parsed.base, text)
        if element.path == "cmi.interactions.n.correct_responses.m.pattern":
            limit = pattern_limit(self._values.get(_record(parsed.base) + ".type", ""))
            if limit is not None and parsed.indices[-1] >= limit:
                return self.rules.set_failure
        return 0

    def _check_objective_id(self, name: str, text: str) -> int:
        current = self._values.get(name)
        if current is not None and current != text:
            return self.rules.set_failure  # an objective's id is fixed once set
        others = (self._values.get(f"cmi.objectives.{index}.id") for index in range(self.count("cmi.objectives")))
        if current is None and text in others:
            return self.rules.set_failure  # objective ids are unique
        return 0

    def _bucket(self, index: int) -> tuple[bool, bool]:
        """(readable, writable) of shared data bucket ``index``."""
        return self.shared_data[index] if index < len(self.shared_data) else (True, True)

    # -- arrays --------------------------------------------------------------------------------
    def _indices_exist(self, name: str, *, inclusive: bool) -> bool:
        """Whether every index in ``name`` is below its array's count (or equal to it, to append)."""
        along = _arrays_along(name)
        if not along:
            return True
        counts = self._array_counts()
        for array, index in along:
            count = counts.get(array, 0)
            if index > count or (index == count and not inclusive):
                return False
        return True

    def _array_counts(self) -> dict[str, int]:
        """Each array's count: one more than the largest index of its entries among the stored names
        (those :func:`parse_name` reads), computed on first use and then kept up as values are set."""
        if self._counts is None:
            counts: dict[str, int] = {}
            for name in self._values:
                if _arrays_along(name) and parse_name(name) is not None:
                    self._grow(counts, name)
            self._counts = counts
        return self._counts

    @staticmethod
    def _grow(counts: dict[str, int], name: str) -> None:
        for array, index in _arrays_along(name):
            if index >= counts.get(array, 0):
                counts[array] = index + 1


#: names ending in one of these may be keywords (``cmi.interactions._count``): never stored
_KEYWORD_ENDINGS = tuple(KEYWORDS)


def _loaded(state: Mapping[str, object]) -> dict[str, str]:
    """The values of a stored state as the model keeps them: each converted by
    :func:`~scorm.cmi.values.to_text` (those it refuses left out), names that are not strings or are
    keywords (derived, never stored) left out. A plain string value is checked, not converted."""
    values: dict[str, str] = {}
    for name, value in state.items():
        if type(value) is str:  # noqa: E721 - a subclass goes through to_text, as it always did
            if not storable(value):
                continue
            text: str | None = value
        elif (text := to_text(value)) is None:
            continue
        if not isinstance(name, str) or (name.endswith(_KEYWORD_ENDINGS) and _is_keyword(name)):
            continue
        values[name] = text
    return values


def _is_keyword(name: str) -> bool:
    parsed = parse_name(name)
    return parsed is not None and bool(parsed.keyword)


#: check results of short values: a commit re-sends every element the SCO set (scores, times,
#: interaction ids, responses and results), and the same values repeat across learners
_FAULT_MEMO_TEXT = 256
#: types whose check is a length or a vocabulary lookup: cheaper than the memo
_CHEAP_TYPES = frozenset({"CMIString255", "CMIString4096", "CMIFeedback", "CMIVocabulary", "characterstring", "state"})


def _fault(version: str, key: str, element: Element, text: str, interaction_type: str | None) -> Fault:
    """:func:`~scorm.cmi.values.check_value` of ``element``, the version's table's element of lookup key
    ``key`` (memoised for short values of the types whose check costs more than the memo)."""
    if (element.type in _CHEAP_TYPES or len(text) > _FAULT_MEMO_TEXT
            or (interaction_type is not None and len(interaction_type) > _FAULT_MEMO_TEXT)):
        return check_value(element, text, interaction_type=interaction_type)
    return _fault_memo(version, key, text, interaction_type)


@functools.lru_cache(maxsize=8192)
def _fault_memo(version: str, key: str, text: str, interaction_type: str | None) -> Fault:
    element = model_for(version).element(key)
    assert element is not None  # noqa: S101 - only called with an element of the table
    return check_value(element, text, interaction_type=interaction_type)


@functools.lru_cache(maxsize=4096)
def _record(name: str) -> str:
    """The outermost array entry a name belongs to (``cmi.interactions.3``), or ``""``."""
    parts = name.split(".")
    for position, part in enumerate(parts):
        if part.isascii() and part.isdigit():
            return ".".join(parts[: position + 1])
    return ""


@functools.lru_cache(maxsize=4096)
def _arrays_along(name: str) -> tuple[tuple[str, int], ...]:
    """The (array name, index) pairs a name passes through, outermost first (cached: names repeat)."""
    parts = name.split(".")
    found = []
    for position, part in enumerate(parts):
        if part.startswith("{"):
            break  # adl.nav.request_valid.choice.{target=...}: the rest is a target, not indices
        if part.isascii() and part.isdigit() and position > 0:
            found.append((".".join(parts[:position]), int(part)))
    return tuple(found)
