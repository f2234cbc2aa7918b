"""Serving package files: URLs, signed tokens for a separate content origin, safe paths, headers.

Two modes:

* same origin (default): ``/content/<version_id>/<path>`` on the LMS, authorised by the session
  cookie and :func:`lms.catalog.services.can_launch`;
* separate origin (``LMS_CONTENT_ORIGIN`` set, e.g. ``http://127.0.0.1:5001`` while the LMS is
  ``http://localhost:5000``): ``<origin>/c/<token>/<path>`` where the token is a signed, expiring
  ``{v: version_id, u: user_id, a: attempt_id}``. That origin serves nothing but ``/c/…``, the LMS
  origin then answers ``/content/…`` with 404, and the session cookie (host-only, no ``Domain``) is
  never sent to the content origin, so a package there cannot act as the user.
"""

from __future__ import annotations

import mimetypes
import posixpath
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.catalog.models import PackageVersion

#: lifetime of a content token (a long study session); the player issues a new one at each launch
TOKEN_MAX_AGE = 12 * 3600
_SALT = "lms.catalog.content"

#: MIME types by extension; the system's table is only a fallback (it lacks several of these)
MIME_TYPES: dict[str, str] = {
    ".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml",
    ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
    ".json": "application/json", ".xml": "application/xml", ".xsd": "application/xml",
    ".txt": "text/plain", ".csv": "text/csv", ".vtt": "text/vtt", ".srt": "text/plain",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".bmp": "image/bmp",
    ".avif": "image/avif",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".ogg": "audio/ogg", ".oga": "audio/ogg",
    ".aac": "audio/aac", ".weba": "audio/webm",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf", ".swf": "application/x-shockwave-flash", ".wasm": "application/wasm",
    ".zip": "application/zip", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

#: CSP for package files served on the LMS origin: the package runs its own scripts (authoring tools
#: need inline code and eval), may load media and fonts from the web, but cannot be framed by other
#: sites, post forms elsewhere, or embed plugins.
LMS_ORIGIN_CSP = (
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
    "img-src 'self' data: blob: https:; media-src 'self' data: blob: https:; font-src 'self' data: https:; "
    "style-src 'self' 'unsafe-inline' https:; frame-src 'self' https:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'self'"
)

#: CSP on the separate content origin: it holds no session, so the package may do what it likes there,
#: except plugins and re-basing.
CONTENT_ORIGIN_CSP = "object-src 'none'; base-uri 'self'"


def mime_type(path: str) -> str:
    """The MIME type of a package path by its extension (``application/octet-stream`` when unknown)."""
    ext = posixpath.splitext(path)[1].lower()
    return MIME_TYPES.get(ext) or mimetypes.guess_type(path, strict=False)[0] or "application/octet-stream"


def clean_path(path: str) -> str | None:
    """A package path as stored (NFC, "/"-separated, relative), or None for anything that could escape:
    ``..`` or ``.`` segments, absolute paths, backslashes, NUL or other control characters, empty."""
    if not path or "\\" in path or path.startswith("/") or any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        return None
    return unicodedata.normalize("NFC", path)


def content_origin() -> str | None:
    """``LMS_CONTENT_ORIGIN`` without a trailing slash, or None in same-origin mode."""
    origin = current_app.config.get("LMS_CONTENT_ORIGIN")
    return origin.rstrip("/") if origin else None


def is_content_host() -> bool:
    """True when the current request came in on the separate content origin."""
    origin = content_origin()
    return bool(origin) and request.host.lower() == (urlsplit(origin).netloc or "").lower()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(version_id: int, user_id: int, attempt_id: int | None = None) -> str:
    """A signed token granting ``user_id`` the files of ``version_id`` (for ``attempt_id``)."""
    return _serializer().dumps({"v": version_id, "u": user_id, "a": attempt_id})


def read_token(token: str, max_age: int | None = None) -> dict[str, Any] | None:
    """The token's claims ``{v, u, a}``, or None when it is forged, tampered with or expired."""
    try:
        claims = _serializer().loads(token, max_age=max_age or current_app.config.get(
            "LMS_CONTENT_TOKEN_MAX_AGE", TOKEN_MAX_AGE))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("v"), int) or not isinstance(claims.get("u"), int):
        return None
    return claims


def content_url(version: PackageVersion, path: str, *, user_id: int, attempt_id: int | None = None) -> str:
    """The URL the browser loads ``path`` of ``version`` from (a query string in ``path`` is kept)."""
    file_part, sep, query = path.partition("?")
    quoted = quote(file_part, safe="/") + (sep + query if sep else "")
    origin = content_origin()
    if origin:
        return f"{origin}/c/{make_token(version.id, user_id, attempt_id)}/{quoted}"
    root = request.script_root if has_request_context() else ""
    return f"{root}/content/{version.id}/{quoted}"
