"""An attempt's layout — its quiz, and per question its position, type and opaque choice ids with the
choices they stand for — sealed into the taking page, and the page's posted answers read against it.

The submission, the assessments' hottest request (everyone presses "Nộp bài" when the time runs out),
checks the posted answers against the layout the page carries instead of reading the attempt's items
(:func:`lms.assessments.receiving.accept_sealed`). The layout is sealed (``lms.core.sealing``:
encrypted, since the map from opaque ids to choices must stay hidden, and authenticated, so a learner
cannot alter it) and bound to its attempt. A page without it, or with one that does not open (an old
page, a rotated key), is submitted the way that reads the items.

The items of an attempt are fixed when it starts (its questions, their versions, their choice maps), so
a layout sealed for an attempt stays true for its whole life.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

from lms.assessments import qtypes
from lms.assessments.clock import bad_answer, bad_position, parse_answer
from lms.core import sealing

PURPOSE = "lms-quiz-layout"
#: the taking form's field carrying the sealed layout
FIELD = "layout"


class Shown(Protocol):
    """A question as the page shows it: what reading and parsing its posted answer need."""

    position: int
    qtype: str
    choice_map: list[list[Any]]


S = TypeVar("S", bound=Shown)


class LayoutItem(NamedTuple):
    position: int
    qtype: str
    choice_map: list[list[Any]]


@dataclass(slots=True, frozen=True)
class Layout:
    attempt_id: int
    quiz_id: int
    items: tuple[LayoutItem, ...]


def seal(attempt_id: int, quiz_id: int, items: Iterable[Shown]) -> str:
    """The sealed layout of an attempt (its items: objects with ``position``, ``qtype``, ``choice_map``)."""
    body = {"a": attempt_id, "q": quiz_id, "i": [[i.position, i.qtype, i.choice_map] for i in items]}
    return sealing.cipher(PURPOSE).encrypt(json.dumps(body, separators=(",", ":")).encode()).decode()


def unseal(token: str | None, attempt_id: int) -> Layout | None:
    """The layout sealed in ``token`` for ``attempt_id``; None when absent, not sealed by this server, or
    sealed for another attempt."""
    if not token:
        return None
    try:
        body = json.loads(sealing.cipher(PURPOSE).decrypt(token.encode()))
        if body["a"] != attempt_id:
            return None
        return Layout(body["a"], body["q"], tuple(map(LayoutItem._make, body["i"])))
    except (sealing.InvalidToken, ValueError, KeyError, TypeError):
        return None


def raw_answers(items: Iterable[Shown], form: Any) -> dict[int, Any]:
    """The raw answers (position → opaque ids / value) the form posted for the positions it showed
    (``positions`` fields); 400 for a position not in the attempt or an answer the form cannot carry."""
    by_position = {item.position: item for item in items}
    answers: dict[int, Any] = {}
    for raw_position in form.getlist("positions"):
        try:
            item = by_position[int(raw_position)]
        except (ValueError, KeyError):
            raise bad_position() from None
        try:
            answers[item.position] = qtypes.get(item.qtype).raw_from_form(
                form, f"q{item.position}", [cid for cid, _ in item.choice_map])
        except qtypes.ResponseError as exc:
            raise bad_answer(exc) from None
    return answers


def parse_answers(items: Iterable[S], answers: Mapping[int, Any]) -> list[tuple[S, Any]]:
    """Raw answers (position → opaque ids / value, as the page sends them) with their items, as stored
    responses. 400 for a position not in the attempt or an answer that does not fit its question (before
    anything is written)."""
    by_position = {item.position: item for item in items}
    if not set(answers) <= set(by_position):
        raise bad_position()
    return [(by_position[p], parse_answer(by_position[p].qtype, by_position[p].choice_map, raw))
            for p, raw in answers.items()]
