"""The features' long work goes through the queue (eager in tests): the request enqueues, commits, and the
job runs after it; the user follows it on the job page and downloads the result."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from lms.catalog import services as catalog
from lms.catalog.models import PackageVersion
from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from tests.conftest import csrf_token_from
from tests.lms.catalog.helpers import broken_package, simple_package


@pytest.fixture
def settings(app):
    """Change app settings for one test."""
    saved: dict = {}

    def change(**values):
        for name, value in values.items():
            saved.setdefault(name, app.config.get(name))
            app.config[name] = value

    yield change
    app.config.update(saved)


def _job_of(response) -> Job:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    return db.session.get(Job, job_id)


def test_admin_recompute_runs_as_a_job_with_its_progress_page(client, auth, tree):
    auth.login("admin")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    job = _job_of(client.post("/standards/admin/recompute", data={"csrf_token": token}))
    assert (job.state, job.user_id, job.progress) == ("succeeded", tree["admin"].id, 100)
    assert job.summary.startswith("Đã tính lại")
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Tính lại trạng thái tuân thủ" in page and "Đã xong." in page


def test_a_big_cadre_export_is_written_by_a_job_and_downloaded(client, auth, tree, settings):
    settings(LMS_EXPORT_JOB_ROWS=0)
    auth.login("ql.hanoi")
    job = _job_of(client.get("/reports/units/HN/cadres.csv"))
    assert job.state == "succeeded" and job.result_name == "can-bo-HN.csv"
    status = client.get(f"/jobs/{job.id}/status").get_json()
    body = client.get(status["download"]).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Mã cán bộ" and [r[0] for r in rows[1:]] == ["HN0001"]
    assert client.get("/reports/units/HN/cadres.csv", headers={"Accept": "application/json"}).status_code == 202


def test_small_exports_stay_in_the_response(client, auth, tree):
    auth.login("ql.hanoi")
    response = client.get("/reports/units/HN/cadres.csv")
    assert response.status_code == 200 and db.session.scalar(select(Job)) is None


@pytest.fixture
def module(app, tree):
    module = catalog.create_module("LCD2024", "Luật Công đoàn 2024", topic="union_law", hours=4,
                                   created_by_id=tree["lecturer"].id)
    db.session.commit()
    return module


def _upload(client, path):
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    with open(path, "rb") as fh:
        return client.post("/modules/LCD2024/upload", data={"csrf_token": token, "package": (fh, "goi.zip")},
                           content_type="multipart/form-data")


def test_a_large_upload_is_extracted_by_a_job(client, auth, module, settings, tmp_path):
    settings(LMS_UPLOAD_JOB_MB=0)
    auth.login("gv.hanoi")
    job = _job_of(_upload(client, simple_package(tmp_path)))
    assert job.state == "succeeded" and job.summary == "Đã tải lên phiên bản 1 của học phần LCD2024."
    version = db.session.scalar(select(PackageVersion).where(PackageVersion.module_id == module.id))
    assert version.number == 1 and catalog.read_package_file(version, "index.html") is not None
    again = _job_of(_upload(client, simple_package(tmp_path)))  # same zip: the same job (idempotency key)
    assert again.id == job.id


def test_an_invalid_large_upload_fails_with_the_reason_and_writes_nothing(client, auth, module, settings, tmp_path):
    settings(LMS_UPLOAD_JOB_MB=0)
    auth.login("gv.hanoi")
    job = _job_of(_upload(client, broken_package(tmp_path)))
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.error.startswith("Gói SCORM không hợp lệ")
    assert db.session.scalar(select(PackageVersion)) is None
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "failed" and status["error"] == job.error


def test_a_records_import_issues_certificates_in_a_job_after_commit(app, tree):
    from lms.records.importer import import_records

    data = "Mã cán bộ,Chủ đề,Số giờ,Ngày hoàn thành\nHN0001,osh,8,2025-03-01\n".encode()
    import_records(data, "ho-so.csv", dry_run=False, max_bytes=10**6, actor=tree["admin"])
    job = db.session.scalar(select(Job))
    assert job.task == "lms.reports.jobs:issue_certificates" and job.state == "queued"
    assert job.key.startswith("import:") and jobs.drain() == 0  # not before the import commits
    db.session.commit()
    assert jobs.drain() == 1
    assert db.session.get(Job, job.id).state == "succeeded"


def test_reminders_run_once_a_day_from_the_schedule_entry(app, world):
    """``lms scheduler`` enqueues ``run_periodic("reminders")`` daily; a second run the same day (two
    schedulers, a redelivery) finds the day's job by its key and sends nothing more."""
    from lms.core import jobs_rq
    from lms.reports.models import ReminderLog

    jobs_rq.run_periodic("reminders")
    job = db.session.scalar(select(Job))
    assert job.key.startswith("periodic:reminders:") and job.state == "succeeded"
    assert job.summary.startswith("Đã gửi 2,")
    jobs_rq.run_periodic("reminders")
    assert len(db.session.scalars(select(Job)).all()) == 1
    assert len(db.session.scalars(select(ReminderLog)).all()) == 2


def test_the_weekly_digest_runs_from_its_schedule_entry(app, world):
    """``lms scheduler`` enqueues ``run_periodic("digest")`` (weekly): the managers' digest goes out, is
    logged as kind ``summary``, and a second run finds the job by its key and sends nothing more."""
    from lms.core import jobs, jobs_rq
    from lms.reports.models import ReminderLog

    assert jobs.PERIODIC["digest"] == ("lms.reports.jobs:send_digests", "15 0 * * 1")
    jobs_rq.run_periodic("digest")
    job = db.session.scalar(select(Job))
    assert job.key.startswith("periodic:digest:") and job.state == "succeeded"
    assert job.summary.startswith("Đã gửi ")
    sent = db.session.scalars(select(ReminderLog).where(ReminderLog.kind == "summary")).all()
    jobs_rq.run_periodic("digest")
    assert len(db.session.scalars(select(Job)).all()) == 1
    assert len(db.session.scalars(select(ReminderLog).where(ReminderLog.kind == "summary")).all()) == len(sent)


def test_a_certificate_pdf_rendered_by_a_job(app, world):
    from lms.reports import certificates
    from lms.reports.jobs import render_certificate
    from lms.reports.models import Certificate

    certificates.issue_due([world["hn_cadre"].id], certificates.utcnow().date())
    certificate = db.session.scalar(select(Certificate))
    ok = jobs.enqueue(render_certificate, certificate_id=certificate.id)
    missing = jobs.enqueue(render_certificate, certificate_id=999_999)
    db.session.commit()
    jobs.drain()
    done = db.session.get(Job, ok.id)
    assert done.state == "succeeded" and done.result_mime == "application/pdf"
    from lms.core.storage import get_storage

    with get_storage().open(done.result_sha256) as fh:
        assert fh.read(5) == b"%PDF-"
    failed = db.session.get(Job, missing.id)
    assert (failed.state, failed.attempts, failed.error) == ("failed", 1, "Không tìm thấy giấy chứng nhận.")


def test_partial_recomputes_for_cadres_and_for_a_subtree(app, world):
    from lms.standards.jobs import recompute_cadres
    from lms.standards.models import ComplianceStatus

    db.session.execute(ComplianceStatus.__table__.delete())
    by_cadres = jobs.enqueue(recompute_cadres, cadre_ids=[world["duc"].id])
    by_unit = jobs.enqueue(recompute_cadres, unit_id=world["cb"].id)
    gone = jobs.enqueue(recompute_cadres, unit_id=999_999)
    db.session.commit()
    jobs.drain()
    assert [db.session.get(Job, j.id).state for j in (by_cadres, by_unit, gone)] == ["succeeded", "succeeded",
                                                                                     "failed"]
    cadres = set(db.session.scalars(select(ComplianceStatus.cadre_id)))
    assert cadres == {world["duc"].id, world["cb_cadre"].id}
