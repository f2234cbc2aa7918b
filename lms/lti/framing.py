"""What lets a launch live in the platform's iframe: the platforms' origins in ``frame-ancestors`` (the
content-origin rules of docs/security.md are untouched: only the ancestors widen), and the session
cookie of an LTI launch session sent ``SameSite=None; Secure`` (a cross-site iframe gets no other)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request, session
from sqlalchemy import select

from lms.api.launch_session import FRAMED_ENDPOINTS, FRAMED_PREFIXES
from lms.core.db import db
from lms.core.extensions import LAUNCH_SESSION_KEY
from lms.core.headers import add_frame_ancestors
from lms.core.sessions import CachingSessionInterface
from lms.lti.models import LtiPlatform

#: the tool's pages shown in the platform's iframe
LTI_FRAMED = {"lti.login", "lti.launch", "lti.deep_link", "lti.resume"}


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def platform_origins() -> list[str]:
    """The origins of the active platforms (their issuer and their login page)."""
    rows = db.session.execute(select(LtiPlatform.issuer, LtiPlatform.auth_login_url)
                              .where(LtiPlatform.active.is_(True))).all()
    found = {_origin(url) for row in rows for url in row}
    return sorted(o for o in found if o)


def is_lti_session() -> bool:
    return bool((session.get(LAUNCH_SESSION_KEY) or {}).get("lti"))


def allow_platform_framing(response):
    """Append the platforms' origins to ``frame-ancestors`` on the tool's pages, the shared framed
    pages (player frame, package files) and every page of an LTI launch session."""
    endpoint = request.endpoint or ""
    framed = endpoint in LTI_FRAMED or endpoint in FRAMED_ENDPOINTS or endpoint.startswith(FRAMED_PREFIXES)
    if framed or (request.endpoint and is_lti_session()):
        add_frame_ancestors(response, platform_origins())
    return response


class LtiSessionInterface(CachingSessionInterface):
    """The app's session interface; an LTI launch session's cookie is ``SameSite=None; Secure``."""

    @classmethod
    def wrapping(cls, current: object) -> CachingSessionInterface:
        return cls() if type(current) is CachingSessionInterface else current  # type: ignore[return-value]

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if _in_request() and is_lti_session() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return True if _in_request() and is_lti_session() else super().get_cookie_secure(app)


def _in_request() -> bool:
    from flask import has_request_context  # noqa: PLC0415

    return has_request_context()
