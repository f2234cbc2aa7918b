"""A real S3 API server (moto's server mode, in a thread on a free port) and storages on both backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from lms.core.storage import LocalStorage
from lms.core.storage_s3 import S3Storage
from tests.net import free_port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:<port>``: moto's S3-compatible HTTP server, spoken to by boto3 over the network."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_config(s3_endpoint, tmp_path) -> dict:
    """Settings of a fresh bucket on the server (as an operator would set the ``LMS_S3_*`` variables)."""
    import boto3

    bucket = f"lms-{uuid.uuid4().hex[:12]}"
    config = {"LMS_STORAGE_BACKEND": "s3", "LMS_S3_BUCKET": bucket, "LMS_S3_PREFIX": "blobs/",
              "LMS_S3_ENDPOINT_URL": s3_endpoint, "LMS_S3_REGION": "us-east-1",
              "LMS_S3_ACCESS_KEY_ID": "test", "LMS_S3_SECRET_ACCESS_KEY": "test",
              "LMS_S3_CACHE_DIR": str(tmp_path / "s3-cache"), "LMS_STORAGE_DIR": str(tmp_path / "unused")}
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=bucket)
    return config


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    """The storage on each backend."""
    if request.param == "local":
        return LocalStorage(tmp_path / "blobs")
    return S3Storage.from_config(request.getfixturevalue("s3_config"))
