"""Question types as plugins (CTFd-style): a small interface, a registry, one module per type.

Each type validates its key, turns a learner's raw answer (opaque choice ids, a bool, a number) into a
stored response, and grades a stored response against a :class:`~lms.assessments.models.QuestionVersion`.
A new type is a module defining a :class:`~lms.assessments.qtypes.base.QuestionType` subclass and
calling :func:`register` — nothing else changes.
"""

from __future__ import annotations

from lms.assessments.qtypes.base import QuestionType, ResponseError

_REGISTRY: dict[str, QuestionType] = {}


def register(qtype: QuestionType) -> QuestionType:
    """Add a question type to the registry (by its ``name``)."""
    _REGISTRY[qtype.name] = qtype
    return qtype


def get(name: str) -> QuestionType:
    """The type called ``name``; KeyError when unknown."""
    return _REGISTRY[name]


def names() -> list[str]:
    """Registered type names in registration order."""
    return list(_REGISTRY)


def all_types() -> list[QuestionType]:
    """Registered types in registration order."""
    return list(_REGISTRY.values())


from lms.assessments.qtypes import multiple, numeric, ordering, single, true_false  # noqa: E402

for _module in (single, multiple, true_false, numeric, ordering):
    register(_module.TYPE)

__all__ = ["QuestionType", "ResponseError", "all_types", "get", "names", "register"]
