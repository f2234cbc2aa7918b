"""Ordering: put the choices in the right order (stored in the right order; shown shuffled)."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from lms.assessments.qtypes.base import QuestionType, ResponseError, foreign_choice


class Ordering(QuestionType):
    """Credit 1 when every item is in its place, else 0 (all-or-nothing)."""

    name = "ordering"
    label = ("Sắp xếp thứ tự", "Ordering")

    def validate(self, choices: list[str], key: Any, tolerance: float) -> list[tuple[str, str]]:
        errors = []
        if len(choices) < 2:
            errors.append(("Cần ít nhất 2 mục để sắp xếp.", "At least 2 items are needed."))
        if key not in (None, ""):
            errors.append(("Câu sắp xếp không có đáp án riêng: hãy liệt kê các mục theo đúng thứ tự.",
                           "Ordering questions have no key: list the items in the right order."))
        return errors

    def normalize_key(self, key: Any) -> Any:
        return None

    def parse(self, raw: Any, ids: dict[str, int]) -> Any:
        if raw in (None, "", []):
            return None
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            raise ResponseError("Câu trả lời phải là danh sách các mục theo thứ tự.", "The answer must be a list.")
        if any(r not in ids for r in raw):
            raise foreign_choice()
        if sorted(raw) != sorted(ids) or len(set(raw)) != len(raw):
            raise ResponseError("Hãy xếp mỗi mục đúng một lần.", "Place every item exactly once.")
        return [ids[r] for r in raw]

    def raw_from_form(self, form: MultiDict, field: str, shown_ids: list[str]) -> Any:
        """The form gives each item a rank (``<field>.<id>`` = 1…n); blank ranks mean 'not answered'."""
        ranks = {}
        for cid in shown_ids:
            value = form.get(f"{field}.{cid}", "")
            if not value:
                return None
            try:
                ranks[cid] = int(value)
            except ValueError:
                raise ResponseError("Thứ tự phải là số.", "Ranks must be numbers.") from None
        if sorted(ranks.values()) != list(range(1, len(shown_ids) + 1)):
            raise ResponseError("Mỗi thứ tự 1…n chỉ dùng một lần.", "Use each rank 1…n exactly once.")
        return sorted(ranks, key=ranks.__getitem__)

    def grade(self, choices: list[str], key: Any, tolerance: float, response: Any) -> float:
        return 1.0 if response is not None and list(response) == list(range(len(choices))) else 0.0

    def shown(self, response: Any, index_to_id: dict[int, str]) -> Any:
        return [] if response is None else [index_to_id[i] for i in response]

    def key_text(self, choices: list[str], key: Any, tolerance: float) -> str:
        return " → ".join(choices)

    def response_text(self, choices: list[str], response: Any) -> str:
        return "—" if not response else " → ".join(choices[i] for i in response)


TYPE = Ordering()
