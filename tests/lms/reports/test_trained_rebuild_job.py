"""Issue #20: after an org import the trained counts are recounted by one background job, not in the import's
request: coalesced (one pending however many imports), retried on failure with the previous counts intact,
and the home page says the figure is being recounted until it is done."""

from __future__ import annotations

import os
import uuid

import pytest
from redis import Redis
from sqlalchemy import func, select

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.records.services import append_record
from lms.reports import overview, trained
from lms.reports.services import today
from tests.lms.test_org_import_preview import upload, workbook
from tests.needs import require_redis

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TASK = trained.rebuild_job.lms_task
#: two valid rows: a new unit under Hà Nội with a cadre, and a cadre in an existing unit
UNITS = [["N-OK", "Công đoàn Công ty Điện Hà Nội", "CĐCS", "HN"]]
CADRES = [["P001", "Nguyễn Văn An", "Nam", "N-OK", "Chủ tịch"], ["P006", "Vũ Thị Phương", "Nữ", "HN-CDCS-1", "ATVSV"]]


def _import(client, units=UNITS, cadres=CADRES):
    """Upload and confirm an import as the admin (the test client's request: eager jobs run after it)."""
    from tests.conftest import csrf_token_from
    from tests.lms.test_org_import_preview import preview_urls

    body = upload(client, workbook(units, cadres)).get_data(as_text=True)
    confirm, _errors = preview_urls(body)
    response = client.post(confirm, data={"csrf_token": csrf_token_from(client.get("/admin/org/import").text)})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
    return response


def _figure(tree) -> tuple[int, int]:
    got = overview.trained_in_year(tree["tld"], today().year)
    return got.trained, got.active


def _rebuild_jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.task == TASK).order_by(Job.id)))


@pytest.fixture
def trained_tree(tree, client, auth):
    """The tree with one cadre trained this year (1 of 2), the admin logged in."""
    append_record(tree["hn_cadre"].id, source="online", topic="osh", hours=2, completed_on=today())
    db.session.commit()
    assert _figure(tree) == (1, 2)
    auth.login("admin")
    return tree


def test_an_org_import_is_recounted_by_one_job_after_the_request(client, trained_tree):
    _import(client)
    [job] = _rebuild_jobs()
    assert (job.state, job.attempts) == ("succeeded", 1)  # eager: ran after the request, once
    assert _figure(trained_tree) == (1, 4)
    page = client.get("/").get_data(as_text=True)
    assert 'id="target-trained"' in page and "1 / 4" in page and 'id="trained-rebuilding"' not in page


def test_a_second_import_while_one_is_pending_adds_no_second_job(app, trained_tree, tmp_path):
    from lms.org.importer import import_file
    from tests.lms.org_import_files import CADRE_HEAD, UNIT_HEAD, write_csv
    from tests.lms.org_import_files import CADRES as FILE_CADRES
    from tests.lms.org_import_files import UNITS as FILE_UNITS

    import_file(write_csv(tmp_path / "donvi.csv", [UNIT_HEAD, *FILE_UNITS]), "donvi.csv")
    db.session.commit()
    import_file(write_csv(tmp_path / "canbo.csv", [CADRE_HEAD, *FILE_CADRES]), "canbo.csv")
    db.session.commit()
    [job] = _rebuild_jobs()
    assert job.state == "queued" and _figure(trained_tree) == (1, 2)  # the previous figure until it runs
    assert overview.trained_in_year(trained_tree["tld"], today().year).rebuild.pending
    assert jobs.drain() == 1
    assert _figure(trained_tree) == (1, 2 + 3)
    status = overview.trained_in_year(trained_tree["tld"], today().year).rebuild
    assert not status.pending and status.done_at is not None
    rows = [list(r) for r in FILE_CADRES]
    rows[1][11] = "không"  # C002 leaves: a third import, after the job ran, queues a new one
    import_file(write_csv(tmp_path / "canbo2.csv", [CADRE_HEAD, *rows]), "canbo2.csv")
    db.session.commit()
    assert [j.state for j in _rebuild_jobs()] == ["succeeded", "queued"]
    jobs.drain()
    assert _figure(trained_tree) == (1, 4)


def _failing_insert(monkeypatch, failures: int) -> list[int]:
    """Make the rebuild's last statement fail ``failures`` times (after the DELETEs ran in its transaction)."""
    calls = [0]
    real = trained.execute

    def execute(sql, params):
        if sql.startswith("INSERT INTO unit_trained_counts") and calls[0] < failures:
            calls[0] += 1
            raise RuntimeError("simulated failure")
        return real(sql, params)

    monkeypatch.setattr(trained, "execute", execute)
    return calls


def test_a_failed_rebuild_is_retried(client, trained_tree, monkeypatch):
    calls = _failing_insert(monkeypatch, failures=1)
    _import(client)
    [job] = _rebuild_jobs()
    assert (job.state, job.attempts, calls[0]) == ("succeeded", 2, 1)
    assert _figure(trained_tree) == (1, 4)


def test_a_rebuild_failing_for_good_leaves_the_previous_counts(client, trained_tree, monkeypatch):
    _failing_insert(monkeypatch, failures=99)
    _import(client)
    [job] = _rebuild_jobs()
    assert (job.state, job.attempts) == ("failed", 3)
    assert _figure(trained_tree) == (1, 2)  # every attempt rolled back: the counts before the import
    assert db.session.scalar(select(func.count()).select_from(db.table("unit_trained_counts"))) > 0
    page = client.get("/").get_data(as_text=True)
    assert 'id="trained-rebuilding"' in page and "không thành công" in page


@pytest.fixture
def redis_queue(app):
    """Jobs go to a real Redis queue of this test's own (no worker listens: they stay there)."""
    require_redis(REDIS_URL)
    name = f"lms-test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.config.get(k) for k in ("LMS_JOBS_REDIS_URL", "LMS_JOBS_QUEUE")}
    app.config.update(LMS_JOBS_REDIS_URL=REDIS_URL, LMS_JOBS_QUEUE=name)
    yield name
    app.config.update(saved)
    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


def test_with_redis_the_import_returns_before_the_recount(client, trained_tree, redis_queue):
    _import(client)
    [job] = _rebuild_jobs()
    assert job.state == "queued" and _figure(trained_tree) == (1, 2)
    page = client.get("/").get_data(as_text=True)
    assert 'id="trained-rebuilding"' in page and "1 / 2" in page
    _import(client, cadres=[["P007", "Đỗ Văn Giang", "Nam", "N-OK", "Chủ tịch"]])  # a second import: coalesced
    assert [j.id for j in _rebuild_jobs()] == [job.id]
    assert jobs.run(job.id) is True  # what the worker does
    assert _figure(trained_tree) == (1, 5)
    page = client.get("/").get_data(as_text=True)
    assert 'id="trained-rebuilding"' not in page and "1 / 5" in page
