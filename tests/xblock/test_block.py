"""The XBlock end to end in the workbench runtime against a live backend: render, launch, finish,
grade and completion published, refusals; and the entry point."""

from __future__ import annotations

import html
import importlib.metadata
import json
import re
import time

import pytest
import requests
from webob import Request

from lms.core.db import db
from lms_xblock import client as xclient
from lms_xblock.block import UnionLmsXBlock
from tests.lms.api.helpers import EMAIL, setup_world

WEIGHT = 2.0


@pytest.fixture
def world(app, tmp_path, backend, monkeypatch):
    world = setup_world(tmp_path)
    world["url"] = backend.url
    monkeypatch.setenv("UNION_LMS_SECRETS", json.dumps({world["key"]: world["secret"]}))
    return world


def make_block(runtime, world, **fields) -> UnionLmsXBlock:
    def_id = runtime.id_generator.create_definition("union_lms")
    usage_id = runtime.id_generator.create_usage(def_id)
    block = runtime.get_block(usage_id)
    values = {"backend_url": world["url"], "module_code": "ATVSLD", "consumer_key": world["key"], "weight": WEIGHT}
    values.update(fields)
    for name, value in values.items():
        setattr(block, name, value)
    block.save()
    return block


def iframe_src(fragment_html: str) -> str:
    match = re.search(r'<iframe src="([^"]*)"', fragment_html)
    assert match, fragment_html
    return html.unescape(match.group(1))


def call_refresh(runtime, block, body: dict) -> dict:
    request = Request.blank("/", method="POST", body=json.dumps(body).encode(),
                            headers={"Content-Type": "application/json"})
    response = runtime.handle(block, "refresh", request)
    return json.loads(response.body)


def finish_module(session: requests.Session, base: str, frame_url: str, raw: str = "80") -> None:
    """Play the module in the launched session and commit "passed" with a score through the player."""
    frame = session.get(frame_url)
    assert frame.status_code == 200
    play_path = re.search(r'data-play-path="([^"]+)"', frame.text).group(1)
    play = session.get(base + play_path)
    assert play.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', play.text).group(1)
    config = json.loads(re.search(r'<script type="application/json" id="player-config">(.*?)</script>',
                                  play.text, re.S).group(1))
    commit = session.post(base + config["commitUrl"], headers={"X-CSRFToken": token, "Referer": base + play_path},
                          json={"seq": 1, "session": "s1", "cmi": {
                              "cmi.core.lesson_status": "passed", "cmi.core.score.raw": raw,
                              "cmi.core.score.min": "0", "cmi.core.score.max": "100", "cmi.core.exit": ""}})
    assert commit.status_code == 200, commit.text
    assert commit.json()["attempt"]["rule_met"] is True


def test_render_launch_finish_publishes_grade_and_completion(world, make_runtime):
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world)

    fragment = runtime.render(block, "student_view")
    content = fragment.content
    src = iframe_src(content)
    assert src.startswith(world["url"] + "/api/xblock/launch?")
    assert "Chưa bắt đầu." in content  # never launched
    assert runtime.published == []
    assert block.max_score() == WEIGHT and UnionLmsXBlock.has_score is True

    session = requests.Session()
    launched = session.get(src, allow_redirects=False)
    assert launched.status_code == 302
    frame_url = world["url"] + launched.headers["Location"]
    # the learner is now linked (by email) but has not finished: completion 0, no grade
    assert call_refresh(runtime, block, {})["status"] == "linked"
    assert runtime.published == []

    finish_module(session, world["url"], frame_url, raw="80")

    # the iframe page's postMessage makes the block's JS call `refresh`; a score in the request is ignored
    answer = call_refresh(runtime, block, {"score": 1.0, "completion": 1.0})
    assert answer["ok"] is True and answer["completed"] is True and answer["score"] == 0.8
    assert runtime.published == [("grade", {"value": 1.6, "max_value": WEIGHT}), ("completion", {"completion": 1.0})]

    # a later view refreshes server side; nothing changed, so nothing is published again
    again = runtime.render(block, "student_view").content
    assert "Đã hoàn thành — điểm 80%" in again
    assert len(runtime.published) == 2

    # the record reached the ledger
    from sqlalchemy import select

    from lms.records.models import TrainingRecord

    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == world["cadre"].id))
    assert record is not None and record.source == "online" and record.module_id == world["module"].id


def test_view_fetches_results_on_render(world, make_runtime):
    """A result reached by another route (a reload after finishing) is published by the next view."""
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world)
    session = requests.Session()
    launched = session.get(iframe_src(runtime.render(block, "student_view").content), allow_redirects=False)
    finish_module(session, world["url"], world["url"] + launched.headers["Location"], raw="65")
    runtime.published.clear()
    runtime.render(block, "student_view")
    assert runtime.published == [("grade", {"value": 1.3, "max_value": WEIGHT}), ("completion", {"completion": 1.0})]


def test_replayed_expired_and_forged_launches_are_refused(world, make_runtime):
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world)
    src = iframe_src(runtime.render(block, "student_view").content)
    assert requests.get(src, allow_redirects=False).status_code == 302

    replay = requests.get(src, allow_redirects=False)
    assert replay.status_code == 409 and "Liên kết học này đã được sử dụng" in replay.text

    forged = requests.get(re.sub(r"signature=[0-9a-f]+", "signature=" + "ab" * 32, src), allow_redirects=False)
    assert forged.status_code == 403 and "Chữ ký của liên kết không hợp lệ" in forged.text

    learner = xclient.Learner("anon-0001", EMAIL, "Trần Thị Hồng Nhung")
    old = xclient.launch_url(world["url"], world["key"], world["secret"], "ATVSLD", learner, now=time.time() - 600)
    expired = requests.get(old, allow_redirects=False)
    assert expired.status_code == 403 and "Liên kết học đã hết hạn" in expired.text

    wrong_secret = xclient.launch_url(world["url"], world["key"], "not-the-secret", "ATVSLD", learner)
    assert requests.get(wrong_secret, allow_redirects=False).status_code == 403


def test_pending_learner_sees_the_waiting_page_and_no_grade(world, make_runtime):
    runtime = make_runtime(anonymous_id="anon-9", email=None, full_name="Người lạ")
    block = make_block(runtime, world)
    page = requests.get(iframe_src(runtime.render(block, "student_view").content))
    assert page.status_code == 202 and "Đang chờ xác nhận" in page.text
    answer = call_refresh(runtime, block, {"score": 1})
    assert answer["status"] == "pending" and "chờ quản trị viên xác nhận" in answer["text"]
    assert runtime.published == []


def test_unconfigured_block_says_why(world, make_runtime, monkeypatch):
    runtime = make_runtime()
    monkeypatch.delenv("UNION_LMS_SECRETS")
    block = make_block(runtime, world)
    content = runtime.render(block, "student_view").content
    assert "UNION_LMS_SECRETS" in content and 'src=""' in content
    blank = make_block(runtime, world, backend_url="")
    assert "chưa được cấu hình địa chỉ" in runtime.render(blank, "student_view").content


def test_unreachable_backend_is_reported_not_raised(world, make_runtime):
    runtime = make_runtime(email=EMAIL)
    block = make_block(runtime, world, backend_url="http://127.0.0.1:9")
    answer = call_refresh(runtime, block, {})
    assert answer["ok"] is False and "Không lấy được kết quả" in answer["message"]
    assert runtime.published == []


def test_entry_point_loads_the_block():
    points = {e.name: e for e in importlib.metadata.entry_points(group="xblock.v1")}
    assert points["union_lms"].value == "lms_xblock.block:UnionLmsXBlock"
    assert points["union_lms"].load() is UnionLmsXBlock
