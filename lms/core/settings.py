"""Settings from ``LMS_*`` environment variables, with defaults that work on a laptop.

| variable | meaning | default |
|---|---|---|
| ``LMS_DATABASE_URL`` | SQLAlchemy URL | SQLite file ``lms.sqlite3`` in the instance folder |
| ``LMS_SECRET_KEY`` | session signing key | generated once into ``instance/secret_key`` |
| ``LMS_STORAGE_DIR`` | package files (content-addressed) | ``instance/storage`` |
| ``LMS_BASE_URL`` | the LMS's public address, for links built outside a request (QR codes, emails) | ``http://127.0.0.1:5000`` |
| ``LMS_CONTENT_ORIGIN`` | the separate origin serving package files; in production a host name of its own, e.g. ``https://content.lms.example`` (see docs/security.md) | derived: ``content.<host>`` for a named LMS (``make demo``: ``lms.localhost`` → ``content.lms.localhost``, one site), ``content.localhost:<port>`` for a bare loopback address |
| ``LMS_UNSAFE_SAME_ORIGIN_CONTENT`` | serve package files from the LMS's own origin: packages then run as their viewer (admins see a warning) | off |
| ``LMS_REDIS_URL`` | Redis for rate limits and jobs | unset (database used) |
| ``LMS_JOBS_REDIS_URL`` | Redis of the job queue (RQ; ``lms worker``, ``lms scheduler``) | ``LMS_REDIS_URL`` |
| ``LMS_JOBS_EAGER`` | run jobs in-process after the request/command even when Redis is set | off (on when no Redis) |
| ``LMS_JOBS_RETRY_DELAYS`` | seconds before each retry of a failed job, comma-separated | ``10,60,300`` |
| ``LMS_JOBS_QUEUE`` | RQ queue name (several sites on one Redis) | ``lms`` |
| ``LMS_EXPORT_JOB_ROWS`` | exports with more rows than this run as a background job | 5000 |
| ``LMS_UPLOAD_JOB_MB`` | package uploads larger than this are validated and extracted by a background job | 100 |
| ``LMS_STORAGE_BACKEND`` | ``local`` (``LMS_STORAGE_DIR``) or ``s3`` | ``local`` |
| ``LMS_S3_BUCKET`` / ``LMS_S3_PREFIX`` | bucket and key prefix of the blobs (``s3``) | — / empty |
| ``LMS_S3_ENDPOINT_URL`` / ``LMS_S3_REGION`` | S3-compatible endpoint (MinIO, Ceph …) and region | AWS default |
| ``LMS_S3_ACCESS_KEY_ID`` / ``LMS_S3_SECRET_ACCESS_KEY`` | credentials (else boto3's usual chain: env, instance role) | unset |
| ``LMS_S3_CACHE_DIR`` | local read-through cache of blobs served by the content origin | ``<LMS_STORAGE_DIR>/s3-cache`` |
| ``LMS_ENV`` | ``production`` or ``development`` | ``production`` |
| ``LMS_SECURE_COOKIES`` | send cookies only over HTTPS | on unless ``LMS_ENV=development`` |
| ``LMS_MAX_UPLOAD_MB`` | largest accepted upload | 1024 |
| ``LMS_MAX_COMMIT_KB`` | largest SCO commit body, KiB (larger: 413, nothing stored) | 4096 |
| ``LMS_PLAYER_STATE_CACHE`` | SCO state rows a worker process keeps so that a plain commit is one statement (0 = off) | 2048 |
| ``LMS_IMPORT_MAX_MB`` | largest spreadsheet accepted by an importer | 20 |
| ``LMS_IMPORT_MAX_ROWS`` / ``_COLUMNS`` / ``_CELLS`` | caps on one imported sheet's data rows, columns, non-empty cells | 100000 / 50 / 2000000 |
| ``LMS_IMPORT_MAX_UNPACKED_MB`` | most an imported .xlsx may expand to (zip bombs) | 200 |
| ``LMS_DB_PING_AFTER_SECONDS`` | check a pooled connection with a round trip when it was idle this long | 10 |
| ``LMS_TRUSTED_PROXIES`` | reverse proxies in front of the app whose ``X-Forwarded-For``/``-Proto``/``-Host`` are trusted (Werkzeug ``ProxyFix``); 0 = use the socket address | 0 |
| ``LMS_LOGIN_RATE`` | login POSTs allowed per client address (`limits` notation) | ``120 per minute`` |
| ``LMS_LOGIN_MAX_FAILURES`` | failed logins for one account from one client in the window before that pair waits | 5 |
| ``LMS_LOGIN_MAX_FAILURES_PER_IP`` | failed logins from one client (any account) in the window | 50 |
| ``LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT`` | failed logins for one account (all clients) before unknown browsers get a growing delay | 20 |
| ``LMS_LOGIN_WINDOW_SECONDS`` | the throttling window | 900 |
| ``LMS_HSTS_SECONDS`` | ``Strict-Transport-Security`` max-age on HTTPS responses (0 = none) | 31536000 |
| ``LMS_XAPI_ENDPOINT`` | the LRS's xAPI base URL (e.g. ``https://lrs.example/xAPI``); unset = no statements queued (docs/xapi.md) | unset |
| ``LMS_XAPI_USERNAME`` / ``_PASSWORD`` | the LRS's basic-auth credentials (its key and secret) | unset |
| ``LMS_MAIL_*`` | SMTP settings (``HOST``, ``PORT``, ``USER``, ``PASSWORD``, ``FROM``, ``OUTBOX``) | file outbox |
| ``LMS_INVITE_DAYS`` / ``LMS_ACTIVATION_CODE_DAYS`` | validity of an invitation link / a printed activation code, days | 7 / 30 |
| ``LMS_RESET_MINUTES`` | validity of a "forgot password" link, minutes | 60 |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Return ``LMS_SECRET_KEY`` or a key generated once and kept in the instance folder."""
    key = os.environ.get("LMS_SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _jobs_and_storage() -> dict[str, Any]:
    """The job queue's and the blob storage's settings (lms/core/jobs.py, lms/core/storage.py)."""
    env = os.environ.get
    return {
        "LMS_JOBS_REDIS_URL": env("LMS_JOBS_REDIS_URL") or None,
        "LMS_JOBS_EAGER": _flag("LMS_JOBS_EAGER", False),
        "LMS_JOBS_RETRY_DELAYS": env("LMS_JOBS_RETRY_DELAYS") or "10,60,300",
        "LMS_JOBS_QUEUE": env("LMS_JOBS_QUEUE") or "lms",
        "LMS_EXPORT_JOB_ROWS": int(env("LMS_EXPORT_JOB_ROWS", "5000")),
        "LMS_UPLOAD_JOB_MB": float(env("LMS_UPLOAD_JOB_MB", "100")),
        # a quiz's grading job waits while its burst still arrives (lms.assessments.receiving.settle)
        "LMS_QUIZ_GRADING_SETTLE_SECONDS": float(env("LMS_QUIZ_GRADING_SETTLE_SECONDS", "1")),
        "LMS_QUIZ_GRADING_MAX_WAIT_SECONDS": float(env("LMS_QUIZ_GRADING_MAX_WAIT_SECONDS", "10")),
        "LMS_STORAGE_BACKEND": env("LMS_STORAGE_BACKEND") or "local",
        **{name: env(name) or None for name in (
            "LMS_S3_BUCKET", "LMS_S3_PREFIX", "LMS_S3_ENDPOINT_URL", "LMS_S3_REGION",
            "LMS_S3_ACCESS_KEY_ID", "LMS_S3_SECRET_ACCESS_KEY", "LMS_S3_CACHE_DIR")},
    }


def load_settings(instance_path: Path) -> dict[str, Any]:
    """Build the Flask config from the environment. ``instance_path`` must exist."""
    env = os.environ.get("LMS_ENV", "production")
    development = env == "development"
    database_url = os.environ.get("LMS_DATABASE_URL") or f"sqlite:///{instance_path / 'lms.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    secure = _flag("LMS_SECURE_COOKIES", not development)
    max_upload_mb = int(os.environ.get("LMS_MAX_UPLOAD_MB", "1024"))
    return {
        "LMS_ENV": env,
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # no pool_pre_ping (a round trip per request): lms.core.db pings only connections idle this long
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "LMS_DB_PING_AFTER_SECONDS": float(os.environ.get("LMS_DB_PING_AFTER_SECONDS", "10")),
        "LMS_STORAGE_DIR": os.environ.get("LMS_STORAGE_DIR") or str(instance_path / "storage"),
        "LMS_BASE_URL": (os.environ.get("LMS_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "LMS_CONTENT_ORIGIN": os.environ.get("LMS_CONTENT_ORIGIN") or None,
        "LMS_UNSAFE_SAME_ORIGIN_CONTENT": _flag("LMS_UNSAFE_SAME_ORIGIN_CONTENT", False),
        "LMS_REDIS_URL": os.environ.get("LMS_REDIS_URL") or None,
        **_jobs_and_storage(),
        "LMS_XAPI_ENDPOINT": (os.environ.get("LMS_XAPI_ENDPOINT") or "").rstrip("/") or None,
        "LMS_XAPI_USERNAME": os.environ.get("LMS_XAPI_USERNAME") or None,
        "LMS_XAPI_PASSWORD": os.environ.get("LMS_XAPI_PASSWORD") or None,
        "LMS_MAIL_HOST": os.environ.get("LMS_MAIL_HOST") or None,
        "LMS_MAIL_PORT": int(os.environ.get("LMS_MAIL_PORT", "25")),
        "LMS_MAIL_USER": os.environ.get("LMS_MAIL_USER") or None,
        "LMS_MAIL_PASSWORD": os.environ.get("LMS_MAIL_PASSWORD") or None,
        "LMS_MAIL_FROM": os.environ.get("LMS_MAIL_FROM", "lms@localhost"),
        "LMS_MAIL_OUTBOX": os.environ.get("LMS_MAIL_OUTBOX") or str(instance_path / "outbox"),
        "LMS_INVITE_DAYS": int(os.environ.get("LMS_INVITE_DAYS", "7")),
        "LMS_ACTIVATION_CODE_DAYS": int(os.environ.get("LMS_ACTIVATION_CODE_DAYS", "30")),
        "LMS_RESET_MINUTES": int(os.environ.get("LMS_RESET_MINUTES", "60")),
        "MAX_CONTENT_LENGTH": max_upload_mb * 1024 * 1024,
        "LMS_IMPORT_MAX_BYTES": int(os.environ.get("LMS_IMPORT_MAX_MB", "20")) * 1024 * 1024,
        "LMS_MAX_COMMIT_KB": int(os.environ.get("LMS_MAX_COMMIT_KB", "4096")),
        "LMS_IMPORT_MAX_ROWS": int(os.environ.get("LMS_IMPORT_MAX_ROWS", "100000")),
        "LMS_IMPORT_MAX_COLUMNS": int(os.environ.get("LMS_IMPORT_MAX_COLUMNS", "50")),
        "LMS_IMPORT_MAX_CELLS": int(os.environ.get("LMS_IMPORT_MAX_CELLS", "2000000")),
        "LMS_IMPORT_MAX_UNPACKED": int(os.environ.get("LMS_IMPORT_MAX_UNPACKED_MB", "200")) * 1024 * 1024,
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LMS_LOGIN_MAX_FAILURES": int(os.environ.get("LMS_LOGIN_MAX_FAILURES", "5")),
        "LMS_LOGIN_WINDOW_SECONDS": int(os.environ.get("LMS_LOGIN_WINDOW_SECONDS", "900")),
        "LMS_LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LMS_LOGIN_MAX_FAILURES_PER_IP", "50")),
        "LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT": int(os.environ.get("LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT", "20")),
        "LMS_LOGIN_RATE": os.environ.get("LMS_LOGIN_RATE") or "120 per minute",
        "LMS_TRUSTED_PROXIES": int(os.environ.get("LMS_TRUSTED_PROXIES", "0")),
        "LMS_HSTS_SECONDS": int(os.environ.get("LMS_HSTS_SECONDS", str(365 * 24 * 3600))),
        # the login rate (`limits`, lms.accounts.throttle): Redis when configured (shared by the workers), else each process's memory
        "RATELIMIT_STORAGE_URI": os.environ.get("LMS_REDIS_URL") or "memory://",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_KEY_PREFIX": "lms",
    }
