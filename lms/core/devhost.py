"""Development only: a browser opening the demo by a bare loopback address goes to its named address.

``make demo`` serves ``LMS_BASE_URL=http://lms.localhost:5000`` so that package files come from
``content.lms.localhost``, the same site (lms.catalog.content; offline study needs it, issue #22). Flask's
own banner still prints ``Running on http://127.0.0.1:5000``: a page opened there would play lessons from
``content.localhost``, another site, where the browser refuses the offline download. With
``LMS_ENV=development`` a browser's page navigation (``Sec-Fetch-Mode: navigate``, GET) to a bare loopback
host on the same port is redirected to ``LMS_BASE_URL``; nothing else (API calls, forms, other hosts,
production) is touched.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, redirect, request

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def init_app(app: Flask) -> None:
    if app.config.get("LMS_ENV") != "development":
        return
    base = urlsplit(str(app.config.get("LMS_BASE_URL") or ""))
    if not (base.hostname or "").endswith(".localhost"):
        return

    @app.before_request
    def _to_the_demo_address():
        if request.method != "GET" or request.headers.get("Sec-Fetch-Mode") != "navigate":
            return None
        here = urlsplit(request.host_url)
        if (here.hostname or "") not in _LOOPBACK or here.port != base.port:
            return None
        return redirect(f"{base.scheme}://{base.netloc}{request.full_path.rstrip('?')}", code=302)
