"""Item statistics on a generated set of attempts with hand-computed values.

Ten attempts at the five sample questions; 1 = right, 0 = wrong (N wrong = left unanswered):

    attempt  S M T N O  total
    a0       1 1 1 1 0  4
    a1       1 1 0 1 0  3
    a2       1 0 1 1 0  3
    a3       1 1 0 0 0  2
    a4       1 0 1 0 0  2
    a5       1 1 0 0 0  2
    a6       1 0 1 0 0  2
    a7       1 0 0 0 0  1
    a8       1 0 1 0 0  2
    a9       1 0 0 0 0  1

Group size round(0.27 × 10) = 3. Ranked by total (ties: earlier attempt first): upper = a0, a1, a2;
lower = a8, a7, a9 (the last three of a0 a1 a2 a3 a4 a5 a6 a8 a7 a9).

    S: facility 10/10 = 1.0, D = (3 − 3)/3 = 0      → flagged: everyone right
    M: facility 4/10 = 0.4,  D = (2 − 0)/3 = 0.667
    T: facility 5/10 = 0.5,  D = (2 − 1)/3 = 0.333
    N: facility 3/10 = 0.3,  D = (3 − 0)/3 = 1.0
    O: facility 0/10 = 0.0,  D = 0                  → flagged: no one right
"""

from __future__ import annotations

import pytest

from lms.assessments import services
from lms.assessments.stats import group_size, quiz_item_stats
from tests.factories import gen_cadre, gen_unit
from tests.lms.assessments.conftest import right_answer, wrong_answer

MATRIX = [
    "11110", "11010", "10110", "11000", "10100", "11000", "10100", "10000", "10100", "10000",
]
COLUMNS = ["single", "multiple", "true_false", "numeric", "ordering"]


@pytest.fixture
def stats(quiz, clock):
    unit = gen_unit()
    for pattern in MATRIX:
        cadre = gen_cadre(unit)
        attempt = services.start_attempt(quiz, cadre.id)
        items = {item.version.qtype: item for item in attempt.items}
        for qtype, mark in zip(COLUMNS, pattern, strict=True):
            item = items[qtype]
            if mark == "1":
                services.save_answer(attempt, item.position, right_answer(item))
            elif qtype != "numeric":
                services.save_answer(attempt, item.position, wrong_answer(item))
        services.submit_attempt(attempt, attempt.submit_token)
    n, rows = quiz_item_stats(quiz)
    return n, {row.qtype: row for row in rows}


def test_group_size_is_27_percent_rounded_half_up():
    assert [group_size(n) for n in (0, 1, 3, 10, 50, 100)] == [0, 1, 1, 3, 14, 27]


def test_facility_and_discrimination_match_the_hand_computation(stats):
    n, rows = stats
    assert n == 10
    expected = {"single": (1.0, 0.0), "multiple": (0.4, 2 / 3), "true_false": (0.5, 1 / 3),
                "numeric": (0.3, 1.0), "ordering": (0.0, 0.0)}
    for qtype, (facility, discrimination) in expected.items():
        assert rows[qtype].n == 10
        assert rows[qtype].facility == pytest.approx(facility), qtype
        assert rows[qtype].discrimination == pytest.approx(discrimination), qtype


def test_questions_everyone_or_no_one_gets_right_are_flagged(stats):
    _n, rows = stats
    assert {q: r.flag for q, r in rows.items()} == {
        "single": "all_right", "multiple": "", "true_false": "", "numeric": "", "ordering": "none_right"}


def test_choice_distribution(stats):
    _n, rows = stats
    assert rows["single"].distribution == [("Alpha", 0), ("Bravo", 10), ("Charlie", 0), ("Delta", 0), ("—", 0)]
    # right answers tick Echo and Golf (4 attempts); wrong ones tick Echo only (6)
    assert rows["multiple"].distribution == [("Echo", 10), ("Foxtrot", 0), ("Golf", 4), ("Hotel", 0), ("—", 0)]
    assert rows["true_false"].distribution == [("Đúng", 5), ("Sai", 5), ("—", 0)]
    assert rows["numeric"].distribution == [("98765.25", 3), ("—", 7)]
    assert rows["ordering"].distribution == [("Đúng thứ tự", 0), ("Sai thứ tự", 10), ("—", 0)]


def test_stats_page_shows_the_flags(client, tree, auth, stats, quiz):
    from lms.core.db import db

    db.session.commit()
    auth.login("admin")  # the attempts are in a unit outside the Hà Nội lecturer's scope: the admin sees them
    body = client.get(f"/quiz/manage/{quiz.id}/stats").get_data(as_text=True)
    assert "Ai cũng đúng" in body and "Không ai đúng" in body and "0.67" in body
