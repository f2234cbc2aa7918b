"""Taking a quiz through the web: key secrecy in every response, autosave, forged requests, results scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.assessments.models import QuizAttempt
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.conftest import csrf_token_from
from tests.lms.assessments.conftest import SAMPLE, right_answer

#: strings that must never appear before submission: explanations, citations, the numeric key,
#: and any correctness marker
SECRETS = [q["explanation_vi"] for q in SAMPLE] + [q["citation"] for q in SAMPLE] + ["98765"]
MARKERS = re.compile(r"correct|is_right|\"key\"|data-key|answer_key|\bdung_dap_an|credit|Đáp án đúng", re.I)


def scan(body: str) -> None:
    for secret in SECRETS:
        assert secret not in body, f"{secret!r} leaked"
    assert not MARKERS.search(body), f"marker {MARKERS.search(body).group(0)!r} leaked"


def ordering_in_key_order(body: str) -> bool:
    positions = [body.find(word) for word in ("India", "Juliet", "Kilo", "Lima")]
    return positions == sorted(positions)


@pytest.fixture
def learner(tree, quiz, auth, clock):
    auth.login("hv.nhung")
    return tree


def start(client, quiz) -> tuple[QuizAttempt, str]:
    page = client.get(f"/quiz/{quiz.id}")
    scan(page.get_data(as_text=True))
    resp = client.post(f"/quiz/{quiz.id}/start", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    attempt = db.session.scalar(select(QuizAttempt))
    take = client.get(resp.headers["Location"])
    assert take.status_code == 200
    return attempt, take.get_data(as_text=True)


def autosave(client, attempt, token, position, response):
    return client.post(f"/quiz/attempt/{attempt.id}/answer", json={"position": position, "response": response},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def test_taking_a_quiz_never_reveals_a_key_before_submission(client, learner, quiz):
    bodies = [client.get("/").get_data(as_text=True), client.get("/quiz/").get_data(as_text=True)]
    attempt, html = start(client, quiz)
    bodies.append(html)
    assert not ordering_in_key_order(html)
    token = csrf_token_from(html)
    for item in attempt.items:
        answer = "12" if item.version.qtype == "numeric" else right_answer(item)  # the learner's own typing may show
        resp = autosave(client, attempt, token, item.position, answer)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        assert set(resp.get_json()) == {"ok", "position", "saved_at", "saved_ms", "seconds_left"}
        bodies.append(resp.get_data(as_text=True))
    bodies.append(client.get(f"/quiz/attempt/{attempt.id}").get_data(as_text=True))  # reload: saved answers shown
    bodies.append(client.get(f"/quiz/{quiz.id}").get_data(as_text=True))
    early = client.get(f"/quiz/attempt/{attempt.id}/result")  # before submission: back to the taking page
    assert early.status_code == 302 and early.headers["Location"].endswith(f"/quiz/attempt/{attempt.id}")
    for body in bodies:
        scan(body)
    # after submission (policy: after_submit) the review shows explanations and citations
    resp = client.post(f"/quiz/attempt/{attempt.id}/submit", data={"csrf_token": token, "submit_token": attempt.submit_token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/quiz/attempt/{attempt.id}/result")
    result = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "80.00%" in result and "GIAITHICH-S1" in result and "CANCU-O1" in result
    assert db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == learner["hn_cadre"].id))


def test_reloading_shows_saved_answers(client, learner, quiz):
    attempt, html = start(client, quiz)
    single = next(i for i in attempt.items if i.version.qtype == "single")
    cid = single.choice_map[2][0]
    assert autosave(client, attempt, csrf_token_from(html), single.position, cid).status_code == 200
    page = client.get(f"/quiz/attempt/{attempt.id}").get_data(as_text=True)
    assert re.search(rf'value="{cid}" checked', page)


def test_the_plain_form_saves_and_submits_without_javascript(client, learner, quiz):
    attempt, html = start(client, quiz)
    token = csrf_token_from(html)
    data = {"csrf_token": token, "submit_token": attempt.submit_token, "go": "submit"}
    positions = []
    for item in attempt.items:
        positions.append(str(item.position))
        answer = right_answer(item)
        name = f"q{item.position}"
        if item.version.qtype == "ordering":
            for rank, cid in enumerate(answer, start=1):
                data[f"{name}.{cid}"] = str(rank)
        elif item.version.qtype == "true_false":
            data[name] = "true" if answer else "false"
        else:
            data[name] = answer
    data["positions"] = positions
    resp = client.post(f"/quiz/attempt/{attempt.id}/save", data=data)
    assert resp.status_code == 302
    db.session.refresh(attempt)
    assert attempt.status == "submitted" and str(attempt.score) == "100.00"


def test_autosave_needs_the_csrf_header(client, learner, quiz):
    attempt, _html = start(client, quiz)
    resp = client.post(f"/quiz/attempt/{attempt.id}/answer", json={"position": 1, "response": None})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf"


def test_forged_requests_are_refused(client, learner, quiz, auth, tree):
    attempt, html = start(client, quiz)
    token = csrf_token_from(html)
    items = {i.version.qtype: i for i in attempt.items}
    foreign = items["multiple"].choice_map[0][0]
    resp = autosave(client, attempt, token, items["single"].position, foreign)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"]
    assert autosave(client, attempt, token, 99, None).status_code == 400
    assert client.post(f"/quiz/attempt/{attempt.id}/answer", data="nonsense",
                       headers={"X-CSRFToken": token, "Content-Type": "application/json"}).status_code == 400
    bad = client.post(f"/quiz/attempt/{attempt.id}/submit", data={"csrf_token": token, "submit_token": "forged"})
    assert bad.status_code == 400
    submit_token = attempt.submit_token
    ok = client.post(f"/quiz/attempt/{attempt.id}/submit", data={"csrf_token": token, "submit_token": submit_token})
    assert ok.status_code == 302
    again = client.post(f"/quiz/attempt/{attempt.id}/submit", data={"csrf_token": token, "submit_token": submit_token})
    assert again.status_code == 409
    assert autosave(client, attempt, token, 1, None).status_code == 409
    # another learner: the attempt does not exist for them
    from tests.factories import gen_user

    gen_user("hv.dung", cadre=tree["cb_cadre"])
    db.session.commit()
    auth.logout()
    auth.login("hv.dung")
    other_token = auth.csrf("/")
    assert client.get(f"/quiz/attempt/{attempt.id}").status_code == 404
    assert client.get(f"/quiz/attempt/{attempt.id}/result").status_code == 404
    assert autosave(client, attempt, other_token, 1, None).status_code == 404


def test_result_hides_feedback_when_the_policy_says_never(client, learner, quiz):
    quiz.review_policy = "never"
    db.session.commit()
    attempt, html = start(client, quiz)
    client.post(f"/quiz/attempt/{attempt.id}/submit",
                data={"csrf_token": csrf_token_from(html), "submit_token": attempt.submit_token})
    body = client.get(f"/quiz/attempt/{attempt.id}/result").get_data(as_text=True)
    assert "0.00%" in body
    scan(body)


def test_staff_without_a_cadre_cannot_take_quizzes(client, tree, quiz, auth):
    auth.login("gv.hanoi")
    assert client.get(f"/quiz/{quiz.id}").status_code == 404


def test_results_are_scoped_to_the_lecturers_subtree(client, tree, quiz, auth, clock):
    from lms.assessments import services

    for cadre in (tree["hn_cadre"], tree["cb_cadre"]):
        a = services.start_attempt(quiz, cadre.id)
        services.submit_attempt(a, a.submit_token)
    db.session.commit()
    auth.login("gv.hanoi")
    body = client.get(f"/quiz/manage/{quiz.id}/results").get_data(as_text=True)
    assert "Trần Thị Hồng Nhung" in body and "Nông Văn Dũng" not in body
    auth.logout()
    auth.login("admin")
    body = client.get(f"/quiz/manage/{quiz.id}/results").get_data(as_text=True)
    assert "Trần Thị Hồng Nhung" in body and "Nông Văn Dũng" in body


@pytest.mark.parametrize("path", ["/quiz/banks", "/quiz/manage", "/quiz/template.xlsx"])
def test_lecturer_pages_are_closed_to_learners(client, tree, auth, path):
    auth.login("hv.nhung")
    assert client.get(path).status_code == 403


def test_lecturer_pages_render(client, tree, quiz, auth, bank):
    auth.login("gv.hanoi")
    for path in ["/quiz/banks", f"/quiz/banks/{bank.code}", f"/quiz/banks/{bank.code}/questions/S-001",
                 f"/quiz/banks/{bank.code}/import", "/quiz/manage", f"/quiz/manage/{quiz.id}", "/quiz/manage/new",
                 f"/quiz/manage/{quiz.id}/stats"]:
        assert client.get(path).status_code == 200, path
    assert client.get(f"/quiz/banks/{bank.code}/export.gift").get_data(as_text=True).count("::") >= 8
    assert client.get("/quiz/banks/NOPE").status_code == 404


def test_editing_a_question_on_the_page_adds_a_version(client, tree, quiz, auth, bank):
    auth.login("gv.hanoi")
    page = client.get(f"/quiz/banks/{bank.code}/questions/S-001").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "ident": "S-001", "qtype": "single", "text_vi": "Câu một lựa chọn (sửa)?",
            "choices": "Alpha\nBravo\nCharlie\nDelta", "key": "4", "tolerance": "0", "explanation_vi": "x",
            "citation": "Luật Công đoàn 2024, Điều 29", "difficulty": "easy", "tags": "t1"}
    assert client.post(f"/quiz/banks/{bank.code}/questions/S-001", data=form).status_code == 302
    from lms.assessments.models import Question

    q = db.session.scalar(select(Question).where(Question.ident == "S-001"))
    assert q.current_version.number == 2 and q.current_version.key == 3
    bad = client.post(f"/quiz/banks/{bank.code}/questions/S-001", data={**form, "key": "9"})
    assert bad.status_code == 422
    db.session.refresh(q)
    assert len(q.versions) == 2


def test_creating_a_quiz_through_the_form(client, tree, auth, bank, module):
    db.session.commit()
    auth.login("gv.hanoi")
    page = client.get("/quiz/manage/new").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "module_id": module.id, "bank_id": bank.id, "title": "Đề 1",
            "question_count": "3", "pools": "", "pass_mark": "70", "time_limit_minutes": "20", "attempts_allowed": "2",
            "review_policy": "after_submit", "shuffle_choices": "y", "active": "y"}
    assert client.post("/quiz/manage/new", data=form).status_code == 302
    too_big = client.post("/quiz/manage/new", data={**form, "question_count": "50"})
    assert too_big.status_code == 422
    from lms.assessments.models import Quiz

    assert [q.title for q in db.session.scalars(select(Quiz))] == ["Đề 1"]


def test_home_panel_lists_the_learners_quizzes(client, learner, quiz):
    body = client.get("/").get_data(as_text=True)
    assert quiz.title in body
