"""Transfer: compressed text responses and long-lived caching of fingerprinted static files.

* Flask-Compress compresses text responses (CSS, JavaScript, JSON, XML, SVG) of 500 bytes or more
  with the best encoding the browser accepts (zstd, brotli, gzip); static files are streamed, so they get
  zstd or brotli (``COMPRESS_*`` settings may override). Partial content (206, byte ranges) is sent as is.
  HTML pages are not compressed: they carry the CSRF token next to text an attacker can reflect, which
  compression would leak through the response length (BREACH); pages are small, the static files large.
* ``url_for('static', filename=…)`` adds ``?v=<hash of the file's content>``; a static response whose ``v``
  is the file's current hash is cacheable for a year (``public, max-age=31536000, immutable``); a changed
  file gets a new URL. Without ``v`` (or with a stale one) Flask's default applies (revalidate).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress

STATIC_MAX_AGE = 365 * 24 * 3600
#: what is compressed: Flask-Compress's text types less HTML (BREACH, see the module)
MIMETYPES = ["text/css", "text/plain", "text/xml", "text/javascript", "application/javascript", "application/json",
             "application/manifest+json", "application/xml", "image/svg+xml", "image/x-icon", "font/ttf", "font/otf",
             "application/vnd.ms-fontobject"]
compress = Compress()


@functools.lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (cached per path, modification time and size)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    """The content hash of a static file; None when it is not a file under ``static_folder``."""
    root = Path(static_folder).resolve()
    path = (root / filename).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def init_app(app: Flask) -> None:
    """Register compression and static fingerprints on ``app``."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_REGISTER", False)  # called below, except for partial content
    compress.init_app(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 206:  # a byte range of the file: compressing it would break Content-Range
            return response
        size = None if response.is_streamed else response.content_length
        if size is not None and size < app.config["COMPRESS_MIN_SIZE"]:
            response.vary.add("Accept-Encoding")  # too small to compress (the run-time's commit answers)
            return response
        return compress.after_request(response)

    @app.url_defaults
    def _static_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values and app.static_folder:
            digest = fingerprint(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        version = request.args.get("v")
        if (request.endpoint == "static" and version and response.status_code == 200 and app.static_folder
                and version == fingerprint(app.static_folder, (request.view_args or {}).get("filename", ""))):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
        return response
