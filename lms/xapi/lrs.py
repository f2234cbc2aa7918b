"""A small client of the configured LRS (``LMS_XAPI_ENDPOINT`` with the LMS's own credentials), used by
the cmi5 launch (the ``LMS.LaunchData`` State document) and the cmi5 LRS proxy."""

from __future__ import annotations

from typing import Any

import requests
from flask import current_app

from lms.core.errors import UserError

VERSION = "1.0.3"
TIMEOUT = 10


def endpoint() -> str:
    url = current_app.config.get("LMS_XAPI_ENDPOINT")
    if not url:
        raise UserError("Chưa cấu hình kho dữ liệu học tập (LMS_XAPI_ENDPOINT): không thể mở bài cmi5.",
                        "No LRS is configured (LMS_XAPI_ENDPOINT): cmi5 lessons cannot be opened.",
                        status=503, code="lrs_missing")
    return url.rstrip("/")


def call(method: str, resource: str, *, params: dict[str, Any] | None = None, data: bytes | None = None,
         json: Any = None, content_type: str | None = None) -> requests.Response:
    """``method`` on ``{endpoint}/{resource}`` with the LMS's credentials and the xAPI version header.
    A network failure is a 502 :class:`UserError`."""
    config = current_app.config
    user = config.get("LMS_XAPI_USERNAME")
    headers = {"X-Experience-API-Version": VERSION}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        return requests.request(method, f"{endpoint()}/{resource}", params=params, data=data, json=json,
                                headers=headers, timeout=TIMEOUT,
                                auth=(user, config.get("LMS_XAPI_PASSWORD") or "") if user else None)
    except requests.RequestException as exc:
        raise UserError("Không kết nối được kho dữ liệu học tập (LRS).", f"The LRS cannot be reached: {exc}",
                        status=502, code="lrs_unreachable") from exc
