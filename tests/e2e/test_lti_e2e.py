"""LTI 1.3 in Chromium: the test platform's course page embeds our tool in an iframe (OIDC third-party
login → the platform's auto-posted id_token → our launch page → the player); the learner finishes the
module and the platform receives the score through AGS (its token endpoint fetches our JWKS over HTTP)."""

from __future__ import annotations

import time

from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.lti.models import LtiIdentity, LtiLaunch, LtiPlatform
from lms.records.models import TrainingRecord
from tests.e2e.player_pages import sco_frame
from tests.e2e.sco_fixtures import build_zip
from tests.factories import gen_cadre, gen_unit, gen_user
from tests.lms.lti.platform import TestPlatform


def test_platform_iframe_launch_and_completion_reaches_the_platform(app, tmp_path, live_server, page):
    platform = TestPlatform()
    try:
        unit = gen_unit("HN-CDCS-9", "Công đoàn Công ty Điện lực Hà Nội", "CĐCS")
        cadre = gen_cadre(unit, "HN0099", "Trần Thị Hồng Nhung", gender="female")
        user = gen_user("hv.nhung", cadre=cadre)
        module = create_module("ATVSLD", "An toàn, vệ sinh lao động", topic="osh", hours=4)
        import_package(module, build_zip("scorm12_single", tmp_path))
        registered = LtiPlatform(**platform.registration())
        db.session.add(registered)
        db.session.flush()
        db.session.add(LtiIdentity(platform_id=registered.id, sub="moodle-user-42", cadre_id=cadre.id,
                                   user_id=user.id))
        db.session.commit()
        platform.tool_login_url = live_server.url + "/lti/login"
        platform.tool_jwks_url = live_server.url + "/lti/jwks.json"

        page.goto(platform.url + "/course")
        frame = sco_frame(page, timeout=30)
        assert frame.inner_text("#learner") == "Trần Thị Hồng Nhung"
        tool = page.frame_locator("#tool")
        assert tool.locator("#lms-player").count() == 1  # the launch frame inside the platform's iframe
        frame.evaluate("() => { sco.complete(90); return sco.finish(); }")

        until = time.time() + 20
        while not platform.scores and time.time() < until:
            page.wait_for_timeout(200)
        (score,) = platform.scores
        assert score["scoreGiven"] == 90 and score["userId"] == "moodle-user-42"
        db.session.expire_all()
        record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id))
        assert record is not None and float(record.score) == 90.0
        # the platform has the score once our job's POST returned; the job commits "sent" just after
        until = time.time() + 10
        while db.session.scalar(select(LtiLaunch.score_status)) != "sent" and time.time() < until:
            db.session.rollback()
            page.wait_for_timeout(100)
        assert db.session.scalar(select(LtiLaunch.score_status)) == "sent"
    finally:
        platform.close()
