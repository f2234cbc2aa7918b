"""Issue 15: a SCO that only calls SetValue — never Commit, never Terminate/LMSFinish — keeps its values
when the learner closes the tab, when the LMS page navigates elsewhere, and when the player's own "Thoát"
leaves it; and the LMS ends its session as the RTE books say (SCORM 2004 RTE 3.1.3.2 / SCORM 1.2 RTE
3.4.4: the LMS ends the session of a SCO unloaded without Terminate; session time = time since
Initialize when the SCO set none). The launcher (lms/static/js/launcher.js) renders the run-time's own
commit of the current state and sends it with navigator.sendBeacon, marked ``terminate_by_lms`` with
``elapsed``. A tab merely hidden (visibilitychange) sends what was set since the last commit without
ending the session. Chromium; the derived content origin (the bridge) and the unsafe same-origin mode, where
the launcher is a client of the LMS's service worker and its beacon must not wait for a stopped worker."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.core.db import db
from lms.player.models import ScoState
from tests.e2e.conftest import login
from tests.e2e.player_pages import attempt_of, publish, start

pytestmark = pytest.mark.e2e

KEYS = {"1.2": ("cmi.core.lesson_location", "cmi.core.lesson_status", "incomplete"),
        "2004": ("cmi.location", "cmi.completion_status", "incomplete")}


def _row(cadre_id, check, timeout: float = 30.0):
    """The first SCO state that satisfies ``check`` once the server has it (a beacon is not awaited)."""
    until = time.time() + timeout
    while time.time() < until:
        attempt = attempt_of(cadre_id)
        rows = db.session.scalars(select(ScoState).where(ScoState.attempt_id == attempt.id)).all() if attempt else []
        for row in rows:
            if check(row):
                return row
        time.sleep(0.1)
    return None


@pytest.fixture(params=["content-origin", "same-origin"])
def mode(request, app):
    if request.param == "same-origin":
        request.getfixturevalue("unsafe_same_origin")
    return request.param


def _set_only(page, live_server, tmp_path, version, fixture, code):
    publish(tmp_path, fixture, code)
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, code)
    location, status, value = KEYS[version]
    # a SCO that never commits and never terminates (not even in its unload handlers)
    frame.evaluate(f"""() => {{ sco.unloadMode = 'hang'; sco.set('{location}', 'trang-5');
                               sco.set('cmi.suspend_data', 'chi-setvalue'); sco.set('{status}', '{value}'); }}""")
    page.wait_for_timeout(1200)  # the session lasts over a second
    return location


@pytest.fixture
def autocommit_restored(app):
    saved = app.config.get("LMS_PLAYER_AUTOCOMMIT_SECONDS")
    yield
    app.config["LMS_PLAYER_AUTOCOMMIT_SECONDS"] = saved


@pytest.mark.parametrize("how", ["close", "navigate-away", "player-exit"])
@pytest.mark.parametrize("version,fixture", [("1.2", "scorm12_single"), ("2004", "scorm2004")])
def test_setvalue_only_sco_keeps_its_values_and_time(app, tree, tmp_path, live_server, page, mode, version, fixture,
                                                    how):
    code = "SV" + version.replace(".", "")
    location = _set_only(page, live_server, tmp_path, version, fixture, code)
    if how == "close":
        page.close()  # at once
    elif how == "navigate-away":
        page.goto(f"{live_server.url}/")  # a link of the LMS page (its header), not the player's controls
    else:
        page.click("#nav-exit")
        page.wait_for_url("**/player/**", timeout=15000)
    row = _row(tree["hn_cadre"].id, lambda r: (r.cmi or {}).get(location) == "trang-5" and r.session_seconds > 0)
    assert row is not None, "the values set by SetValue alone, or the session time, were lost"
    assert row.cmi["cmi.suspend_data"] == "chi-setvalue"
    assert row.session_seconds >= Decimal("1")  # time since Initialize: the SCO set no session_time
    status_key, value = KEYS[version][1:]
    assert row.cmi[status_key] == value  # the SCO's own status, not a default the LMS imposed


@pytest.mark.parametrize("version,fixture", [("1.2", "scorm12_single"), ("2004", "scorm2004")])
def test_close_beacon_does_not_wait_for_a_stopped_service_worker(app, tree, tmp_path, live_server, context, page,
                                                                 unsafe_same_origin, version, fixture):
    """In the same-origin mode the launcher is a client of the LMS's service worker (scope "/"), so its
    requests are offered to the worker first. A stopped worker must be started for that, and the beacon of
    a closing tab died with the page before it was up: the SCO's values and the session the LMS ends
    (SCORM 2004 RTE 3.1.3.2; SCORM 1.2 RTE 3.4.4) were lost — issue 15's same-origin losses under load,
    made certain here. The worker's static route sends the beacon to the network without it."""
    code = "SW" + version.replace(".", "")
    location = _set_only(page, live_server, tmp_path, version, fixture, code)
    launcher = next(f for f in page.frames if "/c/_lms/launcher" in f.url)
    launcher.wait_for_function("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.wait_for_timeout(300)  # the stop is asynchronous
    page.close()
    row = _row(tree["hn_cadre"].id, lambda r: (r.cmi or {}).get(location) == "trang-5" and r.session_seconds > 0)
    assert row is not None, "the beacon waited for the stopped worker and was lost with the page"
    assert row.cmi["cmi.suspend_data"] == "chi-setvalue"
    assert row.session_seconds >= Decimal("1")


@pytest.mark.parametrize("version,fixture", [("1.2", "scorm12_single"), ("2004", "scorm2004")])
def test_hidden_tab_sends_what_was_set_without_ending_the_session(app, tree, tmp_path, live_server, page, mode,
                                                                  version, fixture, autocommit_restored):
    code = "SH" + version.replace(".", "")
    app.config["LMS_PLAYER_AUTOCOMMIT_SECONDS"] = 600  # only the beacon can bring the values in time
    location = _set_only(page, live_server, tmp_path, version, fixture, code)
    # the tab goes to the background (a phone switching apps: it may be killed without a pagehide)
    # the tab goes to the background (a phone switching apps: it may be killed without a pagehide)
    for frame in page.frames:  # the launcher (the content origin, or the LMS's in the same-origin mode)
        if "/c/_lms/launcher" in frame.url:
            frame.evaluate("""() => {
                Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
                document.dispatchEvent(new Event('visibilitychange'));
            }""")
    row = _row(tree["hn_cadre"].id, lambda r: (r.cmi or {}).get(location) == "trang-5")
    assert row is not None, "the values set before the tab was hidden were not sent"
    assert row.cmi["cmi.suspend_data"] == "chi-setvalue"
    assert row.session_seconds == 0  # the session goes on: nothing ended it
    # the learner comes back and goes on: a later commit is not refused as older than the beacon
    frame = next(f for f in page.frames if "index.html" in f.url)
    frame.evaluate("() => { sco.set('cmi.suspend_data', 'sau-khi-quay-lai'); return sco.commit(); }")
    later = _row(tree["hn_cadre"].id, lambda r: (r.cmi or {}).get("cmi.suspend_data") == "sau-khi-quay-lai")
    assert later is not None, "the commit after the beacon was lost"
