"""A job's page in a real browser: the progress bar (lms/static/js/jobs.js) follows the job as a worker
would move it — queued, running at 40 %, done — and then offers the file, which downloads."""

from __future__ import annotations

import json

import pytest

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from tests.e2e.conftest import login
from tests.factories import gen_user

pytestmark = pytest.mark.e2e


def test_the_progress_bar_follows_the_job_to_its_download(live_server, page, app):
    user = gen_user("nguoi.xuat")
    job = Job(task="tests.lms.jobs.tasks:make_file", args=json.dumps({"text": "mã\nA\n"}), title="Xuất danh sách",
              user_id=user.id, state="queued", progress=0, attempts=0, max_attempts=3)
    db.session.add(job)
    db.session.commit()
    login(page, live_server, "nguoi.xuat")
    page.goto(f"{live_server.url}/jobs/{job.id}")
    assert page.locator("[data-job-state-queued]").is_visible()

    job.state = "running"
    db.session.commit()
    jobs.set_progress(job.id, 40)
    page.wait_for_selector("[data-job-bar]:has-text('40%')", timeout=15000)
    assert page.locator("[data-job-state-running]").is_visible()

    job.state = "queued"
    db.session.commit()
    assert jobs.run(job.id)  # what a worker does
    link = page.locator("[data-job-download]")
    link.wait_for(state="visible", timeout=15000)
    assert page.locator("[data-job-bar]").inner_text() == "100%"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "bao-cao.csv"
    with open(download.value.path(), encoding="utf-8") as fh:
        assert fh.read() == "mã\nA\n"
