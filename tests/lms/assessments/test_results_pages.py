"""Results pages about a cadre (/quiz/cadres/<id>) and a unit (/quiz/units/<code>, the results page's
?unit filter): figures hand-computed from the attempts below; scope (404 outside) is also checked for
every role in tests/lms/test_scope.py."""

from __future__ import annotations

import re

import pytest

from lms.assessments import services
from lms.core.db import db
from tests.factories import gen_cadre
from tests.lms.assessments.conftest import right_answer, wrong_answer


def take(quiz, cadre, right: int, at, submit: bool = True):
    """An attempt with the first ``right`` positions answered right and the others wrong."""
    attempt = services.start_attempt(quiz, cadre.id, at=at)
    for item in sorted(attempt.items, key=lambda i: i.position):
        answer = right_answer(item) if item.position <= right else wrong_answer(item)
        services.save_answer(attempt, item.position, answer, at)
    if submit:
        services.submit_attempt(attempt, attempt.submit_token, at)
    return attempt


@pytest.fixture
def attempts(tree, quiz, clock):
    """HN0001: 0/5 then 5/5 (passed); HN0002 (in HN-KCN): one attempt still open; CB0001: 3/5 = 60 % (passed,
    the pass mark is 60)."""
    second = gen_cadre(tree["hn_up"], "HN0002", "Lê Văn Bình")
    db.session.flush()
    at = clock()
    out = {
        "hn_fail": take(quiz, tree["hn_cadre"], 0, at),
        "hn_pass": take(quiz, tree["hn_cadre"], 5, at),
        "hn_open": take(quiz, second, 2, at, submit=False),
        "cb_pass": take(quiz, tree["cb_cadre"], 3, at),
    }
    db.session.commit()
    return out


def table(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of table ``table_id``."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def test_a_learner_sees_their_attempts_and_links_to_their_results(client, auth, tree, attempts):
    auth.login("hv.nhung")
    html = client.get(f"/quiz/cadres/{tree['hn_cadre'].id}").get_data(as_text=True)
    assert [r[:5] for r in table(html, "cadre-quiz-results")] == [
        ["LCDTEST", "Bài kiểm tra thử", "1", "0.00%", "Chưa đạt"],
        ["LCDTEST", "Bài kiểm tra thử", "2", "100.00%", "Đạt"],
    ]
    assert f"/quiz/attempt/{attempts['hn_pass'].id}/result" in html
    assert client.get(f"/quiz/cadres/{tree['cb_cadre'].id}").status_code == 404


def test_a_manager_sees_a_cadre_in_scope_without_links_to_the_learners_pages(client, auth, tree, attempts):
    auth.login("ql.caobang")
    html = client.get(f"/quiz/cadres/{tree['cb_cadre'].id}").get_data(as_text=True)
    assert [r[:5] for r in table(html, "cadre-quiz-results")] == [["LCDTEST", "Bài kiểm tra thử", "1", "60.00%", "Đạt"]]
    assert "/result" not in html  # the result page is the learner's own
    assert client.get(f"/quiz/cadres/{tree['hn_cadre'].id}").status_code == 404


@pytest.mark.parametrize(("user", "code", "expected"), [
    # quiz: cadres who attempted, cadres who passed, submitted attempts, average of submitted scores
    ("ql.hanoi", "HN", ["2", "1", "2", "50.00%"]),          # (0 + 100) / 2
    ("ql.hanoi", "HN-KCN", ["2", "1", "2", "50.00%"]),
    ("ql.hanoi", "HN-CDCS-1", ["1", "1", "2", "50.00%"]),
    ("ql.caobang", "CB", ["1", "1", "1", "60.00%"]),
    ("admin", "TLD", ["3", "2", "3", "53.33%"]),             # (0 + 100 + 60) / 3
])
def test_unit_summary_counts_the_subtree(client, auth, tree, attempts, user, code, expected):
    auth.login(user)
    html = client.get(f"/quiz/units/{code}").get_data(as_text=True)
    assert [r[2:] for r in table(html, "unit-quiz-summary")] == [expected]


def test_unit_page_lists_each_cadre_of_the_subtree_for_one_quiz(client, auth, tree, quiz, attempts):
    auth.login("ql.hanoi")
    html = client.get(f"/quiz/units/HN?quiz={quiz.id}").get_data(as_text=True)
    assert [[r[0], r[3], r[4], r[5]] for r in table(html, "unit-quiz-cadres")] == [
        ["HN0001", "2", "100.00%", "Đạt"],
        ["HN0002", "1", "—", "Chưa đạt"],  # attempt still open: no score yet
    ]
    assert "CB0001" not in html
    assert client.get("/quiz/units/HN?quiz=999999").status_code == 404
    assert client.get("/quiz/units/CB").status_code == 404


def test_results_page_unit_filter_stays_in_scope(client, auth, tree, quiz, attempts):
    auth.login("gv.hanoi")
    whole = client.get(f"/quiz/manage/{quiz.id}/results").get_data(as_text=True)
    assert [r[0] for r in table(whole, "quiz-results")] == ["HN0001", "HN0001", "HN0002"]
    base = client.get(f"/quiz/manage/{quiz.id}/results?unit=HN-CDCS-1").get_data(as_text=True)
    assert [r[0] for r in table(base, "quiz-results")] == ["HN0001", "HN0001"]
    assert client.get(f"/quiz/manage/{quiz.id}/results?unit=CB-CDCS-1").status_code == 404
    assert client.get(f"/quiz/manage/{quiz.id}/results?unit=NOPE").status_code == 404
