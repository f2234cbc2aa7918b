"""Serving package files: the content origin, signed tokens, safe paths, headers.

Package files are always served from an origin other than the LMS's (issue #16): a package's scripts
run there, where the LMS session cookie (host-only, no ``Domain``) is never sent, so a package cannot
act as whoever views it. The content origin is

* ``LMS_CONTENT_ORIGIN`` when set (production: a separate host name, e.g. ``https://content.lms.example``);
* otherwise derived from the LMS's own address: ``content.<host>:<port>`` for an LMS reached by a name
  (wildcard DNS needed), which keeps the two origins on one *site* — the content frame may then keep its
  offline worker and storage (issue #22). ``make demo`` serves ``http://lms.localhost:5000`` →
  ``http://content.lms.localhost:5000``: browsers resolve ``*.localhost`` to the loopback interface with
  no hosts-file edit, so the same server answers, told apart by the ``Host`` header. A bare loopback
  name (``127.0.0.1``, ``localhost``) gets ``content.localhost:<port>``, another site (lessons play,
  offline downloads are refused by the browser). An LMS reached by a bare IP address other than loopback
  cannot derive one: the player then refuses to launch until the setting is made.

The content origin serves ``<origin>/c/<token>/<path>`` (the token a signed, expiring
``{v: version_id, u: user_id, a: attempt_id}``) and the launcher (``/c/_lms/…``), nothing else; the LMS
origin then answers ``/content/…`` and ``/c/…`` with 404.

``LMS_UNSAFE_SAME_ORIGIN_CONTENT=1`` alone brings back same-origin serving (``/content/<version>/<path>``
on the LMS, authorised by the session cookie): packages then run as their viewer. Admin pages warn
about it (see docs/security.md, "Content isolation").
"""

from __future__ import annotations

import ipaddress
import mimetypes
import posixpath
import unicodedata
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.catalog.models import PackageVersion
from lms.core.errors import UserError

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

#: CSP on the separate content origin: it holds no session, so the package may do what it likes there
#: (inline code, eval, scripts and media from other hosts), except plugins and re-basing.
CONTENT_ORIGIN_CSP = "object-src 'none'; base-uri 'self'"



def launcher_csp(lms_origin: str) -> str:
    """The launcher's policy: its own scripts only, the SCO from its own origin, framed by the LMS page, and
    a connection to the LMS only for the page-close commit beacon (lms.player.commit_beacon)."""
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"connect-src 'self' {lms_origin}; "
            "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors {lms_origin}")


#: the host-name label the derived content origin puts in front of the LMS's host name
CONTENT_LABEL = "content."
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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


def same_origin_unsafe() -> bool:
    """True when ``LMS_UNSAFE_SAME_ORIGIN_CONTENT`` asks for package files on the LMS's own origin."""
    return bool(current_app.config.get("LMS_UNSAFE_SAME_ORIGIN_CONTENT"))


def derive_origin(lms_url: str) -> str | None:
    """The content origin for an LMS at ``lms_url`` (scheme and port kept), or None for a bare IP.

    Bare loopback names become ``content.localhost`` (another *site*: no offline study there); a DNS name
    ``h``, ``lms.localhost`` included, becomes ``content.h``, a subdomain of the same site."""
    parts = urlsplit(lms_url)
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK or host == "content.localhost":
        name = "content.localhost"
    elif not host or _is_ip(host):
        return None
    else:
        name = CONTENT_LABEL + host
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{name}{port}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def content_origin() -> str | None:
    """The origin serving package files (no trailing slash); None in the unsafe same-origin mode, or
    when none is configured and none can be derived (an LMS reached by a bare IP address: then
    :func:`required_origin` refuses to build content URLs)."""
    if same_origin_unsafe():
        return None
    origin = current_app.config.get("LMS_CONTENT_ORIGIN")
    if origin:
        return origin.rstrip("/")
    base = request.host_url if has_request_context() else current_app.config.get("LMS_BASE_URL", "")
    return derive_origin(base)


def required_origin() -> str | None:
    """:func:`content_origin`, None only in the unsafe same-origin mode; 503 (:class:`UserError`) when
    package files would otherwise have to come from the LMS's own origin."""
    origin = content_origin()
    if origin is None and not same_origin_unsafe():
        raise UserError("Máy chủ chưa cấu hình nguồn nội dung riêng (LMS_CONTENT_ORIGIN): không thể mở bài học "
                        "an toàn. Hãy báo quản trị viên.",
                        "No separate content origin is configured (LMS_CONTENT_ORIGIN): lessons cannot be opened "
                        "safely. Tell the administrator.", status=503, code="content_origin")
    return origin


def is_content_host(host: str | None = None) -> bool:
    """True when the current request (or one for ``host``: the lean commit path's, lms.player.commit_lean)
    came in on the content origin (never in the unsafe mode)."""
    if same_origin_unsafe():
        return False
    host = (request.host if host is None else host).lower()
    configured = current_app.config.get("LMS_CONTENT_ORIGIN")
    if configured:
        return host == (urlsplit(configured).netloc or "").lower()
    return host.startswith(CONTENT_LABEL)


def lms_origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL with no path beyond "/", else None (the launcher's ``lms``)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"} \
            or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def launcher_url(version: str) -> str:
    """The launcher page (run-time + SCO frame) for SCORM ``version`` ("1.2"/"2004"): on the content
    origin, or on the LMS in the unsafe same-origin mode. The player page appends ``&lms=<its origin>``."""
    origin = required_origin()
    root = request.script_root if has_request_context() else ""
    return f"{origin or root}/c/_lms/launcher?{urlencode({'v': '1.2' if version == '1.2' else '2004'})}"


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
    origin = required_origin()
    if origin:
        return f"{origin}/c/{make_token(version.id, user_id, attempt_id)}/{quoted}"
    root = request.script_root if has_request_context() else ""
    return f"{root}/content/{version.id}/{quoted}"
