"""Launching a cmi5 AU against a real LRS (Ralph): the launch parameters (cmi5 §8.1), the one-use fetch URL
(§8.2), LMS.LaunchData (§10.2.1), the LRS proxy's limits, moveOn (§10) → ``satisfied`` (§9.3.9) and the
ledger record that counts toward requirements."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.records.models import TrainingRecord
from lms.xapi import sender
from lms.xapi.cmi5_models import Cmi5Session
from lms.xapi.models import XapiOutbox
from tests.lms.xapi.cmi5_package import AU_IRI, COURSE_IRI, cmi5_zip
from tests.lms.xapi.ralph import PASSWORD, USERNAME

CONTENT = "http://content.localhost"
ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def course(app, learner, tmp_path, monkeypatch, ralph):
    monkeypatch.setitem(app.config, "LMS_XAPI_ENDPOINT", ralph.url)
    monkeypatch.setitem(app.config, "LMS_XAPI_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", PASSWORD)
    monkeypatch.setitem(app.config, "LMS_BASE_URL", "https://lms.congdoan.test")
    module = create_module("KNTL", "Kỹ năng thương lượng tập thể", topic="other", hours=3)
    import_package(module, cmi5_zip(tmp_path))
    db.session.commit()
    return module


def _launch(client, auth, *, log_in: bool = True) -> dict[str, str]:
    if log_in:
        auth.login("hv.mai")
    response = client.get("/cmi5/KNTL/au/1")
    assert response.status_code == 302
    url = response.headers["Location"]
    assert url.startswith(CONTENT + "/c/")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert set(params) == {"endpoint", "fetch", "actor", "registration", "activityId"}
    return params


def _token(client, params) -> dict[str, str]:
    answer = client.post(urlsplit(params["fetch"]).path, base_url=CONTENT).get_json()
    return {"Authorization": "Basic " + answer["auth-token"], "X-Experience-API-Version": "1.0.3"}


def _statement(params, verb: str, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": json.loads(params["actor"]),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": params["activityId"]},
            "context": {"registration": params["registration"]}, **extra}


def _put(client, headers, statement) -> int:
    return client.put("/c/_lms/xapi/statements", base_url=CONTENT, headers=headers, json=statement,
                      query_string={"statementId": statement["id"]}).status_code


def test_the_fetch_url_answers_once(client, auth, course):
    params = _launch(client, auth)
    assert params["activityId"] == AU_IRI
    assert json.loads(params["actor"])["account"] == {"homePage": "https://lms.congdoan.test", "name": "HN0042"}
    path = urlsplit(params["fetch"]).path
    assert "auth-token" in client.post(path, base_url=CONTENT).get_json()
    again = client.post(path, base_url=CONTENT)
    assert again.status_code == 400 and again.get_json()["error-code"] == "1"
    assert client.post(path, base_url="http://localhost").status_code == 404  # content origin only


def test_launch_data_is_read_through_the_proxy(client, auth, course):
    params = _launch(client, auth)
    headers = _token(client, params)
    query = {"stateId": "LMS.LaunchData", "activityId": AU_IRI, "agent": params["actor"],
             "registration": params["registration"]}
    data = client.get("/c/_lms/xapi/activities/state", base_url=CONTENT, headers=headers, query_string=query).get_json()
    assert (data["moveOn"], data["masteryScore"], data["launchMode"]) == ("CompletedAndPassed", 0.8, "Normal")
    assert data["returnURL"].endswith("/records/me")
    assert client.put("/c/_lms/xapi/activities/state", base_url=CONTENT, headers=headers, query_string=query,
                      json={"moveOn": "NotApplicable"}).status_code == 403


def test_the_proxy_keeps_the_au_to_its_own_actor_registration_and_verbs(client, auth, course):
    params = _launch(client, auth)
    headers = _token(client, params)
    other = _statement(params, "completed")
    other["actor"] = {"objectType": "Agent", "account": {"homePage": "https://lms.congdoan.test", "name": "HN0001"}}
    assert _put(client, headers, other) == 403
    assert _put(client, headers, _statement(params, "completed", context={"registration": str(uuid.uuid4())})) == 403
    satisfied = _statement(params, "satisfied")
    satisfied["verb"]["id"] = "https://w3id.org/xapi/adl/verbs/satisfied"  # the LMS's verb (§9.3.9)
    assert _put(client, headers, satisfied) == 403
    assert _put(client, headers, _statement(params, "launched")) == 403
    assert _put(client, {"Authorization": "Basic bm9wZTpub3Bl"}, _statement(params, "completed")) == 401
    assert client.get("/c/_lms/xapi/statements", base_url=CONTENT, headers=headers).status_code == 403


def test_completed_and_passed_satisfy_the_au_and_append_a_ledger_record(client, auth, course, ralph):
    params = _launch(client, auth)
    headers = _token(client, params)
    assert _put(client, headers, _statement(params, "initialized")) == 204
    assert _put(client, headers, _statement(params, "completed", result={"completion": True})) == 204
    assert db.session.scalar(select(TrainingRecord).where(TrainingRecord.module_id == course.id)) is None
    assert _put(client, headers, _statement(params, "passed", result={"success": True, "score": {"scaled": 0.9}})) == 204
    assert _put(client, headers, _statement(params, "terminated")) == 204
    assert _put(client, headers, _statement(params, "completed")) == 401  # the session is over
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.module_id == course.id))
    assert (record.source, float(record.score), record.evidence) == (
        "online", 90.0, {"cmi5_registration": params["registration"]})
    assert sender.send_pending().failed == 0
    db.session.commit()
    stored = ralph.statements(registration=params["registration"], limit="50")["statements"]
    verbs = sorted((s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"]) for s in stored)
    assert verbs == sorted([("initialized", AU_IRI), ("completed", AU_IRI), ("passed", AU_IRI),
                            ("terminated", AU_IRI), ("launched", AU_IRI), ("satisfied", AU_IRI),
                            ("satisfied", COURSE_IRI)])
    satisfied = db.session.scalars(select(XapiOutbox).where(XapiOutbox.verb == "satisfied")).all()
    assert len(satisfied) == 2


def test_completed_and_failed_do_not_meet_completed_and_passed(client, auth, course):
    params = _launch(client, auth)
    headers = _token(client, params)
    assert _put(client, headers, _statement(params, "completed")) == 204
    assert _put(client, headers, _statement(params, "failed", result={"success": False, "score": {"scaled": 0.4}})) == 204
    assert _put(client, headers, _statement(params, "terminated")) == 204
    assert db.session.scalar(select(TrainingRecord).where(TrainingRecord.module_id == course.id)) is None
    assert db.session.scalars(select(XapiOutbox).where(XapiOutbox.verb == "satisfied")).all() == []


def test_a_second_launch_keeps_the_registration_and_needs_a_new_token(client, auth, course):
    first = _launch(client, auth)
    old = _token(client, first)
    second = _launch(client, auth, log_in=False)
    assert second["registration"] == first["registration"] and second["fetch"] != first["fetch"]
    new = _token(client, second)
    assert new != old and _put(client, new, _statement(second, "initialized")) == 204


def test_the_course_page_lists_the_aus_with_the_cadres_progress(client, auth, course):
    auth.login("hv.mai")
    page = client.get("/cmi5/KNTL").get_data(as_text=True)
    assert "Bài 1" in page and "Chưa học" in page and "/cmi5/KNTL/au/1" in page
    params = _launch(client, auth, log_in=False)
    headers = _token(client, params)
    _put(client, headers, _statement(params, "completed"))
    _put(client, headers, _statement(params, "passed", result={"success": True}))
    assert "Đã đạt" in client.get("/cmi5/KNTL").get_data(as_text=True)
    assert client.get("/cmi5/ATVSLD").status_code == 404  # a SCORM module has no cmi5 course


def test_the_players_module_page_and_launch_send_a_cmi5_module_to_its_course_page(client, auth, course):
    auth.login("hv.mai")
    assert client.get("/player/modules/KNTL").headers["Location"].endswith("/cmi5/KNTL")
    page = client.get("/player/modules/ATVSLD")
    assert page.status_code == 200  # SCORM modules are untouched


def test_an_auth_token_expires_a_day_after_the_launch(client, auth, course):
    params = _launch(client, auth)
    headers = _token(client, params)
    session = db.session.scalars(select(Cmi5Session)).one()
    session.created_at = session.created_at - timedelta(hours=25)
    db.session.commit()
    assert _put(client, headers, _statement(params, "initialized")) == 401
