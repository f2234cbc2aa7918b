"""The XBlock's side of the HTTP conversation with the LMS backend (stdlib only).

``launch_url`` builds the signed, short-lived URL the iframe opens; ``fetch_results`` asks the backend,
server to server and signed, how the learner stands on the module. Results never come from the browser.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from lms_xblock.signing import signed_params

log = logging.getLogger(__name__)

LAUNCH_PATH = "/api/xblock/launch"
RESULTS_PATH = "/api/xblock/results"
#: seconds to wait for the backend before giving up (the learner's page must not hang)
TIMEOUT = 5.0


@dataclass(frozen=True)
class Learner:
    """Who is launching: Open edX's anonymous id, plus email and name when the platform shares them."""

    anonymous_user_id: str
    email: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class Result:
    """The backend's view of one learner on one module."""

    #: "linked", "pending" (waiting for an admin to confirm the cadre) or "unknown" (never launched)
    status: str
    #: 0–1; 1.0 once the module's completion rule is met
    completion: float
    completed: bool
    #: "passed", "failed" or "unknown"
    success: str
    #: 0–1, or None when the module reports no score
    score: float | None
    updated_at: datetime | None
    #: what was graded: "module" (the SCORM package) or "quiz"
    kind: str = "module"


def backend_origin(backend_url: str) -> str:
    """``scheme://host[:port]`` of the backend URL (what postMessage events must come from)."""
    parts = urlsplit(backend_url)
    return f"{parts.scheme}://{parts.netloc}"


def valid_backend_url(backend_url: str) -> bool:
    """True for an absolute http(s) URL without query or fragment."""
    parts = urlsplit(backend_url or "")
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.query and not parts.fragment


def _endpoint(backend_url: str, path: str) -> str:
    return backend_url.rstrip("/") + path


def launch_url(backend_url: str, consumer: str, secret: str, module: str, learner: Learner,
               now: float | None = None, kind: str | None = None) -> str:
    """The signed launch URL for ``learner`` on ``module`` (valid for at most five minutes, once);
    ``kind`` ("module", "quiz", "auto"/None) picks the SCORM package or the module's quiz."""
    params = signed_params(secret, "launch", consumer=consumer, module=module,
                           anonymous_user_id=learner.anonymous_user_id, email=learner.email,
                           full_name=learner.full_name, now=now, kind=_kind(kind))
    return _endpoint(backend_url, LAUNCH_PATH) + "?" + urlencode(params)


def _kind(kind: str | None) -> str | None:
    """The kind to send: None for "auto" (the backend decides; older backends sign without it)."""
    return kind if kind in {"module", "quiz"} else None


def fetch_results(backend_url: str, consumer: str, secret: str, module: str, learner: Learner,
                  kind: str | None = None) -> Result | None:
    """Ask the backend for the learner's result; None when the backend cannot be reached or refuses."""
    params = signed_params(secret, "results", consumer=consumer, module=module,
                           anonymous_user_id=learner.anonymous_user_id, email=learner.email,
                           full_name=learner.full_name, kind=_kind(kind))
    if not valid_backend_url(backend_url):
        return None
    request = urllib.request.Request(  # noqa: S310 - the URL is checked by valid_backend_url
        _endpoint(backend_url, RESULTS_PATH), data=urlencode(params).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("union_lms: results from %s failed: %s", backend_url, exc)
        return None
    return parse_result(body)


def parse_result(body: object) -> Result | None:
    """A :class:`Result` from the backend's JSON (None when it is not shaped as documented)."""
    if not isinstance(body, dict):
        return None
    try:
        score = body.get("score")
        updated = body.get("updated_at")
        return Result(
            status=str(body.get("status", "unknown")),
            completion=min(1.0, max(0.0, float(body.get("completion") or 0))),
            completed=bool(body.get("completed")),
            success=str(body.get("success") or "unknown"),
            score=None if score is None else min(1.0, max(0.0, float(score))),
            updated_at=datetime.fromisoformat(updated) if updated else None,
            kind="quiz" if body.get("kind") == "quiz" else "module",
        )
    except (TypeError, ValueError):
        return None
