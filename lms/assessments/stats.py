"""Item statistics per quiz: facility, discrimination, choice distribution, flags.

- facility = share of the attempts that got the question right (credit 1);
- discrimination = (right in the upper group − right in the lower group) / group size, where the groups
  are the top and bottom 27 % of submitted attempts ranked by total score (size ``round(0.27 × N)``,
  at least 1; ties broken by attempt id, earlier first);
- a question everyone (facility 1) or no one (facility 0) gets right is flagged.

Statistics are per question version: an edited question starts new statistics. A viewer with a scope
sees statistics of the attempts of cadres in that scope only (the page passes their unit condition).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from lms.assessments.models import AttemptItem, AttemptStatus, Quiz, QuizAttempt
from lms.core.db import db
from lms.org.models import Cadre, OrgUnit


@dataclass
class ItemStats:
    """Statistics of one question version in one quiz."""

    version_id: int
    ident: str
    text: str
    qtype: str
    #: attempts in which the question appeared
    n: int = 0
    right: int = 0
    facility: float | None = None
    discrimination: float | None = None
    #: (label, count) per choice / value, then ("—", unanswered)
    distribution: list[tuple[str, int]] = field(default_factory=list)
    #: "all_right", "none_right" or ""
    flag: str = ""


def group_size(n: int) -> int:
    """Size of the upper and lower groups: 27 % of ``n`` rounded half up, at least 1 (0 when n = 0)."""
    return 0 if n == 0 else max(1, math.floor(0.27 * n + 0.5))


def quiz_item_stats(quiz: Quiz, units: ColumnElement[bool] | None = None) -> tuple[int, list[ItemStats]]:
    """(number of submitted attempts, statistics per question version) of ``quiz``; with ``units`` (a
    condition on OrgUnit, e.g. :func:`lms.accounts.scope.unit_condition` of the viewer) only the attempts
    of cadres in those units count."""
    query = (select(QuizAttempt)
             .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.status == AttemptStatus.submitted.value)
             .options(selectinload(QuizAttempt.items).selectinload(AttemptItem.version)))
    if units is not None:
        query = query.join(Cadre, Cadre.id == QuizAttempt.cadre_id).join(OrgUnit, OrgUnit.id == Cadre.org_unit_id) \
            .where(units)
    attempts = list(db.session.scalars(query))
    ranked = sorted(attempts, key=lambda a: (-float(a.points or 0), a.id))
    g = group_size(len(ranked))
    upper = {a.id for a in ranked[:g]}
    lower = {a.id for a in ranked[len(ranked) - g:]} if g else set()
    stats: dict[int, ItemStats] = {}
    given: dict[int, list] = {}
    versions: dict[int, object] = {}
    for attempt in attempts:
        for item in attempt.items:
            v = item.version
            s = stats.setdefault(v.id, ItemStats(v.id, v.question.ident, v.text_vi, v.qtype))
            s.n += 1
            right = (item.credit or 0) >= 1.0
            s.right += right
            given.setdefault(v.id, []).append(item.response)
            versions[v.id] = v
            if right and attempt.id in upper:
                s.discrimination = (s.discrimination or 0) + 1
            if right and attempt.id in lower:
                s.discrimination = (s.discrimination or 0) - 1
    for s in stats.values():
        s.facility = s.right / s.n
        s.discrimination = (s.discrimination or 0) / g if g else None
        s.flag = "all_right" if s.facility == 1 else "none_right" if s.facility == 0 else ""
        s.distribution = _distribution(versions[s.version_id], given[s.version_id])
    return len(attempts), sorted(stats.values(), key=lambda s: s.ident)


def _distribution(version, responses: list) -> list[tuple[str, int]]:
    counts: Counter = Counter()
    unanswered = 0
    for response in responses:
        if response is None:
            unanswered += 1
        elif version.qtype == "single":
            counts[response] += 1
        elif version.qtype == "multiple":
            counts.update(response)
        elif version.qtype == "true_false":
            counts[bool(response)] += 1
        elif version.qtype == "numeric":
            counts[float(response)] += 1
        else:
            counts[tuple(response) == tuple(range(len(version.choices)))] += 1
    if version.qtype in ("single", "multiple"):
        rows = [(c, counts.get(i, 0)) for i, c in enumerate(version.choices)]
    elif version.qtype == "true_false":
        rows = [("Đúng", counts.get(True, 0)), ("Sai", counts.get(False, 0))]
    elif version.qtype == "numeric":
        rows = [(format(value, ".15g"), n) for value, n in counts.most_common(8)]
    else:
        rows = [("Đúng thứ tự", counts.get(True, 0)), ("Sai thứ tự", counts.get(False, 0))]
    return [*rows, ("—", unanswered)]
