"""A completion from an LTI launch lands in the ledger with source ``lti`` and the platform's name
(issue #21: "completions land in the same training-record ledger with source 'LTI <platform>'")."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.lti import services
from lms.player.models import Attempt
from lms.player.services import apply_commit
from lms.records.models import TrainingRecord
from tests.conftest import AuthActions
from tests.lms.lti.helpers import launch, link_identity


def _complete_launched_attempt(client, world, platform) -> TrainingRecord:
    link_identity(world)
    assert launch(client, platform).status_code == 200
    attempt = db.session.scalar(select(Attempt))
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"},
                 terminate=True)
    db.session.commit()
    return db.session.scalar(select(TrainingRecord))


def test_an_lti_completion_is_recorded_with_the_platform(client, world, platform):
    record = _complete_launched_attempt(client, world, platform)
    assert (record.source, record.source_detail) == ("lti", "Moodle thử nghiệm")
    assert services.source_label(record) == "LTI Moodle thử nghiệm"


def test_the_transcript_names_the_platform(app, client, world, platform):
    record = _complete_launched_attempt(client, world, platform)
    browser = app.test_client()  # the learner signed in here, outside the platform's launch session
    AuthActions(browser).login("hv.nhung")
    page = browser.get(f"/records/cadres/{record.cadre_id}").get_data(as_text=True)
    assert "<td>LTI Moodle thử nghiệm</td>" in page
    sheet = browser.get(f"/records/cadres/{record.cadre_id}/transcript.xlsx")
    assert sheet.status_code == 200


def test_a_completion_begun_here_stays_online(client, world):
    from lms.player.services import open_attempt

    attempt = open_attempt(world["cadre"], world["module"])
    db.session.commit()
    apply_commit(attempt, "I1", 1, "s1", {"cmi.core.lesson_status": "completed"}, terminate=True)
    db.session.commit()
    record = db.session.scalar(select(TrainingRecord))
    assert (record.source, record.source_detail) == ("online", None)
    assert services.source_label(record) is None
