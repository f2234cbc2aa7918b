"""The bridge between the content-origin launcher and the LMS page (issue #15), in the default
(separate-origin) configuration: every call answers exactly what the run-time answered, navigation lets
the SCO finish itself, a SCO that never terminates is terminated by the LMS, request_valid tells the truth.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lms.core.db import db
from lms.player.models import CommitLog
from tests.e2e.conftest import login
from tests.e2e.player_pages import attempt_of, idle, publish, sco_frame, start, state

STATIC = Path(__file__).resolve().parents[2] / "lms" / "static"

#: SCORM 2004 4th ed. RTE 3.1.7 (error codes), 4.2 (data model): before Initialize, initial values,
#: valid and invalid SetValue, read-only/write-only, array order, Commit, Terminate and after it
CALLS_2004 = [
    ["GetValue", "cmi.location"], ["Commit", ""], ["Terminate", ""],
    ["Initialize", ""], ["Initialize", ""],
    ["GetValue", "cmi._version"], ["GetValue", "cmi.completion_status"], ["GetValue", "cmi.success_status"],
    ["GetValue", "cmi._children"], ["GetValue", "cmi.interactions._children"], ["GetValue", "cmi.entry"],
    ["GetValue", "cmi.mode"], ["GetValue", "cmi.credit"], ["GetValue", "cmi.launch_data"],
    ["GetValue", "cmi.learner_name"], ["GetValue", "cmi.scaled_passing_score"], ["GetValue", "cmi.location"],
    ["GetValue", "cmi.suspend_data"], ["GetValue", "cmi.total_time"], ["GetValue", "cmi.objectives._count"],
    ["GetValue", "cmi.exit"], ["GetValue", "cmi.session_time"], ["GetValue", "cmi.nothing"], ["GetValue", ""],
    ["GetValue", "adl.nav.request"],
    ["SetValue", "cmi.location", "p1"], ["GetValue", "cmi.location"],
    ["SetValue", "cmi.entry", "resume"], ["SetValue", "cmi.completion_status", "bogus"],
    ["SetValue", "cmi.score.scaled", "2"], ["SetValue", "cmi.nothing", "1"], ["SetValue", "cmi", "x"],
    ["SetValue", "cmi.interactions.1.id", "q2"], ["SetValue", "cmi.interactions.0.type", "choice"],
    ["SetValue", "cmi.interactions.0.id", "q1"], ["SetValue", "cmi.interactions.0.type", "choice"],
    ["SetValue", "cmi.interactions.0.learner_response", "a[,]b"], ["GetValue", "cmi.interactions._count"],
    ["GetValue", "cmi.interactions.0.id"], ["GetValue", "cmi.interactions.3.id"],
    ["SetValue", "cmi.completion_status", "completed"], ["SetValue", "cmi.completion_status", "incomplete"],
    ["GetValue", "cmi.completion_status"], ["SetValue", "cmi.session_time", "PT1M5S"],
    ["SetValue", "cmi.session_time", "1 minute"], ["SetValue", "adl.nav.request", "bogus"],
    ["Commit", ""], ["Commit", "x"], ["GetLastError"], ["GetErrorString", "406"], ["GetErrorString", "123"],
    ["Terminate", ""],
    ["GetValue", "cmi.location"], ["SetValue", "cmi.location", "p2"], ["Commit", ""], ["Terminate", ""],
    ["Initialize", ""], ["GetLastError"],
]

#: SCORM 1.2 RTE 3.3 (API, error codes) and 3.4 (data model), the same walk
CALLS_12 = [
    ["LMSGetValue", "cmi.core.lesson_location"], ["LMSCommit", ""], ["LMSFinish", ""],
    ["LMSInitialize", ""], ["LMSInitialize", ""],
    ["LMSGetValue", "cmi.core._children"], ["LMSGetValue", "cmi.core.lesson_status"], ["LMSGetValue", "cmi.core.entry"],
    ["LMSGetValue", "cmi.core.credit"], ["LMSGetValue", "cmi.core.lesson_mode"], ["LMSGetValue", "cmi.launch_data"],
    ["LMSGetValue", "cmi.core.student_name"], ["LMSGetValue", "cmi.student_data.mastery_score"],
    ["LMSGetValue", "cmi.core.score.max"], ["LMSGetValue", "cmi.core.total_time"], ["LMSGetValue", "cmi.core.exit"],
    ["LMSGetValue", "cmi.interactions._count"], ["LMSGetValue", "cmi.nothing"], ["LMSGetValue", ""],
    ["LMSSetValue", "cmi.core.lesson_location", "p1"], ["LMSGetValue", "cmi.core.lesson_location"],
    ["LMSSetValue", "cmi.core.entry", "resume"], ["LMSSetValue", "cmi.core.lesson_status", "bogus"],
    ["LMSSetValue", "cmi.core.score.raw", "200"], ["LMSSetValue", "cmi.core.exit", "normal"],
    ["LMSSetValue", "cmi.interactions.0.id", "q1"], ["LMSSetValue", "cmi.interactions.0.result", "incorrect"],
    ["LMSSetValue", "cmi.interactions.0.result", "wrong"], ["LMSGetValue", "cmi.interactions._count"],
    ["LMSGetValue", "cmi.interactions.0.id"], ["LMSSetValue", "cmi.core.session_time", "00:01:05"],
    ["LMSSetValue", "cmi.core.lesson_status", "passed"], ["LMSCommit", ""], ["LMSGetLastError"],
    ["LMSGetErrorString", "405"], ["LMSFinish", ""],
    ["LMSGetValue", "cmi.core.lesson_location"], ["LMSSetValue", "cmi.core.lesson_location", "p2"],
    ["LMSCommit", ""], ["LMSFinish", ""], ["LMSInitialize", ""], ["LMSGetLastError"],
]

#: the same run-time, created directly in a blank page with the launcher's settings
DIRECT = """([version, state, calls]) => {
    const settings = {lmsCommitUrl: "/commit", dataCommitFormat: "flattened", autocommit: false,
        sendFullCommit: true, logLevel: 5, mastery_override: false,
        httpService: {reportsRequestCompletion: false, updateSettings() {},
                      processHttpRequest() { return {result: "true", errorCode: 0}; }}};
    const api = version === "1.2" ? new Scorm12API(settings) : new Scorm2004API(settings);
    window.lmsRteAdapter.wrap(api, version, {state});
    const err = version === "1.2" ? "LMSGetLastError" : "GetLastError";
    return calls.map((call) => {
        const ret = api[call[0]](...call.slice(1));
        return {call, ret: ret === undefined || ret === null ? null : String(ret), err: String(api[err]())};
    });
}"""


def no_dialogs(page) -> list[str]:
    """Collect (and dismiss) every alert/confirm the page or its frames raise: the test asserts none."""
    seen: list[str] = []

    def on_dialog(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


def direct(context, version: str, state: dict, calls: list) -> list[dict]:
    page = context.new_page()
    page.goto("about:blank")
    bundle = "scorm12.min.js" if version == "1.2" else "scorm2004.min.js"
    page.add_script_tag(path=str(STATIC / "vendor" / "scorm-again" / bundle))
    page.add_script_tag(path=str(STATIC / "js" / "rte_adapter.js"))
    results = page.evaluate(DIRECT, [version, state, calls])
    page.close()
    return results


@pytest.mark.parametrize(("fixture", "version", "calls"), [("bridge2004", "2004", CALLS_2004),
                                                          ("bridge12", "1.2", CALLS_12)])
def test_every_call_through_the_bridge_answers_what_the_runtime_answered(app, tree, tmp_path, live_server, page,
                                                                         fixture, version, calls):
    """SCORM 2004 4th ed. RTE 3.1.7 / SCORM 1.2 RTE 3.3: return values and error codes, initial values at
    Initialize, and the errors after Terminate are the run-time's own, call by call, through the
    content-origin launcher — compared with the same run-time called directly."""
    dialogs = no_dialogs(page)
    publish(tmp_path, fixture, "EB" + version.replace(".", ""))
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "EB" + version.replace(".", ""))
    assert frame.url.startswith(f"http://content.localhost:{live_server.port}/c/")
    through = frame.evaluate("(calls) => sco.run(calls)", calls)
    launch = page.evaluate("window.lmsPlayer.config.state")
    expected = direct(page.context, version, launch, calls)
    assert through == expected
    answers: dict[tuple, dict] = {}
    for r in through:  # the first answer to each call
        answers.setdefault(tuple(r["call"]), r)
    if version == "2004":
        assert answers[("GetValue", "cmi._version")]["ret"] == "1.0"
        assert answers[("GetValue", "cmi.completion_status")]["ret"] == launch.get("cmi.completion_status", "unknown")
        assert answers[("GetValue", "cmi.completion_status")]["err"] == "0"
        assert answers[("GetValue", "cmi.entry")]["ret"] == "ab-initio"
        assert answers[("GetValue", "cmi.launch_data")]["ret"] == "part=a"
        assert through[-6]["call"] == ["GetValue", "cmi.location"] and through[-6]["err"] == "123"  # after Terminate
        assert through[-5]["err"] == "133" and through[-4]["err"] == "143" and through[-3]["err"] == "113"
    else:
        assert answers[("LMSGetValue", "cmi.core.entry")]["ret"] == "ab-initio"
        assert answers[("LMSGetValue", "cmi.launch_data")]["ret"] == "chapter=1"
        assert "lesson_status" in answers[("LMSGetValue", "cmi.core._children")]["ret"]
        assert through[-6]["call"] == ["LMSGetValue", "cmi.core.lesson_location"] and through[-6]["err"] == "101"
    idle(page)
    assert dialogs == []


@pytest.mark.parametrize("event", ["pagehide", "unload", "beforeunload"])
def test_navigation_lets_the_sco_finish_itself(app, tree, tmp_path, live_server, page, event):
    """SCORM 2004 4th ed. RTE 3.1.4.2 / 4.2.19: the player never writes cmi.exit or cmi.session_time; on
    Tiếp, the table of contents and Thoát it unloads the SCO, whose own unload handler reports its
    time, suspends and terminates — so its session time is kept, the relaunch resumes, and no error
    or alert reaches the learner."""
    dialogs = no_dialogs(page)
    publish(tmp_path, "scorm2004", "EN2004")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "EN2004")
    frame.evaluate("(event) => { sco.unloadEvent = event; sco.set('cmi.location', 'muc-1'); }", event)
    page.wait_for_timeout(1100)
    page.click("#nav-next")  # Tiếp, mid-session
    page.wait_for_url("**sco=part_b**")
    frame = sco_frame(page)
    attempt = attempt_of(tree["hn_cadre"].id)
    a = state(attempt, "part_a")
    assert a.cmi["cmi.location"] == "muc-1" and a.cmi["cmi.exit"] == "suspend"  # the SCO's own values
    assert a.session_seconds >= 1 and Decimal(a.total_seconds or 0) >= 1
    page.wait_for_timeout(1100)
    page.click('#toc a[data-nav="choice"]:has-text("Phần A")')  # the table of contents
    page.wait_for_url("**sco=part_a**")
    frame = sco_frame(page)
    assert frame.inner_text("#entry") == "resume" and frame.inner_text("#location") == "muc-1"
    frame.evaluate("(event) => { sco.unloadEvent = event; }", event)
    b = state(attempt, "part_b")
    assert b.session_seconds >= 1 and b.cmi["cmi.exit"] == "suspend"
    page.click("#nav-exit")  # Thoát
    page.wait_for_url("**/player/")
    a = state(attempt, "part_a")
    assert Decimal(a.total_seconds or 0) >= 2  # two sessions, each counted
    logs = db.session.query(CommitLog).all()
    assert logs and all(not (log.errors or []) for log in logs)
    assert dialogs == []


def test_a_sco_that_never_terminates_is_terminated_by_the_lms(app, tree, tmp_path, live_server, page):
    """SCORM 2004 4th ed. RTE 3.1.4.2: a SCO that does not call Terminate is ended by the LMS; its data
    as set is kept, its session time is the time since Initialize, and nothing is written for it."""
    dialogs = no_dialogs(page)
    publish(tmp_path, "scorm12_single", "EH12")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "EH12")
    frame.evaluate("() => { sco.unloadMode = 'hang'; sco.set('cmi.core.lesson_location', 'p4'); }")
    page.wait_for_timeout(2100)
    page.click("#nav-exit")
    page.wait_for_url("**/player/")
    attempt = attempt_of(tree["hn_cadre"].id)
    row = state(attempt, "sco1")
    assert row.cmi["cmi.core.lesson_location"] == "p4"  # set but never committed by the SCO: kept
    assert row.cmi.get("cmi.core.exit", "") == ""  # the LMS wrote no exit for it
    assert row.session_seconds >= 2
    assert dialogs == []


def test_request_valid_tells_the_truth_and_the_player_does_what_it_said(app, tree, tmp_path, live_server, page):
    """SCORM 2004 4th ed. RTE 4.4.3 (adl.nav.request_valid) and SN 3.2 (flow, choice): the answers match
    the organization (flow, choice) and the TOC; a valid choice request is then honoured after Terminate."""
    publish(tmp_path, "scorm2004", "EV2004")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "EV2004")
    valid = frame.evaluate("""() => ['continue', 'previous', 'choice.{target=part_b}', 'choice.{target=nope}',
        'jump.{target=part_b}'].map((k) => sco.get('adl.nav.request_valid.' + k))""")
    assert valid == ["true", "false", "true", "false", "true"]
    frame.evaluate("() => { sco.nav('{target=part_b}choice'); return sco.finish(); }")
    page.wait_for_url("**sco=part_b**")
    frame = sco_frame(page)
    assert frame.evaluate("['continue', 'previous'].map((k) => sco.get('adl.nav.request_valid.' + k))") == [
        "false", "true"]
    frame.evaluate("() => { sco.nav('continue'); return sco.finish(); }")  # not valid here: nothing happens
    page.wait_for_selector('#save-status[data-state="closed"], #save-status[data-state="saved"]')
    assert "sco=part_b" in page.url
