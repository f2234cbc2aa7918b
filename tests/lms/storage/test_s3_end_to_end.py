"""Upload → play → export with the blobs on a real S3 API server (moto server mode): the package is
spooled to the bucket, extracted by a job straight into the bucket, its files are served by the content
origin from the bucket (through an emptied read cache), and an export job's file is downloaded from it."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from sqlalchemy import select

from lms.catalog import content
from lms.catalog import services as catalog
from lms.catalog.models import PackageVersion
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.core.storage_s3 import S3Storage
from tests.conftest import csrf_token_from
from tests.lms.catalog.helpers import simple_package


@pytest.fixture
def s3_app(app, s3_config):
    """The app with its storage on the S3 server, large uploads and big exports as jobs."""
    saved_storage = app.extensions["lms_storage"]
    saved = {k: app.config.get(k) for k in ("LMS_UPLOAD_JOB_MB", "LMS_EXPORT_JOB_ROWS")}
    app.extensions["lms_storage"] = S3Storage.from_config(s3_config)
    app.config.update(LMS_UPLOAD_JOB_MB=0, LMS_EXPORT_JOB_ROWS=0)
    yield app
    app.extensions["lms_storage"] = saved_storage
    app.config.update(saved)


def _job(response) -> Job:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return db.session.get(Job, int(response.headers["Location"].rsplit("/", 1)[-1]))


def test_upload_play_export_with_s3_storage(s3_app, s3_config, client, auth, tree, tmp_path):
    module = catalog.create_module("LCD2024", "Luật Công đoàn 2024", topic="union_law", hours=4,
                                   created_by_id=tree["lecturer"].id)
    db.session.commit()
    storage = s3_app.extensions["lms_storage"]

    auth.login("gv.hanoi")
    token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
    with open(simple_package(tmp_path, extra={"bài 1/trang.html": "<p>Tiếng Việt</p>".encode()}), "rb") as fh:
        upload = _job(client.post("/modules/LCD2024/upload", data={"csrf_token": token, "package": (fh, "g.zip"),
                                                                  "publish": "y"}))
    assert upload.state == "succeeded", upload.error
    version = db.session.scalar(select(PackageVersion).where(PackageVersion.module_id == module.id))
    keys = {o["Key"] for o in storage.client.list_objects_v2(Bucket=s3_config["LMS_S3_BUCKET"])["Contents"]}
    assert f"blobs/{version.sha256[:2]}/{version.sha256[2:4]}/{version.sha256}" in keys
    assert len(keys) >= 3  # the zip and its extracted files, each once

    shutil.rmtree(storage.cache)  # this host has nothing cached: play reads from the bucket
    with s3_app.test_request_context(base_url="http://localhost"):
        url = content.content_url(version, "bài 1/trang.html", user_id=tree["hn_learner"].id)
    played = s3_app.test_client().get(url)
    assert played.status_code == 200 and "Tiếng Việt" in played.get_data(as_text=True)
    ranged = s3_app.test_client().get(url, headers={"Range": "bytes=0-2"})
    assert ranged.status_code == 206 and ranged.data == b"<p>"

    auth.logout()
    auth.login("ql.hanoi")
    export = _job(client.get("/reports/units/HN/cadres.csv"))
    assert export.state == "succeeded" and storage.exists(export.result_sha256)
    body = client.get(f"/jobs/{export.id}/download").get_data().decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(body))] == ["Mã cán bộ", "HN0001"]
