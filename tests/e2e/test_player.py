"""Play SCORM packages in Chromium: launch, answer, suspend, close, resume, finish → training record;
same-origin and separate-origin content; failed commits, two tabs, invalid data."""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.player.models import Attempt, ScoState
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.e2e.sco_fixtures import build_zip


def publish(tmp_path, fixture: str, code: str, **fields):
    module = create_module(code, f"Học phần {code}", topic="osh", hours=4, **fields)
    import_package(module, build_zip(fixture, tmp_path))
    db.session.commit()
    return module


def sco_frame(page, timeout=15):
    """The SCO's frame (the test SCO's index.html), once it has initialized."""
    until = time.time() + timeout
    while time.time() < until:
        for frame in page.frames:
            if "index.html" in frame.url:
                with contextlib.suppress(Exception):  # the frame may be navigating
                    if frame.evaluate("document.body && document.body.getAttribute('data-ready')") == "1":
                        return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no SCO frame in {[f.url for f in page.frames]}")


def start(page, server, code):
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    return sco_frame(page)


def _bridge_drained(page) -> None:
    """In the separate-origin mode the SCO's call returns in the launcher frame before the player page has
    received the commit the launcher posted to it: post a marker from the launcher after it (messages
    between two windows arrive in order) and wait for it on the player page, so ``whenIdle`` sees the
    commit in its queue."""
    launcher = next((f for f in page.frames if "/c/_lms/launcher" in f.url), None)
    if launcher is None or launcher == page.main_frame:
        return
    page.evaluate("""() => { window.__drained = new Promise((resolve) => window.addEventListener("message",
        (event) => { if (event.data && event.data.type === "test-drained") resolve(true); })); }""")
    launcher.evaluate("() => window.parent.postMessage({ type: 'test-drained' }, '*')")
    assert page.evaluate("Promise.race([window.__drained, new Promise((r) => setTimeout(() => r(false), 10000))])")


def idle(page):
    with contextlib.suppress(Exception):  # the launcher may be navigating (its SCO unloading)
        _bridge_drained(page)
    assert page.evaluate("window.lmsPlayer.whenIdle(10000)") is True


def attempt_of(cadre_id) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.cadre_id == cadre_id).order_by(Attempt.id.desc()))


def state(attempt, sco):
    db.session.expire_all()
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == sco))


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


def course_frame(page, timeout=20):
    """The shipped SCO's frame (scorm/assets/sco-runtime.js), once it has rendered a page."""
    until = time.time() + timeout
    while time.time() < until:
        for frame in page.frames:
            with contextlib.suppress(Exception):  # the frame may be navigating
                if frame.evaluate("!!document.getElementById('sco-data') && "
                                  "document.querySelectorAll('.page:not([hidden])').length === 1"):
                    return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no course frame in {[f.url for f in page.frames]}")


def shown_page(frame) -> int:
    return int(frame.get_attribute(".page:not([hidden])", "data-page"))


def answer_page(frame, index: int, wrong: set[str] = frozenset()) -> list[str]:
    """Answer every practice question of page ``index`` through its form (the key from #sco-data),
    wrongly for the ids in ``wrong``; return the ids answered."""
    data = frame.evaluate("JSON.parse(document.getElementById('sco-data').textContent)")
    answered = []
    for q in data["pages"][index]["questions"]:
        form = frame.locator(f'form.question[data-qid="{q["id"]}"]')
        bad = q["id"] in wrong
        if q["type"] == "numeric":
            form.locator("input").fill(str(q["key"] + (q["tolerance"] + 7 if bad else 0)))
        elif q["type"] == "true_false":
            form.locator(f'input[value="{str(q["key"] != bad).lower()}"]').check()
        else:
            keys = q["key"] if q["type"] == "multiple" else [q["key"]]
            if bad:
                keys = [next(i for i in range(q["n"]) if i not in keys)]
            for key in keys:
                form.locator(f'input[value="{key}"]').check()
        form.locator("button.check").click()
        form.locator(".feedback:not([hidden])").wait_for()
        answered.append(q["id"])
    return answered


def play_shipped_course(page, server, tree, tmp_path, version: str, *, exit_by: str):
    """Launch a built course, answer on a lesson page, suspend (the SCO's exit button or the player's
    "Thoát"), relaunch (bookmark and answers restored, entry=resume), finish → record, module completed."""
    from lms.content.builder import build_course, find_course_dirs

    course = find_course_dirs()[0].name
    zips = build_course(course, tmp_path)
    module = create_module(f"C{version[-4:]}", "Khóa học thật", topic="union_law", hours=2)
    import_package(module, next(z for z in zips if z.name.endswith(f"-{version}.zip")))
    db.session.commit()
    entry_key = "cmi.core.entry" if version == "scorm12" else "cmi.entry"

    login(page, server, "hv.nhung")
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{module.code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    assert page.evaluate("window.lmsPlayer.config.state")[entry_key] == "ab-initio"
    frame = course_frame(page)
    data = frame.evaluate("JSON.parse(document.getElementById('sco-data').textContent)")
    pages = len(data["pages"])
    questions = [q["id"] for p in data["pages"] for q in p["questions"]]
    assert pages >= 3 and data["pages"][1]["questions"]
    assert shown_page(frame) == 0
    frame.click("#btn-next")
    assert shown_page(frame) == 1
    wrong = {data["pages"][1]["questions"][-1]["id"]}  # one wrong answer on purpose
    first = answer_page(frame, 1, wrong)
    idle(page)
    if exit_by == "sco":  # the SCO's own exit button: exit=suspend, LMSFinish/Terminate
        frame.click("#btn-exit")
        frame.wait_for_selector("#exited:not([hidden])")
        idle(page)
    else:  # the player's "Thoát": commit, exit=suspend, terminate, back to my modules
        page.click("#nav-exit")
        page.wait_for_url("**/player/")
    attempt = attempt_of(tree["hn_cadre"].id)
    sco_row = state(attempt, attempt.sco_states[0].sco_id)
    assert attempt.status == "in_progress" and not attempt.rule_met, (sco_row.completion, sco_row.success, {k: v for k, v in sco_row.cmi.items() if "interactions" not in k})

    page.goto(f"{server.url}/player/")
    assert page.get_attribute(f'[data-module="{module.code}"]', "data-status") == "in_progress"
    page.click(f'[data-module="{module.code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    assert attempt_of(tree["hn_cadre"].id).id == attempt.id  # resumed, not a new attempt
    launch_cfg = page.evaluate("window.lmsPlayer.config.state")
    assert launch_cfg[entry_key] == "resume", (launch_cfg, sco_row.cmi.get("cmi.exit"))
    frame = course_frame(page)
    assert shown_page(frame) == 1  # the bookmark
    for qid in first:  # the answers are restored: feedback shown, inputs locked
        form = frame.locator(f'form.question[data-qid="{qid}"]')
        assert form.locator(".feedback").is_visible()
        assert form.locator("button.check").is_disabled()
        assert form.locator(".verdict").inner_text() == ("Chưa đúng ✗" if qid in wrong else "Đúng ✓")
    frame.click("#btn-prev")
    answer_page(frame, 0)
    frame.click("#btn-next")  # back on page 1, answered already
    for index in range(2, pages):
        frame.click("#btn-next")
        assert shown_page(frame) == index
        answer_page(frame, index)
    idle(page)
    frame.click("#btn-exit")  # on the last page: exit normal, completed
    frame.wait_for_selector("#exited:not([hidden])")
    idle(page)

    expected = round((len(questions) - 1) / len(questions) * 100, 2)  # every answer right but one
    attempt = attempt_of(tree["hn_cadre"].id)
    assert attempt.status == "completed" and attempt.success == "passed" and attempt.rule_met
    assert float(attempt.score) == expected
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id,
                                                            TrainingRecord.module_id == module.id))
    assert record is not None and float(record.score) == expected and float(record.hours) == 2.0
    assert record.evidence == {"attempt_id": attempt.id}
    sco = state(attempt, attempt.sco_states[0].sco_id)
    responses = [k for k in sco.cmi if k.startswith("cmi.interactions.") and k.endswith(".id")]
    assert len(responses) == len(questions)
    page.goto(f"{server.url}/player/")
    assert page.get_attribute(f'[data-module="{module.code}"]', "data-status") == "completed"
    return page


@pytest.mark.parametrize(("version", "exit_by"), [("scorm12", "sco"), ("scorm2004", "player")])
def test_shipped_course_play_through(app, tree, tmp_path, live_server, page, version, exit_by):
    play_shipped_course(page, live_server, tree, tmp_path, version, exit_by=exit_by)


@pytest.mark.parametrize(("version", "exit_by"), [("scorm12", "player"), ("scorm2004", "sco")])
def test_shipped_course_play_through_separate_content_origin(app, tree, tmp_path, live_server, content_server, page,
                                                             version, exit_by):
    page = play_shipped_course(page, live_server, tree, tmp_path, version, exit_by=exit_by)


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
