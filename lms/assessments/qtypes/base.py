"""The question-type interface."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict


class ResponseError(ValueError):
    """A learner's answer does not fit the question (e.g. a choice id of another question): a 400."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def foreign_choice() -> ResponseError:
    """The error for a choice id that does not belong to the question."""
    return ResponseError("Lựa chọn không thuộc câu hỏi này.", "A choice does not belong to this question.")


class QuestionType:
    """One kind of question. Subclasses override the methods below; instances are stateless."""

    #: registry key, stored in QuestionVersion.qtype
    name: str = ""
    #: (Vietnamese, English) label
    label: tuple[str, str] = ("", "")
    #: whether the question shows choices (which are then shuffled per attempt)
    has_choices: bool = True
    #: whether the choices' stored order is meaningful (ordering: shuffle and never show the stored order)
    min_choices: int = 2

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        """Problems with the content, each as (Vietnamese, English); empty when valid."""
        raise NotImplementedError

    def normalize_key(self, key: Any) -> Any:
        """The key as stored (JSON): e.g. a sorted list for multiple choice."""
        return key

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        """Turn a raw answer (JSON value) into a stored response; ``ids`` maps opaque ids to indexes.

        ``None`` / empty clears the answer. Raises :class:`ResponseError` for a malformed answer.
        """
        raise NotImplementedError

    def raw_from_form(self, form: MultiDict, field: str, shown_ids: list[str]) -> Any:
        """The raw answer posted by the plain HTML form (no JavaScript) under ``field``."""
        return form.get(field) or None

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        """Credit 0–1 of ``response`` (None = unanswered = 0)."""
        raise NotImplementedError

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        """The saved response for the page: opaque ids (or a value) to pre-fill the inputs."""
        return response

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        """The right answer, as text, for the review after submission."""
        raise NotImplementedError

    def response_text(self, choices: list[str], response: Any) -> str:
        """A stored response as text (results, review)."""
        if response is None:
            return "—"
        return str(response)
