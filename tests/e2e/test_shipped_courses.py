"""The shipped courses (scorm/build) played through in Chromium, page by page, with the SCO's own exit and
the player's: same derived content origin and a separate configured one → completion and training record."""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.e2e.conftest import login
from tests.e2e.player_pages import attempt_of, idle, state


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
