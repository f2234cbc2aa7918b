"""Quiz item statistics count only the attempts in the viewer's scope (issue 16).

A lecturer scoped to Hà Nội used to see facility and choice distributions computed over every
province's cadres. The statistics page now counts the attempts of cadres in the viewer's subtree;
an admin without a scope still sees them all.
"""

from __future__ import annotations

import re

from lms.assessments import services
from lms.core.db import db
from tests.lms.assessments.conftest import bank, clock, module, quiz, right_answer, wrong_answer  # noqa: F401


def _submit(the_quiz, cadre, answer) -> None:
    attempt = services.start_attempt(the_quiz, cadre.id)
    for item in attempt.items:
        services.save_answer(attempt, item.position, answer(item))
    services.submit_attempt(attempt, attempt.submit_token)


def _page(client, auth, login: str, quiz_id: int) -> tuple[int, str]:
    auth.login(login)
    page = client.get(f"/quiz/manage/{quiz_id}/stats").get_data(as_text=True)
    auth.logout()
    return int(re.search(r"Số bài đã nộp: (\d+)", page).group(1)), page


def test_stats_page_counts_only_attempts_in_scope(client, auth, tree, quiz, clock):  # noqa: F811
    """Hà Nội cadre right on every question, Cao Bằng cadre wrong: the Hà Nội lecturer sees 1 attempt at
    100 %; the national admin sees 2 attempts at 50 %."""
    _submit(quiz, tree["hn_cadre"], right_answer)
    _submit(quiz, tree["cb_cadre"], wrong_answer)
    db.session.commit()
    hn_count, hn_page = _page(client, auth, "gv.hanoi", quiz.id)
    all_count, all_page = _page(client, auth, "admin", quiz.id)
    assert (hn_count, all_count) == (1, 2)
    assert "100%" in hn_page and "0%" not in hn_page.split("<tbody>")[1].replace("100%", "")
    assert "50%" in all_page
