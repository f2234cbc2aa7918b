"""A quiz in the block, end to end in the workbench runtime against a live backend: render → signed
launch (kind=quiz) → take and submit over HTTP in the launched session → grade and completion
published; the launch session reaches only that quiz; "auto" launches the quiz of a module without a
package."""

from __future__ import annotations

import json
import re

import pytest
import requests
from sqlalchemy import select

from lms.catalog.services import create_module
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.lms.api.helpers import EMAIL, add_quiz, setup_world
from tests.lms.api.quizhttp import take_quiz
from tests.xblock.test_block import WEIGHT, call_refresh, iframe_src, make_block


@pytest.fixture
def world(app, tmp_path, backend, monkeypatch):
    world = setup_world(tmp_path)
    world["url"] = backend.url
    world["quiz"] = add_quiz(world["module"], questions=4, pass_mark="60")
    monkeypatch.setenv("UNION_LMS_SECRETS", json.dumps({world["key"]: world["secret"]}))
    return world


def launch(src: str, base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    launched = session.get(src, allow_redirects=False)
    assert launched.status_code == 302, launched.text[:500]
    return session, base + launched.headers["Location"]


def test_quiz_in_the_block_take_submit_publishes_grade_and_completion(world, make_runtime):
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, kind="quiz")

    content = runtime.render(block, "student_view").content
    src = iframe_src(content)
    assert "kind=quiz" in src and "Chưa nộp bài kiểm tra." in content  # linked earlier, nothing submitted
    session, frame_url = launch(src, world["url"])
    assert frame_url == f"{world['url']}/api/xblock/quizzes/{world['quiz'].id}/frame"

    # launched, not yet submitted: linked, nothing to publish
    answer = call_refresh(runtime, block, {})
    assert answer["status"] == "linked" and answer["completed"] is False and runtime.published == []

    result_page = take_quiz(session, world["url"], frame_url, right=3)  # 3 of 4 right = 75 % ≥ 60 %
    assert "75" in result_page.text

    answer = call_refresh(runtime, block, {"score": 1.0})  # the request's score is ignored
    assert answer["ok"] is True and answer["completed"] is True and answer["success"] == "passed"
    assert answer["score"] == 0.75
    assert answer["text"] == "Đã nộp bài kiểm tra — điểm 75% (đạt)."
    # 0.75 × weight 2.0 = 1.5
    assert runtime.published == [("grade", {"value": 1.5, "max_value": WEIGHT}), ("completion", {"completion": 1.0})]

    # a second, failed attempt (1 of 4 = 25 %): the module grades "highest", so nothing changes
    session2, frame2 = launch(iframe_src(runtime.render(block, "student_view").content), world["url"])
    take_quiz(session2, world["url"], frame2, right=1)
    assert call_refresh(runtime, block, {})["score"] == 0.75
    assert len(runtime.published) == 2

    # the pass reached the ledger through the quiz's own service
    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == world["cadre"].id))
    assert record is not None and record.source == "assessment" and float(record.score) == 75.0


def test_quiz_launch_session_reaches_only_that_quiz(world, make_runtime):
    other_module = create_module("PCCN", "Phòng chống cháy nổ", topic="osh", hours=2)
    db.session.commit()
    other_quiz = add_quiz(other_module, questions=2, code="QOT")
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, kind="quiz")
    session, frame_url = launch(iframe_src(runtime.render(block, "student_view").content), world["url"])
    base = world["url"]
    assert session.get(f"{base}/quiz/{world['quiz'].id}").status_code == 200
    refused = session.get(f"{base}/quiz/{other_quiz.id}")
    assert refused.status_code == 403 and "chỉ dùng được cho học phần đã chọn" in refused.text
    assert session.get(f"{base}/quiz/").status_code == 403  # the learner's quiz list: not part of the launch
    assert session.get(f"{base}/api/xblock/quizzes/{other_quiz.id}/frame").status_code == 404


def test_auto_kind_launches_the_quiz_of_a_module_without_package(world, make_runtime):
    module = create_module("LUATCD", "Luật Công đoàn 2024", topic="union_law", hours=2)
    db.session.commit()
    quiz = add_quiz(module, questions=2, code="QLU")
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, module_code="LUATCD")  # kind "auto" (the default)
    assert block.kind == "auto"
    src = iframe_src(runtime.render(block, "student_view").content)
    assert "kind=" not in src  # "auto" is decided by the backend
    session, frame_url = launch(src, world["url"])
    assert frame_url.endswith(f"/api/xblock/quizzes/{quiz.id}/frame")
    take_quiz(session, world["url"], frame_url, right=1)  # 1 of 2 = 50 % < 60 %: failed, yet complete
    answer = call_refresh(runtime, block, {})
    assert (answer["completed"], answer["success"], answer["score"]) == (True, "failed", 0.5)
    assert answer["text"] == "Đã nộp bài kiểm tra — điểm 50% (chưa đạt)."
    assert runtime.published == [("grade", {"value": 1.0, "max_value": WEIGHT}), ("completion", {"completion": 1.0})]


def test_quiz_kind_on_a_module_without_quiz_is_refused(world, make_runtime):
    create_module("KHONGQ", "Học phần không có bài kiểm tra", topic="osh", hours=1)
    db.session.commit()
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, module_code="KHONGQ", kind="quiz")
    page = requests.get(iframe_src(runtime.render(block, "student_view").content))
    assert page.status_code == 404 and "chưa có bài kiểm tra đang mở" in page.text


def test_frame_reports_submission_to_the_page(world, make_runtime):
    """The quiz frame recognises result pages by the path around the attempt id."""
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, kind="quiz")
    session, frame_url = launch(iframe_src(runtime.render(block, "student_view").content), world["url"])
    frame = session.get(frame_url).text
    assert 'data-result-before="/quiz/attempt/"' in frame and 'data-result-after="/result"' in frame
    assert re.search(r"frame-ancestors 'self'", session.get(frame_url).headers["Content-Security-Policy"])
