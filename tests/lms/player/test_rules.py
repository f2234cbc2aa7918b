"""Completion rule, SCO aggregation, grading across attempts and the attempt policy (hand-computed)."""

from decimal import Decimal

import pytest

from lms.player import rules
from lms.player.rules import AttemptResult, ScoResult, aggregate, choose_attempt, evaluate_rule, grade

D = Decimal


@pytest.fixture(autouse=True)
def _no_registered_conditions(monkeypatch):
    """Other features (assessments) register conditions at app creation; these tests use none."""
    monkeypatch.setattr(rules, "_CONDITIONS", {})


def done(scaled=None, success="unknown", raw=None, max_=None):
    return ScoResult(True, success, scaled, raw, max_, True)


def test_all_complete_needs_every_sco_and_averages_scored_ones():
    result = aggregate([done(0.8), done(None), ScoResult(False, started=True)], 3, "all_complete")
    assert result.status == "in_progress"
    assert result.score == D("80.00")  # only the scored SCO counts
    assert aggregate([done(0.8), done(0.6)], 2, "all_complete") == AttemptResult("completed", "unknown", D("70.00"))


def test_average_counts_unscored_scos_as_zero():
    # (90 + 60 + 0) / 3 = 50
    assert aggregate([done(0.9), done(0.6), done()], 3, "average").score == D("50.00")


def test_sum_is_points_over_max_points():
    # (8 + 15) / (10 + 20) = 76.67 %
    result = aggregate([done(0.8, raw=8, max_=10), done(0.75, raw=15, max_=20)], 2, "sum")
    assert result.score == D("76.67")


def test_not_attempted_and_success_aggregation():
    assert aggregate([], 2, "all_complete").status == "not_attempted"
    assert aggregate([done(success="passed"), done(success="failed")], 2, "all_complete").success == "failed"
    assert aggregate([done(success="passed"), done()], 2, "all_complete").success == "passed"


def test_negative_scaled_score_clamps_to_zero():
    assert aggregate([done(-0.5)], 1, "all_complete").score == D("0.00")


RESULT = AttemptResult("completed", "passed", D("75"))


@pytest.mark.parametrize(("rule", "met"), [
    ({"all": [{"kind": "completed"}]}, True),
    ({"all": [{"kind": "completed"}, {"kind": "score_at_least", "value": 70}]}, True),
    ({"all": [{"kind": "completed"}, {"kind": "score_at_least", "value": 80}]}, False),
    ({"any": [{"kind": "score_at_least", "value": 80}, {"kind": "passed"}]}, True),
    ({"any": [{"kind": "score_at_least", "value": 80}, {"kind": "quiz_passed"}]}, False),
    ({"kind": "passed"}, True),
    (None, True),
])
def test_completion_rule(rule, met):
    assert evaluate_rule(rule, RESULT, 1, None)[0] is met


def test_every_condition_gives_its_reason():
    met, reasons = evaluate_rule({"all": [{"kind": "completed"}, {"kind": "score_at_least", "value": 80},
                                          {"kind": "quiz_passed"}]}, RESULT, 1, None)
    assert not met
    assert [(r.kind, r.met) for r in reasons] == [("completed", True), ("score_at_least", False),
                                                  ("quiz_passed", False)]
    assert reasons[1].reason_vi == "Điểm 75 chưa đạt mức 80"
    assert reasons[2].reason_vi == "chưa có bài kiểm tra"


def test_registered_quiz_condition_is_used():
    rules.register_condition("quiz_passed", lambda cadre_id, module: (cadre_id == 7, "Đã đạt bài kiểm tra"))
    assert evaluate_rule({"kind": "quiz_passed"}, RESULT, 7, None)[0] is True
    assert evaluate_rule({"kind": "quiz_passed"}, RESULT, 8, None)[0] is False


def test_no_score_yet():
    met, reasons = evaluate_rule({"kind": "score_at_least", "value": 50}, AttemptResult("in_progress", "unknown", None),
                                 1, None)
    assert not met and reasons[0].reason_vi == "Chưa có điểm (cần ≥ 50)"


SCORES = [D("60"), None, D("90"), D("70")]


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", D("90")), ("average", D("73.33")), ("first", D("60")), ("last", D("70")),
])
def test_grading_across_attempts(method, expected):
    assert grade(SCORES, method) == expected


def test_grading_edge_cases():
    assert grade([], "highest") is None
    assert grade([None, D("50")], "first") is None
    assert grade([None], "average") is None


@pytest.mark.parametrize(("latest", "completed", "policy", "allowed", "want_new", "expected"), [
    (0, False, "never", 0, False, ("new", 1)),
    (1, False, "never", 0, False, ("resume", 1)),
    (1, True, "never", 0, False, ("resume", 1)),
    (1, True, "never", 0, True, ("new", 2)),
    (1, False, "never", 0, True, ("resume", 1)),  # a new attempt only after completing one
    (2, False, "on_complete", 0, False, ("resume", 2)),
    (2, True, "on_complete", 0, False, ("new", 3)),
    (2, False, "always", 0, False, ("new", 3)),
    (2, True, "on_complete", 2, False, ("exhausted", 2)),
    (2, False, "always", 2, False, ("resume", 2)),
    (1, True, "on_complete", 3, False, ("new", 2)),
])
def test_attempt_policy(latest, completed, policy, allowed, want_new, expected):
    choice = choose_attempt(latest, completed, policy, allowed, want_new=want_new)
    assert (choice.action, choice.number) == expected


def test_prerequisites():
    from types import SimpleNamespace

    from lms.player.prereq import prerequisites_met

    states = {"a": SimpleNamespace(completion="completed"), "b": SimpleNamespace(completion="incomplete")}
    assert prerequisites_met("a", states)
    assert not prerequisites_met("a & b", states)
    assert prerequisites_met("b | a", states)
    assert prerequisites_met("~b & (a | c)", states)
    assert not prerequisites_met("c", states)
    assert prerequisites_met("", states)
