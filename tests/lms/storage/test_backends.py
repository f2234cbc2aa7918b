"""The storage interface, the same behaviour on local disk and on a real S3 API server (moto server mode)."""

from __future__ import annotations

import hashlib
import io

import pytest

from lms.core.storage_s3 import S3Storage


def test_put_file_returns_the_sha256_and_keeps_equal_content_once(storage, tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(b"Xin chao")
    digest, size = storage.put_file(source)
    assert (digest, size) == (hashlib.sha256(b"Xin chao").hexdigest(), 8)
    assert source.exists() and storage.exists(digest)
    again = tmp_path / "b.txt"
    again.write_bytes(b"Xin chao")
    assert storage.put_file(again, move=True) == (digest, size)
    assert not again.exists()  # moved: the work file is gone even when the blob was already stored
    with storage.open(digest) as fh:
        assert fh.read() == b"Xin chao"
    assert storage.path(digest).read_bytes() == b"Xin chao"


def test_put_stream_hashes_while_copying(storage):
    data = bytes(range(256)) * 5000
    digest, size = storage.put_stream(io.BytesIO(data))
    assert digest == hashlib.sha256(data).hexdigest() and size == len(data)
    assert storage.path(digest).read_bytes() == data


def test_missing_blobs_and_bad_digests(storage):
    assert not storage.exists("0" * 64)
    with pytest.raises(ValueError):
        storage.path("../../etc/passwd")
    with pytest.raises(ValueError):
        storage.exists("ABC")


def test_extraction_work_folder_is_local(storage):
    folder = storage.temp_dir()
    assert folder.is_dir()
    (folder / "x").write_bytes(b"1")
    digest, _ = storage.put_file(folder / "x", move=True)
    assert storage.exists(digest) and not (folder / "x").exists()


def test_s3_objects_are_content_addressed_under_the_prefix(s3_config):
    storage = S3Storage.from_config(s3_config)
    digest, _ = storage.put_stream(io.BytesIO(b"noi dung"))
    listed = storage.client.list_objects_v2(Bucket=s3_config["LMS_S3_BUCKET"])["Contents"]
    assert [o["Key"] for o in listed] == [f"blobs/{digest[:2]}/{digest[2:4]}/{digest}"]
    storage.put_stream(io.BytesIO(b"noi dung"))  # the same content: no second object
    assert len(storage.client.list_objects_v2(Bucket=s3_config["LMS_S3_BUCKET"])["Contents"]) == 1


def test_a_second_host_reads_what_the_first_wrote(s3_config, tmp_path):
    """Two app hosts (each its own read cache) share the bucket."""
    first = S3Storage.from_config(s3_config)
    digest, _ = first.put_stream(io.BytesIO(b"chia se"))
    second = S3Storage.from_config({**s3_config, "LMS_S3_CACHE_DIR": str(tmp_path / "host2")})
    assert second.exists(digest) and second.path(digest).read_bytes() == b"chia se"
