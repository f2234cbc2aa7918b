"""Transfer: compressed text responses and long-lived caching of fingerprinted static files.

* Flask-Compress compresses text responses (CSS, JavaScript, JSON, XML, SVG) of 500 bytes or more
  with the best encoding the browser accepts (zstd, brotli, gzip); static files are streamed, so they get
  zstd or brotli (``COMPRESS_*`` settings may override). Partial content (206, byte ranges) is sent as is.
  HTML pages are not compressed: they carry the CSRF token next to text an attacker can reflect, which
  compression would leak through the response length (BREACH); pages are small, the static files large.
  A SCORM package's own files (``/c/…`` on the content origin) are compressed, HTML included: they are
  the author's static files — no session, no token, nothing reflected — and a SCO's first page is often
  its largest text file (34 KiB → 7.5 KiB for the shipped ATVSLĐ module; issue 18, slow 3G).
* A file sent whole from disk (static files, the launcher's scripts, package files) to a browser that
  accepts brotli gets it at the best level (11), compressed once per file version and kept in memory
  (:func:`_brotli`, at most :data:`PRECOMPRESS_MAX` bytes per file): scorm-again's 1.2 bundle is 27 KiB
  instead of 33 KiB at the on-the-fly level. Its ETag gets ``:br`` (as Flask-Compress does) and
  conditional requests are answered on it (304).
* ``url_for('static', filename=…)`` adds ``?v=<hash of the file's content>``; a static response whose ``v``
  is the file's current hash is cacheable for a year (``public, max-age=31536000, immutable``); a changed
  file gets a new URL. Without ``v`` (or with a stale one) Flask's default applies (revalidate).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, request
from flask_compress import Compress

STATIC_MAX_AGE = 365 * 24 * 3600
#: what is compressed: Flask-Compress's text types less HTML (BREACH, see the module)
MIMETYPES = ["text/css", "text/plain", "text/xml", "text/javascript", "application/javascript", "application/json",
             "application/manifest+json", "application/xml", "image/svg+xml", "image/x-icon", "font/ttf", "font/otf",
             "application/vnd.ms-fontobject"]
compress = Compress()
#: the package files' compressor: the same types plus HTML (see the module)
package_compress = Compress()
#: the endpoint that serves package files on the content origin (lms.catalog.views)
PACKAGE_ENDPOINTS = frozenset({"content.serve_token"})


#: files up to this size are precompressed (brotli 11) and cached; larger ones use the streaming level
PRECOMPRESS_MAX = 2 * 1024 * 1024
PRECOMPRESS_MIN = 500


@functools.lru_cache(maxsize=64)
def _brotli(path: str, mtime_ns: int, size: int) -> bytes:
    """The file's bytes at brotli's best level (cached per path, modification time and size)."""
    with open(path, "rb") as f:
        return brotli.compress(f.read(), quality=11)


def _precompressed(response: Response, mimetypes: set[str]) -> Response | None:
    """``response`` (a whole file from disk) re-sent as cached brotli-11 bytes; None when it does not apply."""
    wrapped = getattr(response.response, "file", None) if response.direct_passthrough else None
    path = getattr(wrapped, "name", None)
    if (not isinstance(path, str) or response.status_code != 200 or response.mimetype not in mimetypes
            or "Content-Encoding" in response.headers or "br" not in request.accept_encodings):
        return None
    stat = os.stat(path)
    if not PRECOMPRESS_MIN <= stat.st_size <= PRECOMPRESS_MAX:
        return None
    body = _brotli(path, stat.st_mtime_ns, stat.st_size)
    wrapped.close()
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "br"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}:br", weak=weak)
    return response.make_conditional(request)


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
    package_compress.init_app(app)
    package_compress.compress_mimetypes_set = set(app.config["COMPRESS_MIMETYPES"]) | {"text/html"}

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 206:  # a byte range of the file: compressing it would break Content-Range
            return response
        chosen = package_compress if request.endpoint in PACKAGE_ENDPOINTS else compress
        best = _precompressed(response, chosen.compress_mimetypes_set)
        if best is not None:
            return best
        size = None if response.is_streamed else response.content_length
        if size is not None and size < app.config["COMPRESS_MIN_SIZE"]:
            response.vary.add("Accept-Encoding")  # too small to compress (the run-time's commit answers)
            return response
        return chosen.after_request(response)

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
