"""Package-relative URLs: ``xml:base`` resolution and the SCORM CAM item ``parameters`` algorithm."""

from __future__ import annotations

import re
from urllib.parse import urljoin

__all__ = ["add_parameters", "join_url"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _is_absolute(url: str) -> bool:
    return bool(_SCHEME.match(url)) or url.startswith("/")


def _normalize_path(path: str) -> str:
    out: list[str] = []
    parts = path.split("/")
    for i, seg in enumerate(parts):
        last = i == len(parts) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if out and out[-1] not in ("..", ""):
                out.pop()
            elif not out or out[-1] == "..":
                out.append("..")
            if last:
                out.append("")
        elif seg or last or not out:
            out.append(seg)
    return "/".join(out)


def join_url(base: str, ref: str) -> str:
    """Resolve ``ref`` against ``base`` as ``xml:base`` does; a base without a trailing slash is taken as
    a folder (as authoring tools mean it). Query and fragment of ``ref`` are kept untouched."""
    ref = ref.strip()
    if _is_absolute(ref):
        return ref
    base = base.strip()
    if base and not base.endswith("/"):
        base += "/"
    if _SCHEME.match(base):
        return urljoin(base, ref)
    cut = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
    return _normalize_path(base + ref[:cut]) + ref[cut:]


def add_parameters(url: str, parameters: str) -> str:
    """Append item ``parameters`` to a launch ``url`` (the SCORM CAM algorithm)."""
    params = parameters.strip()
    if not params:
        return url
    head, hash_, fragment = url.partition("#")
    if params.startswith("#"):
        return url if hash_ else url + params
    params = params.lstrip("?&")
    if not params:
        return url
    params, _, own_fragment = params.partition("#")
    sep = "&" if "?" in head else "?"
    if head.endswith(("?", "&")):
        sep = ""
    result = head + sep + params
    if hash_:
        return f"{result}#{fragment}"
    return f"{result}#{own_fragment}" if own_fragment else result
