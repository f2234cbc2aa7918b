"""S3-compatible object storage for the content-addressed blobs (AWS S3, MinIO, Ceph RGW, Garage …).

Objects are ``<prefix>ab/cd/<sha256>`` in ``LMS_S3_BUCKET``; an object is written once (content-hash
deduplication: a blob already there is not uploaded again). Reading for the content origin goes
through :meth:`S3Storage.path`, a read-through cache on the app host's disk (``LMS_S3_CACHE_DIR``):
the LMS keeps serving package files from its own content origin with Range and sendfile, and S3 is
never exposed to browsers, so the isolation rules of docs/security.md hold unchanged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from lms.core.storage import check_digest, hash_file, spool


class S3Storage:
    """Blobs in an S3 bucket, with a local read cache and a local work folder."""

    def __init__(self, client: Any, bucket: str, prefix: str, cache_dir: str | Path) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.cache = Path(cache_dir)
        self.cache.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_config(cls, config: Any) -> S3Storage:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=config.get("LMS_S3_ENDPOINT_URL") or None,
            region_name=config.get("LMS_S3_REGION") or None,
            aws_access_key_id=config.get("LMS_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("LMS_S3_SECRET_ACCESS_KEY") or None,
        )
        cache = config.get("LMS_S3_CACHE_DIR") or os.path.join(config["LMS_STORAGE_DIR"], "s3-cache")
        return cls(client, config["LMS_S3_BUCKET"], config.get("LMS_S3_PREFIX") or "", cache)

    def key(self, sha256: str) -> str:
        check_digest(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put_file(self, source: Path, known: tuple[str, int] | None = None, *, move: bool = False) -> tuple[str, int]:
        """Upload a file unless its content is already stored; with ``move`` the local file is removed."""
        digest, size = known or hash_file(source)
        try:
            if not self.exists(digest):
                self.client.upload_file(str(source), self.bucket, self.key(digest))
        finally:
            if move:
                Path(source).unlink(missing_ok=True)
        return digest, size

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        tmp, digest, size = spool(stream, self.temp_dir())
        return self.put_file(tmp, (digest, size), move=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]

    def path(self, sha256: str) -> Path:
        """A local copy of the blob (downloaded once into the cache, atomically) for sendfile and Range."""
        target = self.cache / sha256[:2] / sha256[2:4] / check_digest(sha256)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".dl-")
        os.close(fd)
        try:
            self.client.download_file(self.bucket, self.key(sha256), tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return target

    def temp_dir(self) -> Path:
        folder = self.cache / ".tmp"
        folder.mkdir(exist_ok=True)
        return folder
