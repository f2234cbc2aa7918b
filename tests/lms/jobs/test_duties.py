"""The audit of issue #20, one test per duty: it runs through the queue (eager here; a real worker in
test_worker.py), an attempt that fails after writing is rolled back and retried (the back-off between
attempts is RQ's, see test_worker.py), and running the duty again writes nothing twice. The owner's view
of progress and result is in test_jobs.py / test_feature_jobs.py; reminders and digests: test_feature_jobs.py
and tests/lms/reports; xAPI: tests/lms/xapi/test_send_job.py; account mails: tests/lms/accounts/test_mail_jobs.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.core import jobs
from lms.core.clock import today_vn
from lms.core.db import db
from lms.core.jobs_models import Job


def _fail_once(monkeypatch, owner, name: str) -> None:
    """``owner.name`` does its work, then raises once (a lost connection after the writes)."""
    real, calls = getattr(owner, name), []

    def flaky(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            db.session.flush()
            raise ConnectionError("mất kết nối (giả lập)")
        return result

    monkeypatch.setattr(owner, name, flaky)


def _run(func, **kwargs) -> Job:
    job = jobs.enqueue(func, **kwargs)
    db.session.commit()
    jobs.drain()
    return db.session.get(Job, job.id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_full_recompute_retried_and_rerun(app, world, monkeypatch):
    from lms.standards import engine
    from lms.standards.jobs import recompute_all
    from lms.standards.models import ComplianceStatus

    expected = _count(ComplianceStatus)
    db.session.execute(ComplianceStatus.__table__.delete())
    _fail_once(monkeypatch, engine, "recompute")
    job = _run(recompute_all)
    assert (job.state, job.attempts) == ("succeeded", 2) and _count(ComplianceStatus) == expected
    assert _run(recompute_all).state == "succeeded" and _count(ComplianceStatus) == expected


def test_partial_recompute_retried_and_rerun(app, world, monkeypatch):
    from lms.standards import engine
    from lms.standards.jobs import recompute_cadres
    from lms.standards.models import ComplianceStatus

    db.session.execute(ComplianceStatus.__table__.delete())
    _fail_once(monkeypatch, engine, "recompute_cadre")
    job = _run(recompute_cadres, cadre_ids=[world["duc"].id])
    assert (job.state, job.attempts) == ("succeeded", 2)
    mine = _count(ComplianceStatus)
    assert mine == 1 and _run(recompute_cadres, cadre_ids=[world["duc"].id]).state == "succeeded"
    assert _count(ComplianceStatus) == mine


def test_certificates_retried_and_rerun(app, world, monkeypatch):
    from lms.reports import certificates
    from lms.reports.jobs import issue_certificates
    from lms.reports.models import Certificate

    cadres = [world["hn_cadre"].id, world["duc"].id]
    _fail_once(monkeypatch, certificates, "issue_due")
    job = _run(issue_certificates, cadre_ids=cadres)
    issued = _count(Certificate)
    assert (job.state, job.attempts) == ("succeeded", 2) and issued >= 1
    again = _run(issue_certificates, cadre_ids=cadres)
    assert again.summary == "Đã cấp 0 giấy chứng nhận mới." and _count(Certificate) == issued


def test_certificate_rendering_retried_and_rerun(app, world, monkeypatch):
    from lms.reports import certificates
    from lms.reports.jobs import render_certificate
    from lms.reports.models import Certificate

    certificates.issue_due([world["hn_cadre"].id], today_vn())
    certificate, issued = db.session.scalars(select(Certificate)).first(), _count(Certificate)
    _fail_once(monkeypatch, certificates, "certificate_pdf")
    job = _run(render_certificate, certificate_id=certificate.id)
    assert (job.state, job.attempts, job.result_mime) == ("succeeded", 2, "application/pdf")
    assert _run(render_certificate, certificate_id=certificate.id).state == "succeeded"
    assert _count(Certificate) == issued


def test_big_export_retried_and_rerun(app, world, monkeypatch):
    from lms.reports import exports
    from lms.reports.jobs import export_table

    _fail_once(monkeypatch, exports, "csv_tempfile")
    args = {"report": "cadres", "unit_id": world["hn"].id, "fmt": "csv", "filename": "can-bo-HN", "params": {}}
    job = _run(export_table, **args)
    assert (job.state, job.attempts, job.result_name) == ("succeeded", 2, "can-bo-HN.csv")
    assert _run(export_table, **args).result_sha256 == job.result_sha256  # the same file, stored once


def test_package_upload_retried_and_rerun(app, tree, monkeypatch, tmp_path):
    from lms.catalog import services
    from lms.catalog.jobs import import_uploaded
    from lms.catalog.models import PackageVersion
    from lms.core.storage import get_storage
    from tests.lms.catalog.helpers import simple_package

    module = services.create_module("LCD2024", "Luật Công đoàn 2024", topic="union_law", hours=4)
    with open(simple_package(tmp_path), "rb") as fh:
        sha256, _size = get_storage().put_stream(fh)
    _fail_once(monkeypatch, services, "import_package")
    args = {"module_id": module.id, "sha256": sha256, "uploaded_by_id": None, "publish": True}
    job = _run(import_uploaded, **args)
    assert (job.state, job.attempts) == ("succeeded", 2)
    assert job.summary == "Đã tải lên phiên bản 1 của học phần LCD2024."  # not 2: the first attempt rolled back
    assert _run(import_uploaded, **args).summary == job.summary and _count(PackageVersion) == 1


def test_reminders_job_retries_only_the_unsent_mails(app, world, monkeypatch):
    from lms.core import mail
    from lms.reports.jobs import send_reminders
    from lms.reports.models import ReminderLog

    real, refused = mail.send, []

    def send(message):
        if "duc@example.vn" in str(message["To"]) and not refused:
            refused.append(1)
            raise OSError("máy chủ thư không trả lời (giả lập)")
        return real(message)

    monkeypatch.setattr(mail, "send", send)
    job = _run(send_reminders)
    assert (job.state, job.attempts) == ("succeeded", 2) and job.summary.startswith("Đã gửi 1, bỏ qua 1,")
    assert _count(ReminderLog) == 2  # the digest went once (first attempt), Đức's reminder at the second
    assert _run(send_reminders).summary.startswith("Đã gửi 0, bỏ qua 2,")


@pytest.mark.parametrize("name", ["reminders", "digest", "standards-recompute", "xapi-send", "quiz-grading"])
def test_every_periodic_duty_runs_from_its_schedule_entry(app, world, name):
    from lms.core import jobs_rq

    jobs_rq.run_periodic(name)
    (job,) = db.session.scalars(select(Job)).all()
    assert job.task == jobs.PERIODIC[name][0] and job.state == "succeeded", job.error
