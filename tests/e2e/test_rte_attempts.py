"""Issue 15 in Chromium, server side: what the run-time sends is kept exactly as the RTE books say —
finish-only SCOs and assets complete, learner attempts and entry (normal exit, suspend, suspendAll),
manifest seeds and shared data across SCOs, a refused element among 250 interactions, an oversize
commit, and a module whose rule needs the content and a quiz, in either order.

Packages: ``tests/lms/player/packages.py`` (the common test SCO of ``tests/e2e/sco_fixtures``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.assessments import services as quizzes
from lms.core.db import db
from lms.player.models import Attempt, ScoState, SharedData
from lms.records.models import TrainingRecord
from lms.reports.models import Certificate
from tests.e2e.conftest import login
from tests.e2e.player_pages import idle, sco_frame
from tests.lms.assessments.conftest import SAMPLE, make_quiz, parsed, right_answer
from tests.lms.player.packages import RTE_12, RTE_2004, module_from

pytestmark = pytest.mark.e2e


def latest(cadre_id) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.cadre_id == cadre_id).order_by(Attempt.id.desc()))


def sco_row(attempt, sco) -> ScoState:
    db.session.expire_all()
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == sco))


def launch(page, server, code):
    """Launch the module from *Học phần của tôi* and return the SCO frame."""
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    return sco_frame(page)


def open_sco(page, server, attempt, sco):
    """Open one item of the attempt (as the table of contents does) and return its frame."""
    page.goto(f"{server.url}/player/attempts/{attempt.id}/play?sco={sco}")
    return sco_frame(page)


@pytest.fixture
def learner(page, live_server, tree):
    login(page, live_server, "hv.nhung")
    return tree["hn_cadre"]


def test_finish_only_12_scos_and_an_asset_complete_the_course(app, tmp_path, live_server, page, learner):
    """SCORM 1.2 RTE 3.4.4 (a SCO that only calls LMSInitialize/LMSFinish is completed by the LMS; with a
    mastery score and a raw score it is passed/failed) and CAM 2.3.4 / 3.4.1 (an asset is completed once
    launched and never blocks the course): the module completes, one record with its 4 hours."""
    module_from(tmp_path, RTE_12, "1.2", "F12")
    frame = launch(page, live_server, "F12")
    assert frame.evaluate("() => sco.finish()") == "true"
    idle(page)
    attempt = latest(learner.id)
    assert sco_row(attempt, "sco1").cmi["cmi.core.lesson_status"] == "completed"
    frame = open_sco(page, live_server, attempt, "sco2")
    assert frame.evaluate("() => sco.finish()") == "true"
    idle(page)
    assert sco_row(attempt, "sco2").cmi["cmi.core.lesson_status"] == "completed"
    done = latest(learner.id)  # the asset, never launched, does not block
    assert done.status == "completed" and done.rule_met and done.record_id is not None
    page.goto(f"{live_server.url}/player/attempts/{attempt.id}/play?sco=handout")
    page.wait_for_selector("#player-config", state="attached")
    assert sco_row(attempt, "handout").completion == "completed"
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.cadre_id == learner.id)).all()
    assert [(r.hours, r.source) for r in records] == [(Decimal("4.00"), "online")]


def test_a_mastery_score_decides_a_finish_with_a_raw_score(app, tmp_path, live_server, page, learner):
    """SCORM 1.2 RTE 3.4.4: sco1 has adlcp:masteryscore 80; finishing with raw 85 and no status → passed."""
    module_from(tmp_path, RTE_12, "1.2", "M12")
    frame = launch(page, live_server, "M12")
    frame.evaluate("() => { sco.set('cmi.core.score.raw', '85'); return sco.finish(); }")
    idle(page)
    row = sco_row(latest(learner.id), "sco1")
    assert (row.cmi["cmi.core.lesson_status"], row.completion, row.success) == ("passed", "completed", "passed")


def test_finish_only_2004_sco_is_completed_and_satisfied(app, tmp_path, live_server, page, learner):
    """2004 4th ed. SN 3.12 / UP.4 (completionSetByContent, objectiveSetByContent false): a SCO that only
    calls Initialize/Terminate is completed and satisfied by the LMS; its data keeps what it set."""
    module_from(tmp_path, RTE_2004, "2004", "F04")
    launch(page, live_server, "F04")
    attempt = latest(learner.id)
    frame = open_sco(page, live_server, attempt, "sco_b")
    assert frame.evaluate("() => sco.finish()") == "true"
    idle(page)
    row = sco_row(attempt, "sco_b")
    assert (row.completion, row.success) == ("completed", "passed")
    assert row.cmi.get("cmi.completion_status", "unknown") == "unknown"


def test_exit_normal_starts_a_new_attempt_and_suspend_resumes(app, tmp_path, live_server, page, learner):
    """2004 4th ed. RTE 4.2.8 / 4.2.10: after exit "normal" the next launch is a new learner attempt
    (entry ab-initio, no old data); after exit "suspend" it resumes with the suspended data."""
    module_from(tmp_path, RTE_2004, "2004", "A04")
    launch(page, live_server, "A04")
    attempt = latest(learner.id)
    frame = open_sco(page, live_server, attempt, "sco_b")
    assert frame.inner_text("#entry") == "ab-initio"
    frame.evaluate("() => { sco.set('cmi.location', 'p7'); sco.set('cmi.exit', 'normal'); sco.time(); "
                   "return sco.finish(); }")
    idle(page)
    frame = open_sco(page, live_server, attempt, "sco_b")
    assert (frame.inner_text("#entry"), frame.inner_text("#location")) == ("ab-initio", "")
    frame.evaluate("() => sco.suspend('p9', 'answers=1')")
    idle(page)
    frame = open_sco(page, live_server, attempt, "sco_b")
    assert (frame.inner_text("#entry"), frame.inner_text("#location")) == ("resume", "p9")
    assert frame.inner_text("#suspend") == "answers=1"
    row = sco_row(attempt, "sco_b")
    assert row.sco_attempt == 2 and row.total_seconds == Decimal(180)  # two sessions of 1:30 (sco.time)


def test_suspend_all_resumes_the_same_sco(app, tmp_path, live_server, page, learner):
    """2004 4th ed. RTE 4.4.2 / SN 4.6.2: adl.nav.request=suspendAll saves every SCO's state and the
    position; the next launch of the module opens the suspended SCO with entry "resume"."""
    module_from(tmp_path, RTE_2004, "2004", "S04")
    launch(page, live_server, "S04")
    attempt = latest(learner.id)
    frame = open_sco(page, live_server, attempt, "sco_b")
    frame.evaluate("() => { sco.set('cmi.location', 'b-3'); sco.nav('suspendAll'); return sco.finish(); }")
    page.wait_for_url("**/player/")
    assert latest(learner.id).suspended_sco == "sco_b"
    frame = launch(page, live_server, "S04")
    assert (frame.inner_text("#page"), frame.inner_text("#entry"), frame.inner_text("#location")) == (
        "b", "resume", "b-3")


def test_objectives_and_shared_data_are_seeded_and_shared_across_two_scos(app, tmp_path, live_server, page, learner):
    """2004 4th ed. RTE 4.2.17 (cmi.objectives from the manifest's objectives), RTE 4.3 / CAM adlcp:data
    (adl.data buckets): sco_a sees its objectives and writes the bucket; sco_b, mapping the same
    targetID, reads it — and so does a later attempt."""
    module_from(tmp_path, RTE_2004, "2004", "D04")
    frame = launch(page, live_server, "D04")
    assert frame.inner_text("#page") == "a"
    seen = frame.evaluate("""() => [sco.get('cmi.objectives._count'), sco.get('cmi.objectives.0.id'),
        sco.get('cmi.objectives.1.id'), sco.get('cmi.scaled_passing_score'), sco.get('adl.data._count'),
        sco.get('adl.data.0.id')]""")
    assert seen == ["2", "obj_primary", "obj_second", "0.7", "2", "urn:test:notes"]
    frame.evaluate("() => { sco.set('adl.data.0.store', 'ghi chú chung'); sco.set('cmi.objectives.0.success_status',"
                   " 'passed'); return sco.finish(); }")
    idle(page)
    attempt = latest(learner.id)
    assert sco_row(attempt, "sco_a").cmi["cmi.objectives.0.success_status"] == "passed"
    frame = open_sco(page, live_server, attempt, "sco_b")
    assert frame.evaluate("() => sco.get('adl.data.0.store')") == "ghi chú chung"
    assert db.session.scalar(select(SharedData.store).where(SharedData.cadre_id == learner.id)) == "ghi chú chung"


def test_one_invalid_element_among_250_interactions_keeps_the_rest(app, tmp_path, live_server, page, learner):
    """2004 4th ed. RTE 4.2.9.1 (a true-false learner_response is "true" or "false"): a run-time that lets
    an invalid value through (the adapter refuses it in the browser; older pages or other run-times may
    not) sends a 250-interaction commit from the player page: the server stores the 249 others and every
    other element, answers the refused element, and the lecturer's attempt page lists it."""
    module_from(tmp_path, RTE_2004, "2004", "I04")
    launch(page, live_server, "I04")
    attempt = latest(learner.id)
    cmi = {}
    for n in range(250):
        cmi.update({f"cmi.interactions.{n}.id": f"q{n}", f"cmi.interactions.{n}.type": "true-false",
                    f"cmi.interactions.{n}.learner_response": "maybe" if n == 137 else "true",
                    f"cmi.interactions.{n}.result": "correct",
                    f"cmi.interactions.{n}.description": "Câu hỏi " + "x" * 900})
    cmi["cmi.location"] = "end"
    answer = page.evaluate("""async (cmi) => {
        const cfg = window.lmsPlayer.config;
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch(cfg.commitUrl, {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({seq: Date.now() * 1000, session: 'e2e-250', cmi: cmi})});
        return {status: r.status, body: await r.json(), size: JSON.stringify(cmi).length};
    }""", cmi)
    assert answer["size"] > 250_000
    assert answer["status"] == 200 and answer["body"]["status"] == "stored"
    assert [r["element"] for r in answer["body"]["refused"]] == ["cmi.interactions.137.learner_response"]
    row = sco_row(attempt, "sco_a")
    assert row.cmi["cmi.location"] == "end" and row.cmi["cmi.interactions.249.learner_response"] == "true"
    assert "cmi.interactions.137.learner_response" not in row.cmi


def test_an_oversize_commit_is_413_and_nothing_is_lost(app, tmp_path, live_server, page, learner):
    """Issue 15 (commit bound, scorm.limits.commit_bound_bytes from the 2004 4th ed. RTE SPMs; here the
    configured LMS_MAX_COMMIT_KB is lowered to 48): the commit is answered 413 and nothing is stored; the
    page keeps it, and once the bound allows it the same data is stored — nothing lost."""
    module_from(tmp_path, RTE_2004, "2004", "O04")
    frame = launch(page, live_server, "O04")
    attempt = latest(learner.id)
    app.config["LMS_MAX_COMMIT_KB"] = 48
    try:
        frame.evaluate("() => { sco.set('cmi.location', 'big'); sco.set('cmi.suspend_data', 'x'.repeat(60000));"
                       " return sco.commit(); }")
        page.wait_for_function("() => window.lmsPlayer.queue().length > 0")
        page.wait_for_timeout(1500)  # the first send and its 413 (a condition would be the status line)
        row = sco_row(attempt, "sco_a")
        assert "cmi.suspend_data" not in row.cmi and "cmi.location" not in row.cmi
        assert page.evaluate("() => window.lmsPlayer.queue().length") >= 1
    finally:
        app.config["LMS_MAX_COMMIT_KB"] = 4096
    idle(page)
    row = sco_row(attempt, "sco_a")
    assert len(row.cmi["cmi.suspend_data"]) == 60000 and row.cmi["cmi.location"] == "big"


# --- a module whose rule needs the content and its quiz --------------------------------------------------


@pytest.fixture
def both(tmp_path, tree):
    """A 1.2 module (4 hours) whose completion rule needs the content completed and its quiz passed."""
    module = module_from(tmp_path, RTE_12, "1.2", "B12",
                         completion_rule={"all": [{"kind": "completed"}, {"kind": "quiz_passed"}]})
    bank = quizzes.get_or_create_bank("B12", "Ngân hàng", "osh")
    quizzes.import_questions(bank, parsed(SAMPLE))
    quiz = make_quiz(module, bank)
    db.session.commit()
    return quiz


def pass_quiz(quiz, cadre_id) -> None:
    """The learner passes the module's quiz (submitted through the assessments service, as its view does)."""
    attempt = quizzes.start_attempt(quiz, cadre_id)
    for item in attempt.items:
        quizzes.save_answer(attempt, item.position, right_answer(item))
    quizzes.submit_attempt(attempt, attempt.submit_token)
    db.session.commit()


def finish_content(page, server, learner) -> Attempt:
    frame = launch(page, server, "B12")
    frame.evaluate("() => sco.finish()")
    idle(page)
    attempt = latest(learner.id)
    frame = open_sco(page, server, attempt, "sco2")
    frame.evaluate("() => sco.finish()")
    idle(page)
    return attempt


def assert_one_completion_with_hours(page, server, learner) -> None:
    records = db.session.scalars(select(TrainingRecord).where(TrainingRecord.cadre_id == learner.id)).all()
    assert [(r.hours, r.source) for r in records] == [(Decimal("4.00"), "online")]
    certificates = db.session.scalars(select(Certificate).where(Certificate.cadre_id == learner.id)).all()
    assert [(c.hours, c.record_id) for c in certificates] == [(Decimal("4.00"), records[0].id)]
    page.goto(f"{server.url}/records/me")
    assert "4.0" in page.inner_text("main")


def test_content_then_quiz_completes_the_module_with_its_hours(app, live_server, page, learner, both):
    """Issue 15: the rule is re-evaluated when the quiz is passed after the content: one record (source
    online, the module's 4 hours) and one certificate with the same hours; the transcript shows them."""
    attempt = finish_content(page, live_server, learner)
    assert latest(learner.id).rule_met is False and attempt.record_id is None
    pass_quiz(both, learner.id)
    assert latest(learner.id).rule_met is True
    assert_one_completion_with_hours(page, live_server, learner)


def test_quiz_then_content_completes_the_module_with_its_hours(app, live_server, page, learner, both):
    """Issue 15: a quiz passed first records nothing of its own; finishing the content then meets the rule."""
    pass_quiz(both, learner.id)
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == 0
    finish_content(page, live_server, learner)
    assert latest(learner.id).rule_met is True
    assert_one_completion_with_hours(page, live_server, learner)


def test_config_carries_request_valid(app, tmp_path, live_server, page, learner):
    """2004 4th ed. RTE 4.4.3: the launch configuration carries the server's navValid for the page."""
    module_from(tmp_path, RTE_2004, "2004", "N04")
    launch(page, live_server, "N04")
    cfg = page.evaluate("() => window.lmsPlayer.config.navValid")
    assert cfg["continue"] is True and cfg["previous"] is False and cfg["jump"]["sco_c"] is True
