"""The results endpoint and the launch for quizzes: which kind a module resolves to, the quiz outcome
(completion on submission, success, score by the module's grading rule), refusals."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from lms.assessments import services as quiz_services
from lms.catalog.services import create_module
from lms.core.db import db
from tests.lms.api.helpers import add_quiz, setup_world, signed


@pytest.fixture
def world(app, tmp_path):
    world = setup_world(tmp_path)
    world["quiz"] = add_quiz(world["module"], questions=4, pass_mark="60")
    return world


def results(client, params):
    return client.post("/api/xblock/results", data=params)


def launch(client, params):
    return client.get("/api/xblock/launch?" + urlencode(params))


def answer_and_submit(quiz, cadre_id: int, right: int):
    """An attempt with ``right`` of its questions answered right (choice 0), the rest wrong; submitted."""
    attempt = quiz_services.start_attempt(quiz, cadre_id)
    answers = {}
    for n, item in enumerate(attempt.items):
        by_index = {index: cid for cid, index in item.choice_map}
        answers[item.position] = by_index[0 if n < right else 1]
    token = attempt.submit_token
    quiz_services.submit_attempt(attempt, token, answers=answers)
    db.session.commit()
    return attempt


def test_kind_quiz_launch_opens_the_quiz_frame_and_module_kind_still_opens_the_package(client, world):
    response = launch(client, signed(world, kind="quiz"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/api/xblock/quizzes/{world['quiz'].id}/frame"
    # the module has a package, so "auto" (no kind) and "module" open the player
    assert launch(client, signed(world)).headers["Location"].startswith("/api/xblock/attempts/")
    assert launch(client, signed(world, kind="module")).headers["Location"].startswith("/api/xblock/attempts/")


def test_unknown_kind_is_refused(client, world):
    page = launch(client, signed(world, kind="survey"))
    assert page.status_code == 400 and "Loại nội dung không hợp lệ" in page.get_data(as_text=True)
    assert results(client, signed(world, "results", kind="survey")).status_code == 400


def test_quiz_results_follow_submissions_and_the_module_grading_rule(client, world):
    assert launch(client, signed(world, kind="quiz")).status_code == 302
    body = results(client, signed(world, "results", kind="quiz")).get_json()
    assert (body["status"], body["kind"], body["completed"], body["score"], body["attempts"]) == (
        "linked", "quiz", False, None, 0)

    cadre_id, quiz = world["cadre"].id, world["quiz"]
    quiz_services.start_attempt(quiz, cadre_id)  # in progress: not complete, no score
    db.session.commit()
    body = results(client, signed(world, "results", kind="quiz")).get_json()
    assert (body["completed"], body["completion"], body["score"], body["attempts"]) == (False, 0.0, None, 1)

    answer_and_submit(quiz, cadre_id, right=4)  # resumes the open attempt: 100 %, passed
    answer_and_submit(quiz, cadre_id, right=1)  # 25 %, failed
    body = results(client, signed(world, "results", kind="quiz")).get_json()
    # "highest" (the default): 100 % → 1.0; passed once → passed
    assert (body["completed"], body["completion"], body["success"], body["score"], body["attempts"]) == (
        True, 1.0, "passed", 1.0, 2)

    world["module"].grading = "last"
    db.session.commit()
    body = results(client, signed(world, "results", kind="quiz")).get_json()
    assert (body["success"], body["score"]) == ("passed", 0.25)

    world["module"].grading = "average"
    db.session.commit()
    assert results(client, signed(world, "results", kind="quiz")).get_json()["score"] == 0.625  # (100+25)/2

    # the module's SCORM side is untouched by the quiz
    module_body = results(client, signed(world, "results", kind="module")).get_json()
    assert (module_body["kind"], module_body["completed"], module_body["score"]) == ("module", False, None)


def test_failed_only_quiz_reports_failed(client, world):
    launch(client, signed(world, kind="quiz"))
    answer_and_submit(world["quiz"], world["cadre"].id, right=2)  # 50 % < 60 %
    body = results(client, signed(world, "results", kind="quiz")).get_json()
    assert (body["completed"], body["success"], body["score"]) == (True, "failed", 0.5)


def test_auto_resolves_to_the_quiz_only_without_a_package(client, world):
    module = create_module("LUATCD", "Luật Công đoàn 2024", topic="union_law", hours=2)
    db.session.commit()
    quiz = add_quiz(module, questions=2, code="QLU")
    response = launch(client, signed(world, module="LUATCD"))
    assert response.headers["Location"] == f"/api/xblock/quizzes/{quiz.id}/frame"
    assert results(client, signed(world, "results", module="LUATCD")).get_json()["kind"] == "quiz"
    # without package and without quiz, "auto" stays on the package and says it is not published
    create_module("TRONG", "Học phần trống", topic="osh", hours=1)
    db.session.commit()
    empty = launch(client, signed(world, module="TRONG"))
    assert empty.status_code == 404 and "chưa có gói bài học" in empty.get_data(as_text=True)


def test_pending_learner_on_a_quiz_sees_the_waiting_page(client, world):
    page = launch(client, signed(world, anon="anon-x", email=None, kind="quiz"))
    assert page.status_code == 202
    body = results(client, signed(world, "results", anon="anon-x", email=None, kind="quiz")).get_json()
    assert (body["status"], body["kind"], body["score"]) == ("pending", "quiz", None)


def test_quiz_launch_session_may_take_the_quiz_but_not_other_pages(client, world):
    launch(client, signed(world, kind="quiz"))
    quiz = world["quiz"]
    assert client.get(f"/api/xblock/quizzes/{quiz.id}/frame").status_code == 200
    assert client.get(f"/quiz/{quiz.id}").status_code == 200
    assert client.get("/").status_code == 403
    assert client.get("/player/attempts/1/play").status_code == 403  # the player belongs to module launches
