"""cmi5 building blocks: the course structure (cmi5 §13), moveOn (§10), the launch URL (§8.1) and the
LMS's statements (§9.3, §9.6), the latter accepted by a real LRS (Ralph)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.core.db import db
from lms.core.errors import UserError
from lms.xapi import cmi5, sender
from lms.xapi.models import XapiOutbox
from tests.lms.xapi.ralph import PASSWORD, USERNAME

COURSE = b"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://lms.congdoan.test/cmi5/atvsld">
    <title><langstring lang="vi-VN">An to\xc3\xa0n lao \xc4\x91\xe1\xbb\x99ng</langstring></title>
    <description><langstring lang="vi-VN">Kh\xc3\xb3a h\xe1\xbb\x8dc</langstring></description>
  </course>
  <au id="https://lms.congdoan.test/cmi5/atvsld/au1" moveOn="CompletedAndPassed" masteryScore="0.8">
    <title><langstring lang="vi-VN">B\xc3\xa0i 1</langstring></title>
    <description><langstring lang="vi-VN">.</langstring></description>
    <url>au1/index.html</url>
    <launchParameters>{"level":1}</launchParameters>
  </au>
  <block id="https://lms.congdoan.test/cmi5/atvsld/b1">
    <title><langstring lang="vi-VN">Ph\xe1\xba\xa7n 2</langstring></title>
    <description><langstring lang="vi-VN">.</langstring></description>
    <au id="https://lms.congdoan.test/cmi5/atvsld/au2"><title><langstring>B\xc3\xa0i 2</langstring></title>
      <description><langstring>.</langstring></description><url>au2/index.html?x=1</url></au>
  </block>
</courseStructure>"""


def test_a_course_structure_is_read_with_its_aus():
    course = cmi5.parse_course(COURSE)
    assert course.id == "https://lms.congdoan.test/cmi5/atvsld" and course.title == "An toàn lao động"
    first, second = course.aus
    assert (first.title, first.url, first.move_on, first.mastery_score) == ("Bài 1", "au1/index.html",
                                                                            "CompletedAndPassed", 0.8)
    assert first.launch_parameters == '{"level":1}'
    assert (second.id, second.move_on, second.mastery_score) == (
        "https://lms.congdoan.test/cmi5/atvsld/au2", "NotApplicable", None)


@pytest.mark.parametrize("data", [
    b"<notxml", b"<courseStructure/>",
    COURSE.replace(b'moveOn="CompletedAndPassed"', b'moveOn="Sometimes"'),
    COURSE.replace(b"<url>au1/index.html</url>", b""),
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
])
def test_a_bad_course_structure_is_refused(data):
    with pytest.raises(UserError) as refused:
        cmi5.parse_course(data)
    assert refused.value.status == 422


@pytest.mark.parametrize(("move_on", "completed", "passed", "met"), [
    ("NotApplicable", False, False, True), ("Passed", False, True, True), ("Passed", True, False, False),
    ("Completed", True, False, True), ("CompletedAndPassed", True, False, False),
    ("CompletedAndPassed", True, True, True), ("CompletedOrPassed", False, True, True),
    ("CompletedOrPassed", False, False, False),
])
def test_move_on(move_on, completed, passed, met):
    assert cmi5.move_on_met(move_on, completed=completed, passed=passed) is met


def test_the_launch_url_carries_the_five_parameters():
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.congdoan.test", "name": "HN0042"}}
    url = cmi5.launch_url("https://content.test/au2/index.html?x=1", endpoint="https://lrs.test/xAPI/",
                          fetch="https://lms.congdoan.test/cmi5/fetch/abc", actor=actor,
                          registration="r-1", activity_id="https://lms.congdoan.test/cmi5/atvsld/au2")
    query = parse_qs(urlsplit(url).query)
    assert query["x"] == ["1"] and query["endpoint"] == ["https://lrs.test/xAPI/"]
    assert json.loads(query["actor"][0]) == actor
    assert query["registration"] == ["r-1"] and query["fetch"] == ["https://lms.congdoan.test/cmi5/fetch/abc"]


def test_launched_and_satisfied_are_accepted_by_ralph(app, monkeypatch, ralph):
    monkeypatch.setitem(app.config, "LMS_XAPI_ENDPOINT", ralph.url)
    monkeypatch.setitem(app.config, "LMS_XAPI_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", PASSWORD)
    au = cmi5.parse_course(COURSE).aus[0]
    actor = {"objectType": "Agent", "account": {"homePage": "https://lms.congdoan.test", "name": "HN0042"}}
    common = {"actor": actor, "activity_id": au.id, "registration": str(uuid.uuid4()), "session_id": "s-1", "au": au}
    for verb in ("launched", "satisfied"):
        body = cmi5.lms_statement(verb, statement_id=str(uuid.uuid4()), launch_url_="https://content.test/au1",
                                  **common)
        db.session.add(XapiOutbox(statement_id=body["id"], verb=verb, statement=body))
    db.session.commit()
    result = sender.send_pending()
    db.session.commit()
    assert (result.sent, result.retrying) == (2, 0)
    launched = ralph.statement(db.session.query(XapiOutbox).filter_by(verb="launched").one().statement_id)
    assert launched["context"]["extensions"][cmi5.EXT + "moveon"] == "CompletedAndPassed"
    assert launched["context"]["contextActivities"]["category"] == [cmi5.CATEGORY]
