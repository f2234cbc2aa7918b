"""Where a package's launch URLs and scripts point: package paths, the web, or refused schemes.

SCORM CAM (2004 4th ed., 3.4.1.4 ``<resource href>``) expects a launch ``href`` to name a file in the
package, or a URL; a browser, though, runs ``javascript:`` and ``data:`` URLs as code, so any scheme
other than http(s) is refused, as are absolute paths and ``..`` that leave the package. An http(s)
launch (or a scheme-relative ``//host/…``) is accepted with a warning: learners without internet
cannot open it. :func:`script_hosts` lists the hosts that the package's HTML loads ``<script src>``
from, for the same warning at upload.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

from scorm.manifest import Issue, make_issue

LOCAL, EXTERNAL, REFUSED = "local", "external", "refused"
#: HTML files larger than this are not scanned for scripts
MAX_HTML_BYTES = 2 * 1024 * 1024
#: at most this many HTML files are scanned
MAX_HTML_FILES = 200

MESSAGES: dict[str, tuple[str, str]] = {
    "package.launch_refused": (
        "Đường dẫn khởi chạy phải là một tệp trong gói; \"{detail}\" bị từ chối (giao thức hoặc đường dẫn "
        "không được phép, ví dụ javascript:, data:, đường dẫn tuyệt đối hay ../).",
        "A launch URL must be a file in the package; \"{detail}\" is refused (a scheme or path that is not "
        "allowed, e.g. javascript:, data:, an absolute path or ../)."),
    "package.external_scripts": (
        "Gói tải mã JavaScript từ máy chủ bên ngoài: {detail}. Học viên không có Internet sẽ không nhận được "
        "các tệp này và bài học có thể không chạy.",
        "The package loads JavaScript from outside hosts: {detail}. Learners without internet will not get "
        "these files and the lesson may not work."),
}
_SCRIPT_SRC = re.compile(rb"""<script\b[^>]*?\bsrc\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.IGNORECASE)


def issue(code: str, detail: str = "", path: str | None = None) -> Issue:
    """An issue of this module's catalog."""
    return make_issue(code, detail, path, MESSAGES)


def classify(url: str) -> str:
    """:data:`LOCAL` for a path inside the package, :data:`EXTERNAL` for http(s) or ``//host``,
    :data:`REFUSED` for any other scheme (``javascript:``, ``data:``, ``file:``…), ``/abs`` or ``../``."""
    text = url.strip()
    parts = urlsplit(text)  # strips tabs and newlines as browsers do ("java\tscript:" is javascript:)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") or (not scheme and parts.netloc):
        return EXTERNAL if parts.netloc else REFUSED
    if scheme or text.startswith(("/", "\\")) or "\\" in parts.path:
        return REFUSED
    path = posixpath.normpath(unquote(parts.path)) if parts.path else "."
    return REFUSED if path == ".." or path.startswith("../") or path.startswith("/") else LOCAL


def script_hosts(names: Iterable[str], read: Callable[[str], bytes | None]) -> list[str]:
    """Hosts of absolute ``<script src>`` URLs in the HTML files ``names`` (read with ``read``; None skips)."""
    hosts: set[str] = set()
    html = [n for n in names if n.lower().endswith((".html", ".htm", ".xhtml"))][:MAX_HTML_FILES]
    for name in html:
        data = read(name)
        for match in _SCRIPT_SRC.finditer(data or b""):
            host = urlsplit(match.group(1).decode("latin-1")).hostname
            if host:
                hosts.add(host)
    return sorted(hosts)
