"""Issue 15: closing the tab right after the SCO's last SetValue and Terminate keeps that last commit.

The SCO's Terminate posts its commit to the LMS page, which sends it (and hands unsent commits to the
browser with fetch ``keepalive`` on ``pagehide``). A SCO that terminates in its own ``pagehide`` handler
("terminate-on-unload", the common case) does so while the LMS page is being unloaded too: before the
beacon (lms/player/commit_beacon.py, launcher.js) that last commit was lost — both of those cases failed
here. Chromium, separate content origin (the default)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.player.models import ScoState
from tests.e2e.conftest import login
from tests.e2e.player_pages import attempt_of, publish, start

pytestmark = pytest.mark.e2e


def _stored(cadre_id, key: str, timeout: float = 10.0):
    """The SCO state's value of ``key`` once the server has it (the close does not wait for the answer)."""
    until = time.time() + timeout
    while time.time() < until:
        attempt = attempt_of(cadre_id)
        rows = db.session.scalars(select(ScoState).where(ScoState.attempt_id == attempt.id)).all() if attempt else []
        for row in rows:
            if (row.cmi or {}).get(key):
                return row
        time.sleep(0.1)
    return None


@pytest.mark.parametrize("how", ["terminated", "terminate-racing", "terminate-on-unload"])
@pytest.mark.parametrize("version,fixture", [("1.2", "scorm12_single"), ("2004", "scorm2004")])
def test_the_last_commit_survives_closing_the_tab_at_once(app, tree, tmp_path, live_server, page, version, fixture,
                                                          how):
    publish(tmp_path, fixture, "U" + version.replace(".", ""))
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "U" + version.replace(".", ""))
    location = "cmi.core.lesson_location" if version == "1.2" else "cmi.location"
    finish = {"terminated": "sco.finish();", "terminate-racing": "setTimeout(sco.finish, 0);",
              "terminate-on-unload": ""}[how]  # the last: the SCO's own pagehide handler terminates it
    frame.evaluate(f"""() => {{ sco.set('{location}', 'trang-cuoi'); sco.set('cmi.suspend_data', 'ket-thuc');
                               {finish} }}""")
    page.close()  # at once: no wait for the commit's answer
    row = _stored(tree["hn_cadre"].id, location)
    assert row is not None, "the last commit was lost"
    assert row.cmi[location] == "trang-cuoi" and row.cmi["cmi.suspend_data"] == "ket-thuc"
