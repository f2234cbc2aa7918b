"""A multi-SCO SCORM 2004 package written by ``scorm.build_course`` plays in Chromium: each SCO finds
the run-time, sets its ``on_load`` values, and its buttons commit and terminate with an
``adl.nav.request`` (issue 17: the sequencing e2e tests build their packages this way)."""

from __future__ import annotations

import contextlib
import time

from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.player.models import Attempt, ScoState
from scorm.build_course import Activity, CourseSource, ScoAction, build_course_package
from scorm.sequencing import ControlMode, Sequencing
from tests.e2e.conftest import login


def built_sco(page, name: str, timeout: float = 15):
    """The frame of the built SCO ``sco/<name>.html`` once it has initialized."""
    until = time.time() + timeout
    while time.time() < until:
        for frame in page.frames:
            if f"sco/{name}.html" in frame.url:
                with contextlib.suppress(Exception):  # the frame may be navigating
                    if frame.evaluate("document.body && document.body.getAttribute('data-initialized')") == "true":
                        return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no initialized sco/{name}.html in {[f.url for f in page.frames]}")


def test_built_course_scos_talk_to_the_run_time_and_continue(app, tree, tmp_path, live_server, page):
    done = ScoAction("Xong", {"cmi.success_status": "passed", "cmi.score.scaled": "0.9"}, request="continue")
    course = CourseSource("BC1", "Khoá dựng sẵn", (
        Activity("A", "Bài A", on_load={"cmi.completion_status": "completed", "cmi.location": "p1"},
                 actions=(done,)),
        Activity("B", "Bài B", on_load={"cmi.completion_status": "incomplete"}),
    ), sequencing=Sequencing(control_mode=ControlMode(choice=True, flow=True)))
    module = create_module("BC1", "Khoá dựng sẵn", topic="osh", hours=1)
    import_package(module, build_course_package(course, tmp_path / "bc1.zip"))
    db.session.commit()
    login(page, live_server, "hv.nhung")
    page.goto(f"{live_server.url}/player/")
    page.click('[data-module="BC1"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    frame = built_sco(page, "A")
    assert frame.evaluate("sco.get('cmi.location')") == "p1"
    assert frame.evaluate("sco.get('cmi.completion_status')") == "completed"
    frame.click("#sco-action-0")
    page.wait_for_url("**sco=B**")
    frame = built_sco(page, "B")
    assert frame.evaluate("sco.get('cmi.completion_status')") == "incomplete"
    assert page.evaluate("window.lmsPlayer.whenIdle(10000)") is True
    db.session.expire_all()
    attempt = db.session.scalar(select(Attempt).where(Attempt.cadre_id == tree["hn_cadre"].id))
    a = db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == "A"))
    assert a.success == "passed" and a.cmi["cmi.score.scaled"] == "0.9" and a.cmi["cmi.location"] == "p1"
