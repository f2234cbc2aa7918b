"""SCORM 2004 sequencing in the player, in Chromium (issue 17): scorm-again's engine in the page drives
delivery, the TOC and Next/Previous; the state and global objectives are kept on the server. Packages:
built by ``scorm/build_course.py`` from ``tests/scorm/seq_courses.py`` (the same trees as the hand-written
``tests/scorm/seq_manifests.py`` the Node engine tests use — test_sequencing_tree.py checks they match).
Sections cited are of the SCORM 2004 4th ed. Sequencing and Navigation book (SN)."""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.player.models import Attempt, GlobalObjective, SequencingState
from scorm.build_course import CourseSource, build_course_package
from tests.e2e.conftest import login
from tests.e2e.player_pages import idle
from tests.scorm import seq_courses as m

pytestmark = pytest.mark.e2e


def course_module(tmp_path, course: CourseSource, code: str):
    """A published module (4 hours, topic osh) playing ``course`` built by scorm/build_course.py."""
    module = create_module(code, f"Học phần {code}", topic="osh", hours=4)
    import_package(module, build_course_package(course, tmp_path / f"{code}.zip"))
    db.session.commit()
    return module


def delivered(page, sco_id: str, timeout: float = 20):
    """The built SCO's frame once the page delivers ``sco_id`` (the URL names it and the SCO initialized)."""
    until = time.time() + timeout
    while time.time() < until:
        try:
            current = page.evaluate("window.lmsPlayer && window.lmsPlayer.config.scoId")
        except Exception:  # noqa: BLE001 - the page may be navigating
            current = None
        if current == sco_id:
            for frame in page.frames:
                if f"sco/{sco_id}.html" in frame.url:
                    with contextlib.suppress(Exception):  # the frame may be navigating
                        if frame.evaluate("document.body && document.body.getAttribute('data-initialized')") == "true":
                            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"{sco_id} not delivered: {page.url} {[f.url for f in page.frames]}")


def launch(page, server, code):
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")


def latest(cadre_id) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.cadre_id == cadre_id).order_by(Attempt.id.desc()))


def seq_state(attempt) -> SequencingState | None:
    db.session.expire_all()
    return db.session.scalar(select(SequencingState).where(SequencingState.attempt_id == attempt.id))


def end_shown(page) -> dict:
    page.wait_for_selector("#seq-end:not(.d-none)", timeout=20000)
    return page.evaluate("() => ({completion: document.getElementById('seq-end').dataset.completion,"
                         " success: document.getElementById('seq-end').dataset.success})")


@pytest.fixture
def learner(page, live_server, tree):
    login(page, live_server, "hv.nhung")
    return tree["hn_cadre"]


def test_forced_sequential_order(app, tmp_path, live_server, page, learner):
    """SN 3.2.1 flow=true, choice=false: only the first SCO is delivered, the TOC offers no choice, Next
    (continue) and the SCO's own adl.nav.request=continue move on, Previous is offered only after."""
    course_module(tmp_path, m.FORCED, "SQF")
    launch(page, live_server, "SQF")
    frame = delivered(page, "s1")
    assert page.locator('#toc a[data-nav="choice"]').count() == 1  # only the current one is a link
    assert page.locator('#toc [data-locked="seq"]').count() == 2
    assert page.is_disabled("#nav-prev") and not page.is_disabled("#nav-next")
    finish(frame, 80, None, "continue")
    delivered(page, "s2")
    assert not page.is_disabled("#nav-prev")
    page.click("#nav-next")
    delivered(page, "s3")
    page.goto(page.url.replace("sco=s3", "sco=s1"))  # a typed URL cannot skip the rules
    delivered(page, "s3")



FINISH = """([raw, passed, nav]) => {
    sco.apply([["cmi.score.raw", raw], ["cmi.score.min", 0], ["cmi.score.max", 100], ["cmi.score.scaled", raw / 100],
               ["cmi.completion_status", "completed"], ["cmi.exit", "normal"]]);
    if (passed !== null) sco.set("cmi.success_status", passed ? "passed" : "failed");
    return sco.finish(nav); }"""


def finish(frame, raw, passed, nav):
    return frame.evaluate(FINISH, [raw, passed, nav])


def test_pretest_passed_skips_the_content(app, tmp_path, live_server, page, learner):
    """SN 3.4 pre-condition "satisfied → skip" on the content, reading the global objective (SN 3.10.1) the
    passed pre-test wrote: Continue goes straight to the post-test; the objective is kept for the learner."""
    course_module(tmp_path, m.PRETEST, "SQP")
    launch(page, live_server, "SQP")
    finish(delivered(page, "pre"), 90, True, "continue")
    delivered(page, "post")
    row = db.session.scalar(select(GlobalObjective).where(GlobalObjective.cadre_id == learner.id))
    assert row.key == "urn:seq:mastery" and row.data["satisfiedStatus"] is True


def test_posttest_rolls_up_to_the_course(app, tmp_path, live_server, page, learner):
    """SN 4.6 rollup with the manifest's rules: the lesson counts for nothing, the post-test's pass and
    score make the course completed and passed — shown at the end and stored as the module's result."""
    course_module(tmp_path, m.POSTTEST, "SQR")
    launch(page, live_server, "SQR")
    finish(delivered(page, "lesson"), 20, None, "continue")
    finish(delivered(page, "final"), 75, True, "exitAll")
    assert end_shown(page) == {"completion": "completed", "success": "passed"}
    idle(page)
    attempt = latest(learner.id)
    state = seq_state(attempt)
    assert (state.root_completion, state.root_success) == ("completed", "passed")
    assert (attempt.status, attempt.success, float(attempt.score)) == ("completed", "passed", 75.0)
    page.goto(f"{live_server.url}/player/attempts/{attempt.id}")  # the attempt page explains it
    assert page.inner_text("#rollup-explanation li >> nth=1") == "Bài kiểm tra cuối: hoàn thành, đạt"
    assert page.inner_text('#rollup-explanation [data-course="1"]') == "→ Khoá học: hoàn thành, đạt (75%)"


def test_choice_exit_off_and_hidden_from_choice(app, tmp_path, live_server, page, learner):
    """SN 3.2.1 choiceExit=false: inside the unit the TOC offers no way out; SN 3.4.2 hiddenFromChoice: the
    answers are not in the TOC; a choice inside the unit is delivered."""
    course_module(tmp_path, m.CHOICE, "SQC")
    launch(page, live_server, "SQC")
    delivered(page, "u1")
    assert page.locator('#toc [data-item="answers"]').is_hidden()
    assert page.locator('#toc [data-item="extra"] [data-locked="seq"]').count() == 1
    page.click('#toc [data-item="u2"] a')
    delivered(page, "u2")


def test_failed_quiz_retried_and_attempt_limit(app, tmp_path, live_server, page, learner):
    """SN 3.4 post-condition "not satisfied → retry": a failed quiz is delivered again (a new page, a new
    attempt on it); SN 3.5 attemptLimit=1: the briefing, used once, is no longer offered."""
    course_module(tmp_path, m.RETRY, "SQT")
    launch(page, live_server, "SQT")
    finish(delivered(page, "brief"), 100, None, "continue")
    frame = delivered(page, "quiz")
    page.evaluate("window.firstQuizPage = true")
    finish(frame, 40, False, "continue")
    page.wait_for_function("() => !window.firstQuizPage", timeout=20000)
    frame = delivered(page, "quiz")
    assert frame.evaluate("() => sco.get('cmi.entry')") == "ab-initio"
    assert page.locator('#toc [data-item="brief"] [data-locked="seq"]').count() == 1
    finish(frame, 90, True, "continue")
    delivered(page, "done")


def test_global_objective_set_in_one_sco_read_in_another(app, tmp_path, live_server, page, learner):
    """SN 3.10.1: the writer reports its objective "safety" passed (writeSatisfiedStatus); the reader's
    "safety" (readSatisfiedStatus) starts passed (RTE 4.2.17 cmi.objectives at launch)."""
    course_module(tmp_path, m.GLOBAL, "SQG")
    launch(page, live_server, "SQG")
    frame = delivered(page, "writer")
    frame.evaluate("""() => { for (let n = 0; n < Number(sco.get('cmi.objectives._count')); n++)
        if (sco.get('cmi.objectives.' + n + '.id') === 'safety') sco.set('cmi.objectives.' + n + '.success_status', 'passed'); }""")
    finish(frame, 100, None, "continue")
    frame = delivered(page, "reader")
    status = frame.evaluate("""() => { for (let n = 0; n < Number(sco.get('cmi.objectives._count')); n++)
        if (sco.get('cmi.objectives.' + n + '.id') === 'safety') return sco.get('cmi.objectives.' + n + '.success_status'); }""")
    assert status == "passed"


def test_suspend_all_then_resume_all_on_another_browser(app, tmp_path, live_server, browser, page, learner):
    """SN 4.2 suspendAll ("Thoát") keeps the activity tree on the server; another browser context of the
    same learner resumes (resumeAll) on the suspended SCO."""
    course_module(tmp_path, m.FORCED, "SQS")
    launch(page, live_server, "SQS")
    finish(delivered(page, "s1"), 100, None, "continue")
    delivered(page, "s2")
    page.click("#nav-exit")
    page.wait_for_url("**/player/", timeout=20000)
    assert seq_state(latest(learner.id)).suspended_activity == "s2"
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        second = other.new_page()
        login(second, live_server, "hv.nhung")
        launch(second, live_server, "SQS")
        assert delivered(second, "s2").evaluate("() => sco.get('cmi.entry')") == "resume"  # RTE 4.2.8
    finally:
        other.close()


def test_hidden_lms_ui_and_the_scos_own_continue(app, tmp_path, live_server, page, learner):
    """adlnav:hideLMSUI continue/previous (CAM 5.1.6): the LMS's Next/Previous are not shown for that SCO;
    its own adl.nav.request=continue moves on, and the next SCO shows them again."""
    course_module(tmp_path, m.HIDE_UI, "SQH")
    launch(page, live_server, "SQH")
    frame = delivered(page, "h1")
    assert page.locator("#nav-next").is_hidden() and page.locator("#nav-prev").is_hidden()
    assert frame.evaluate("() => sco.get('adl.nav.request_valid.continue')") == "true"
    finish(frame, 100, None, "continue")
    delivered(page, "h2")
    assert page.locator("#nav-prev").is_visible()
