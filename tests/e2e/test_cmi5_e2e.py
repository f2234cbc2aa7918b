"""A cmi5 AU played in Chromium (issue #21): the learner opens the AU, which does the cmi5 handshake in plain
JS (launch parameters §8.1, fetch URL §8.2, LMS.LaunchData §10.2.1) and sends initialized, completed, passed
and terminated through the LMS's LRS proxy to Ralph (a real LRS); moveOn CompletedAndPassed is met, the LMS
sends ``satisfied`` and the cadre's training record shows the module."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.xapi import sender
from tests.e2e.conftest import login
from tests.lms.xapi.cmi5_package import AU_IRI, COURSE_IRI, cmi5_zip
from tests.lms.xapi.conftest import learner, ralph  # noqa: F401  (fixtures)
from tests.lms.xapi.ralph import PASSWORD, USERNAME


def test_a_cmi5_au_played_in_chromium_reaches_ralph_and_the_transcript(app, live_server, content_server, page,
                                                                        learner, ralph, tmp_path, monkeypatch):  # noqa: F811
    for key, value in {"LMS_XAPI_ENDPOINT": ralph.url, "LMS_XAPI_USERNAME": USERNAME, "LMS_XAPI_PASSWORD": PASSWORD,
                       "LMS_BASE_URL": live_server.url}.items():
        monkeypatch.setitem(app.config, key, value)
    module = create_module("KNTL", "Kỹ năng thương lượng tập thể", topic="other", hours=3)
    import_package(module, cmi5_zip(tmp_path))
    db.session.commit()
    login(page, live_server, "hv.mai")
    page.goto(f"{live_server.url}/cmi5/KNTL")
    page.click("#cmi5-aus a.btn")
    page.wait_for_function("document.getElementById('status').textContent !== 'starting'")
    assert page.text_content("#status").startswith("done CompletedAndPassed")
    assert page.url.startswith(content_server.url + "/c/")
    registration = parse_qs(urlsplit(page.url).query)["registration"][0]
    db.session.expire_all()
    assert sender.send_pending().failed == 0
    db.session.commit()
    stored = ralph.statements(registration=registration, limit="50")["statements"]
    verbs = {(s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"]) for s in stored}
    assert {("initialized", AU_IRI), ("completed", AU_IRI), ("passed", AU_IRI), ("terminated", AU_IRI),
            ("launched", AU_IRI), ("satisfied", AU_IRI), ("satisfied", COURSE_IRI)} <= verbs
    page.goto(f"{live_server.url}/records/me")
    assert "Kỹ năng thương lượng tập thể" in page.content()
    page.goto(f"{live_server.url}/cmi5/KNTL")
    assert "Đã đạt" in page.text_content("#cmi5-aus")
