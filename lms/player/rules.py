"""Pure rules of the player: SCO aggregation, the module's completion rule, grading across attempts,
and the attempt policy (new attempt never / on complete / always; attempts allowed).

Nothing here touches the database except the condition functions other features register
(``quiz_passed`` is provided by assessments through :func:`register_condition`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: kind -> fn(cadre_id, module) -> (met, reason in Vietnamese)
_CONDITIONS: dict[str, Callable[[int, Any], tuple[bool, str]]] = {}

KINDS = ("completed", "passed", "score_at_least", "quiz_passed")
HUNDRED = Decimal(100)


def register_condition(kind: str, fn: Callable[[int, Any], tuple[bool, str]]) -> None:
    """Let another feature decide a completion-rule condition (e.g. ``quiz_passed`` by assessments)."""
    _CONDITIONS[kind] = fn


def registered_condition(kind: str) -> Callable[[int, Any], tuple[bool, str]] | None:
    """The function registered for ``kind``, if any."""
    return _CONDITIONS.get(kind)


@dataclass(frozen=True)
class ScoResult:
    """What one SCO's data means, as the aggregation needs it."""

    completed: bool
    #: "passed", "failed" or "unknown"
    success: str = "unknown"
    #: 0..1 (negative 2004 scores are clamped to 0); None when no score
    score_scaled: float | None = None
    score_raw: float | None = None
    score_max: float | None = None
    started: bool = False


@dataclass(frozen=True)
class AttemptResult:
    """An attempt's result over its SCOs."""

    #: "not_attempted", "in_progress" or "completed"
    status: str
    success: str
    #: percent 0–100, two decimals; None when no SCO gave a score
    score: Decimal | None

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def _percent(value: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _scaled_pct(sco: ScoResult) -> Decimal | None:
    return None if sco.score_scaled is None else Decimal(str(sco.score_scaled)) * HUNDRED


def aggregate(scos: Sequence[ScoResult], sco_count: int, method: str) -> AttemptResult:
    """Combine the SCOs of an attempt; ``sco_count`` is the number of SCOs in the package.

    * completion (every method): completed when all ``sco_count`` SCOs are completed;
      in progress when any was started; else not attempted.
    * success: failed when any SCO failed; passed when at least one passed and none failed.
    * score — ``all_complete``: mean of the SCOs that reported a score; ``average``: mean over all
      ``sco_count`` SCOs, a SCO without score counting 0; ``sum``: total raw points over total maximum
      points (a SCO without a maximum counts 100), as a percent.
    """
    count = max(sco_count, len(scos), 1)
    done = sum(1 for s in scos if s.completed)
    started = any(s.started or s.completed for s in scos)
    status = "completed" if done >= count else ("in_progress" if started else "not_attempted")
    successes = [s.success for s in scos]
    success = "failed" if "failed" in successes else ("passed" if "passed" in successes else "unknown")
    return AttemptResult(status, success, _score(scos, count, method))


def _score(scos: Sequence[ScoResult], count: int, method: str) -> Decimal | None:
    scored = [p for s in scos if (p := _scaled_pct(s)) is not None]
    if not scored:
        return None
    if method == "average":
        return _percent(sum(scored, Decimal(0)) / count)
    if method == "sum":
        raw = [(Decimal(str(s.score_raw)), Decimal(str(s.score_max or 100))) for s in scos if s.score_raw is not None]
        if not raw:
            return _percent(sum(scored, Decimal(0)) / count)
        total_max = sum((m for _, m in raw), Decimal(0))
        return _percent(sum((r for r, _ in raw), Decimal(0)) / total_max * HUNDRED) if total_max > 0 else None
    return _percent(sum(scored, Decimal(0)) / len(scored))


@dataclass(frozen=True)
class Reason:
    """One condition of the completion rule and whether the attempt meets it."""

    kind: str
    met: bool
    reason_vi: str
    reason_en: str
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "met": self.met, "reason_vi": self.reason_vi, "reason_en": self.reason_en,
                "value": self.value}


def evaluate_rule(rule: dict[str, Any] | None, result: AttemptResult, cadre_id: int, module: Any) -> tuple[bool, list[Reason]]:
    """Evaluate the module's completion rule for an attempt; returns (met, the reasons of each condition).

    A rule is a condition ``{"kind": …}`` or a combination ``{"all": [...]}`` / ``{"any": [...]}``
    (nesting allowed). An empty or missing rule means "completed".
    """
    reasons: list[Reason] = []
    met = _evaluate(rule or {"all": [{"kind": "completed"}]}, result, cadre_id, module, reasons)
    return met, reasons


def completed_by_quiz_alone(rule: dict[str, Any] | None) -> bool:
    """True when every condition of the rule is "quiz_passed": the module's completion is the quiz pass,
    whatever the SCORM content reports (one completion however many passes or attempts follow)."""
    return bool(rule) and _kinds(rule) == {"quiz_passed"}


def _kinds(node: Any) -> set[str]:
    if not isinstance(node, dict):
        return set()
    found = {str(node["kind"])} if "kind" in node else set()
    for part in (node.get("all") or []) + (node.get("any") or []):
        found |= _kinds(part)
    return found


def _evaluate(node: dict[str, Any], result: AttemptResult, cadre_id: int, module: Any, out: list[Reason]) -> bool:
    if "all" in node or "any" in node:
        combine = all if "all" in node else any
        parts = node.get("all", node.get("any")) or [{"kind": "completed"}]
        # evaluate every part (no short circuit) so that every reason is shown
        return combine([_evaluate(part, result, cadre_id, module, out) for part in parts])
    reason = _condition(node, result, cadre_id, module)
    out.append(reason)
    return reason.met


def _condition(node: dict[str, Any], result: AttemptResult, cadre_id: int, module: Any) -> Reason:
    kind = str(node.get("kind", ""))
    if kind == "completed":
        if result.completed:
            return Reason(kind, True, "Đã hoàn thành học phần", "The module is completed")
        return Reason(kind, False, "Chưa hoàn thành học phần", "The module is not completed yet")
    if kind == "passed":
        if result.success == "passed":
            return Reason(kind, True, "Đã đạt yêu cầu", "Passed")
        if result.success == "failed":
            return Reason(kind, False, "Chưa đạt (kết quả: không đạt)", "Not passed (failed)")
        return Reason(kind, False, "Chưa có kết quả đạt", "No pass result yet")
    if kind == "score_at_least":
        return _score_reason(node, result)
    fn = _CONDITIONS.get(kind)
    if fn is None:
        if kind == "quiz_passed":
            return Reason(kind, False, "chưa có bài kiểm tra", "no quiz yet")
        return Reason(kind, False, f"Điều kiện không được hỗ trợ: {kind}", f"Unsupported condition: {kind}")
    met, reason_vi = fn(cadre_id, module)
    return Reason(kind, bool(met), reason_vi, reason_vi)


def _score_reason(node: dict[str, Any], result: AttemptResult) -> Reason:
    try:
        value = Decimal(str(node.get("value", 0)))
    except ArithmeticError:
        value = Decimal(100)
    if result.score is None:
        return Reason("score_at_least", False, f"Chưa có điểm (cần ≥ {value:g})", f"No score yet (needs ≥ {value:g})",
                      float(value))
    met = result.score >= value
    verb_vi, verb_en = ("đạt", "meets") if met else ("chưa đạt", "below")
    return Reason("score_at_least", met, f"Điểm {result.score:g} {verb_vi} mức {value:g}",
                  f"Score {result.score:g} {verb_en} {value:g}", float(value))


def grade(scores: Sequence[Decimal | None], method: str) -> Decimal | None:
    """The module grade from the attempts' scores in attempt order (None = attempt without score).

    highest: the best score; average: the mean of the attempts that have a score; first / last: the
    score of the first / last attempt (None if that attempt has no score).
    """
    if not scores:
        return None
    if method == "first":
        return scores[0]
    if method == "last":
        return scores[-1]
    known = [s for s in scores if s is not None]
    if not known:
        return None
    if method == "average":
        return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return max(known)


@dataclass(frozen=True)
class AttemptChoice:
    """What a launch does: resume ``number`` or start attempt ``number``; ``exhausted`` when none is allowed."""

    action: str  #: "resume", "new" or "exhausted"
    number: int


def finished(attempt: Any) -> bool:
    """Is this attempt over for the learner (completed, or its module's rule met)? A launch without an
    explicit "Làm lại" then shows the result instead of opening it or a new one."""
    return attempt.status == "completed" or bool(attempt.rule_met)


def choose_attempt(latest_number: int, latest_completed: bool, policy: str, allowed: int,
                   *, want_new: bool = False) -> AttemptChoice:
    """Decide between resuming the latest attempt and starting a new one (Moodle's "force new attempt").

    * no attempt yet → new attempt 1.
    * ``never`` → resume the latest, unless the learner asks for a new one after completing it.
    * ``on_complete`` → new when the latest is completed, else resume.
    * ``always`` → new at every launch.
    * ``allowed`` attempts (0 = unlimited): a new attempt beyond it is refused — resume the latest if it
      is not completed, else ``exhausted``.
    """
    if latest_number == 0:
        return AttemptChoice("new", 1)
    wants = {
        "always": True,
        "on_complete": latest_completed,
    }.get(policy, False) or (want_new and latest_completed)
    if not wants:
        return AttemptChoice("resume", latest_number)
    if allowed and latest_number >= allowed:
        return AttemptChoice("exhausted" if latest_completed else "resume", latest_number)
    return AttemptChoice("new", latest_number + 1)
