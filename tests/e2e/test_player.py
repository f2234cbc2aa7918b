"""Play SCORM packages in Chromium: launch, answer, suspend, close, resume, finish → training record;
same-origin and separate-origin content; failed commits, two tabs, invalid data."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.player.models import Attempt
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.e2e.player_pages import attempt_of, idle, publish, sco_frame, start, state


def play_single_12(page, server, tree, frame=None):
    """The learner's path through the 1.2 module, from its first launch (``frame``: already launched).

    The first launch must be this one: a SCO left on any navigation now ends its session (it suspends
    itself, or the LMS terminates it — a 1.2 SCO with no status is then completed, RTE 1.2 3.4.4 — and
    the launcher's beacon delivers it: tests/e2e/test_unload_terminate.py), so no relaunch is ab-initio."""
    frame = frame or start(page, server, "E12")
    assert frame.inner_text("#entry") == "ab-initio"
    assert frame.inner_text("#launch") == "chapter=1"
    assert frame.inner_text("#page") == "one"  # item parameters on the launch URL
    assert frame.inner_text("#learner") == "Trần Thị Hồng Nhung"
    frame.evaluate("""() => {
        sco.set('cmi.interactions.0.id', 'q1'); sco.set('cmi.interactions.0.type', 'choice');
        sco.set('cmi.interactions.0.student_response', 'b'); sco.set('cmi.interactions.0.result', 'correct');
        sco.set('cmi.core.lesson_status', 'incomplete');
        return sco.suspend('trang-3', 'answers=b;' + 'x'.repeat(5000));
    }""")
    idle(page)
    page.close()
    page = page.context.new_page()
    frame = start(page, server, "E12")
    assert frame.inner_text("#entry") == "resume"
    assert frame.inner_text("#location") == "trang-3"
    assert frame.inner_text("#suspend").startswith("answers=b;xxx")
    assert len(frame.inner_text("#suspend")) == 5010  # never truncated
    frame.evaluate("() => { sco.complete(90); return sco.finish(); }")
    idle(page)
    attempt = attempt_of(tree["hn_cadre"].id)
    assert attempt.status == "completed" and attempt.rule_met
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and float(record.score) == 90.0 and record.evidence == {"attempt_id": attempt.id}
    sco = state(attempt, "sco1")
    assert sco.cmi["cmi.core.lesson_status"] == "passed"  # mastery score 80
    assert sco.cmi["cmi.interactions.0.id"] == "q1"
    assert sco.cmi["cmi.core.total_time"] == "0000:03:00.00"  # two sessions of 1:30
    page.goto(f"{server.url}/player/")
    assert page.get_attribute('[data-module="E12"]', "data-status") == "completed"
    return page


def test_scorm12_single_sco_default_derived_content_origin(app, tree, tmp_path, live_server, page):
    """No setting: the SCO comes from content.localhost:<port> (issue #16), the run-time runs there."""
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "E12")
    assert frame.url.startswith(f"http://content.localhost:{live_server.port}/c/")
    assert page.evaluate("typeof window.API") == "undefined"
    play_single_12(page, live_server, tree, frame)


def test_scorm12_single_sco_unsafe_same_origin(app, tree, tmp_path, live_server, unsafe_same_origin, page):
    """LMS_UNSAFE_SAME_ORIGIN_CONTENT: the same launcher and bridge, served by the LMS itself."""
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "E12")
    assert frame.url.startswith(f"{live_server.url}/content/")
    play_single_12(page, live_server, tree, frame)


def test_scorm12_single_sco_separate_content_origin(app, tree, tmp_path, live_server, content_server, page):
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    page.goto(f"{live_server.url}/player/")
    page = play_single_12(page, live_server, tree)
    frames = [f.url for f in page.frames]
    assert not any("localhost" in f for f in frames), frames  # (the my-modules page has no SCO)


def test_content_really_comes_from_the_content_origin(app, tree, tmp_path, live_server, content_server, page):
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "E12")
    assert frame.url.startswith(content_server.url + "/c/")
    assert page.evaluate("typeof window.API") == "undefined"  # the real API is reachable only by messages


def test_scorm12_multi_sco_with_hidden_item_and_prerequisites(app, tree, tmp_path, live_server, page):
    publish(tmp_path, "scorm12_multi", "EM12")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "EM12")
    assert frame.inner_text("#page") == "intro"
    assert page.locator('#toc [data-item="secret"]').count() == 0  # hidden item not in the TOC
    assert page.locator('#toc [data-item="lesson"] [data-locked]').count() == 1  # prerequisite intro
    frame.evaluate("() => { sco.complete(100); return sco.finish(); }")
    idle(page)
    page.click("#nav-next")
    page.wait_for_url("**sco=lesson**")
    frame = sco_frame(page)
    assert frame.inner_text("#page") == "lesson"
    frame.evaluate("() => { sco.complete(60); return sco.finish(); }")
    idle(page)
    attempt = attempt_of(tree["hn_cadre"].id)
    assert attempt.status == "completed" and float(attempt.score) == 80.0  # mean of 100 and 60
    assert db.session.scalar(select(TrainingRecord).where(TrainingRecord.module_id == attempt.module_id))


def play_2004(page, live_server, tree, tmp_path):
    publish(tmp_path, "scorm2004", "E2004", sco_aggregation="average")
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "E2004")
    assert frame.inner_text("#entry") == "ab-initio"
    assert frame.inner_text("#launch") == "part=a"
    assert frame.evaluate("sco.get('cmi.scaled_passing_score')") == "0.6"
    frame.evaluate("""() => {
        sco.set('cmi.interactions.0.id', 'q-fill'); sco.set('cmi.interactions.0.type', 'fill-in');
        sco.set('cmi.interactions.0.learner_response', 'công đoàn'); sco.set('cmi.interactions.0.result', 'correct');
        sco.set('cmi.objectives.0.id', 'obj_main'); sco.set('cmi.objectives.0.success_status', 'passed');
        sco.set('cmi.objectives.0.score.scaled', '0.7');
        return sco.suspend('muc-2', '{"step":2}');
    }""")
    idle(page)
    page.reload()
    frame = sco_frame(page)
    assert frame.inner_text("#entry") == "resume"
    assert frame.inner_text("#location") == "muc-2"
    assert frame.inner_text("#suspend") == '{"step":2}'
    frame.evaluate("() => { sco.complete(70); sco.nav('continue'); return sco.finish(); }")
    page.wait_for_url("**sco=part_b**")
    frame = sco_frame(page)
    assert frame.inner_text("#page") == "b"
    frame.evaluate("() => { sco.complete(90); sco.nav('exit'); return sco.finish(); }")
    page.wait_for_url("**/player/")
    attempt = attempt_of(tree["hn_cadre"].id)
    a = state(attempt, "part_a")
    assert a.success == "passed" and a.cmi["cmi.interactions.0.learner_response"] == "công đoàn"
    assert a.cmi["cmi.objectives.0.id"] == "obj_main"
    assert attempt.status == "completed" and float(attempt.score) == 80.0
    assert page.get_attribute('[data-module="E2004"]', "data-status") == "completed"
    assert a.cmi["cmi.objectives.0.success_status"] == "passed" and a.cmi["cmi.objectives.0.score.scaled"] == "0.7"
    assert a.cmi["cmi.location"] == "muc-2"
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and float(record.score) == 80.0


def test_scorm2004_interactions_objectives_and_nav_request(app, tree, tmp_path, live_server, page):
    play_2004(page, live_server, tree, tmp_path)


def test_scorm2004_unsafe_same_origin(app, tree, tmp_path, live_server, unsafe_same_origin, page):
    play_2004(page, live_server, tree, tmp_path)


def test_scorm2004_separate_content_origin(app, tree, tmp_path, live_server, content_server, page):
    """The same 2004 run (interactions, objectives, suspend and resume, adl.nav.request) through the
    launcher on the content origin."""
    play_2004(page, live_server, tree, tmp_path)
    frames = [f.url for f in page.frames]
    assert not any("localhost" in f for f in frames)


def test_failed_commits_are_retried_until_the_server_is_back(app, tree, tmp_path, live_server, page):
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    failures = {"n": 0}

    def flaky(route):
        if failures["n"] < 3:
            failures["n"] += 1
            if failures["n"] == 2:
                return route.abort("connectionrefused")
            return route.fulfill(status=500, body="{}", content_type="application/json")
        return route.continue_()

    page.route("**/commit", flaky)
    frame = start(page, live_server, "E12")
    frame.evaluate("() => { sco.set('cmi.core.lesson_location', 'p7'); return sco.commit(); }")
    idle(page)
    assert failures["n"] == 3
    attempt = attempt_of(tree["hn_cadre"].id)
    assert state(attempt, "sco1").cmi["cmi.core.lesson_location"] == "p7"


def test_commits_left_in_local_storage_are_sent_after_a_reload(app, tree, tmp_path, live_server, page):
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    page.route("**/commit", lambda route: route.abort("connectionrefused"))
    frame = start(page, live_server, "E12")
    frame.evaluate("() => sco.suspend('offline-page', 'kept')")
    page.wait_for_timeout(300)
    assert page.evaluate("window.lmsPlayer.queue().length") >= 1
    page.unroute("**/commit")
    page.route("**/commit", lambda route: route.abort("connectionrefused"))  # keepalive flush fails too
    url = page.url
    page.goto("about:blank")
    page.unroute("**/commit")
    page.goto(url)
    sco_frame(page)
    idle(page)
    attempt = attempt_of(tree["hn_cadre"].id)
    assert state(attempt, "sco1").cmi["cmi.core.lesson_location"] == "offline-page"


def test_two_tabs_on_one_attempt_never_regress(app, tree, tmp_path, live_server, page):
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    frame_a = start(page, live_server, "E12")
    page_b = page.context.new_page()
    page_b.goto(page.url)
    frame_b = sco_frame(page_b)
    frame_a.evaluate("() => { sco.complete(95); return sco.commit(); }")
    idle(page)
    frame_b.evaluate("() => { sco.set('cmi.core.lesson_status', 'incomplete'); sco.set('cmi.core.lesson_location', 'b');"
                     " return sco.commit(); }")
    idle(page_b)
    attempt = attempt_of(tree["hn_cadre"].id)
    row = state(attempt, "sco1")
    # the SCO's value is stored as set (1.2 RTE 3.4.4: lesson_status may go back to incomplete), but the
    # learner's result — passed by mastery score 80 — never regresses
    assert row.cmi["cmi.core.lesson_status"] == "incomplete"
    assert row.cmi["cmi.core.lesson_location"] == "b"  # its other data was applied
    assert row.success == "passed" and attempt.rule_met


def test_an_invalid_element_is_refused_alone(app, tree, tmp_path, live_server, page):
    """One element the server's rules refuse is reported back; the rest of the commit is stored."""
    publish(tmp_path, "scorm12_single", "E12")
    login(page, live_server, "hv.nhung")
    start(page, live_server, "E12")
    attempt = attempt_of(tree["hn_cadre"].id)
    result = page.evaluate("""async (url) => {
        const csrf = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
            body: JSON.stringify({seq: Date.now() * 1000 + 999999,
                                  cmi: {'cmi.core.score.raw': 'abc', 'cmi.core.lesson_location': 'p9'}})});
        return {status: r.status, body: await r.json()};
    }""", f"{live_server.url}/player/attempts/{attempt.id}/scos/sco1/commit")
    assert result["status"] == 200 and [r["element"] for r in result["body"]["refused"]] == ["cmi.core.score.raw"]
    row = state(attempt, "sco1")
    assert "cmi.core.score.raw" not in row.cmi and row.cmi["cmi.core.lesson_location"] == "p9"


def test_phone_layout_iframe_fills_the_width(app, tree, tmp_path, live_server, phone_page):
    publish(tmp_path, "scorm12_multi", "EM12")
    login(phone_page, live_server, "hv.nhung")
    start(phone_page, live_server, "EM12")
    box = phone_page.locator("#sco-frame").bounding_box()
    assert box["width"] >= 355
    assert not phone_page.locator("#player-toc").is_visible()  # the TOC is an offcanvas on phones
    phone_page.click("button.d-md-none[data-bs-target='#player-toc']")
    phone_page.wait_for_selector("#player-toc.show")


def test_lecturer_preview_plays_and_stores_nothing(app, tree, tmp_path, live_server, page):
    module = publish(tmp_path, "scorm2004", "EP2004")
    commits = []
    page.on("request", lambda r: commits.append(r.url) if "/commit" in r.url else None)
    login(page, live_server, "gv.hanoi")
    page.goto(f"{live_server.url}/modules/{module.code}")
    with page.context.expect_page() as new_page:
        page.click("text=Xem thử")
    preview = new_page.value
    preview.wait_for_url("**/player/preview/**")
    frame = sco_frame(preview)
    assert frame.inner_text("#entry") == "ab-initio"
    assert frame.evaluate("sco.get('cmi.mode')") == "browse"
    frame.evaluate("() => { sco.set('cmi.location', 'p2'); sco.complete(90); sco.commit(); }")
    assert frame.evaluate("sco.get('cmi.location')") == "p2"  # the run-time keeps it in the page
    preview.click("#nav-next")
    preview.wait_for_url("**sco=part_b**")
    assert sco_frame(preview).inner_text("#page") == "b"
    assert commits == []
    db.session.expire_all()
    assert db.session.scalar(select(Attempt)) is None
    assert db.session.scalar(select(TrainingRecord)) is None
