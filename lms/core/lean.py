"""Lean paths: a few hot JSON endpoints answered in front of Flask's per-request machinery.

The run-time commit is most of the LMS's traffic, and on its common case — a logged-in learner's page
storing a bookmark — Flask's request context, URL matching, ``before_request`` hooks, response hooks,
session save and ``jsonify`` cost as much CPU as the commit itself (docs/benchmarks.md). A feature
registers a handler for one method and path pattern with :func:`route`; a WSGI dispatcher in front of
the app (inside ``ProxyFix``) gives matching requests to it, inside an app context, and answers what it
answers; everything else, and every request the handler declines (returns None) or fails on, goes to
Flask unchanged — with the body it read put back.

What the lean path answers, it answers exactly as Flask would — the conditions under which that holds
are checked here, and anything else falls back:

* the session: the same cookie, verified by the app's own session interface
  (:meth:`lms.core.sessions.CachingSessionInterface.session_from_cookie`), holding only the keys of a
  plain login (:data:`PLAIN_SESSION_KEYS`: no XBlock launch session, no forced password change, no
  flashed message, not permanent), so that Flask would neither change nor re-send the cookie, and that
  no ``before_request`` hook would answer instead of the view (the hooks are listed in
  ``tests/lms/test_lean.py``); no cross-site request (the session save differs);
* the CSRF header and the claim: :func:`lms.core.request_checks.verify_csrf` and ``claim_of``, the very
  functions Flask's route calls; a failure falls back (Flask answers the 400 or 401);
* the answer: JSON by the app's own provider, with the headers Flask's response hooks set on a
  small JSON answer (``Vary: Accept-Encoding, Cookie`` and :func:`lms.core.headers.json_header_list`).

``LMS_LEAN_PATHS = False`` turns the dispatcher off (every request goes through Flask).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Flask, Request, current_app
from flask_wtf.csrf import CSRFError
from werkzeug.http import HTTP_STATUS_CODES, parse_cookie

from lms.core.headers import json_header_list
from lms.core.request_checks import Lru, claim_of, csrf_header, https_request, verify_csrf
from lms.core.sessions import CachingSessionInterface

#: what a plain login's session holds (Flask-Login, Flask-WTF, the language choice)
PLAIN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "csrf_token", "lang"})
#: lean answers are smaller (a commit's is < 200 bytes); the lean path runs only while Flask-Compress's
#: minimum size is at least this, so Flask would not compress them either
MAX_ANSWER_BYTES = 400


class Answer(NamedTuple):
    """A handler's answer: HTTP status and the JSON value of the body (smaller than :data:`MAX_ANSWER_BYTES`)."""

    status: int
    body: Any


#: ``handler(request, match, claim)``: the request (Flask's class, not pushed), the path's match, the
#: session's ``(user id, session version)``; None hands the request to Flask
Handler = Callable[[Request, "re.Match[str]", tuple[int, int]], Answer | None]


def route(app: Flask, method: str, pattern: str, handler: Handler) -> None:
    """Answer ``method`` requests whose path matches ``pattern`` (whole) with ``handler`` (see the module)."""
    routes = app.extensions.setdefault("lms_lean_routes", [])
    if not routes:
        app.wsgi_app = app.extensions["lms_lean"] = _Dispatcher(app, app.wsgi_app)  # type: ignore[method-assign]
        for https in (False, True):  # computed now, not in a worker's first lean answer
            json_header_list(app, https)
    routes.append((method, re.compile(pattern), handler))


class _Dispatcher:
    """The WSGI middleware: lean routes first, then the Flask app."""

    def __init__(self, app: Flask, wrapped: Callable) -> None:
        self.app = app
        self.wrapped = wrapped
        #: requests answered on the lean path (tests and the benchmark read it)
        self.answered = 0

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        for wanted, pattern, handler in self.app.extensions["lms_lean_routes"]:
            if wanted == method and (match := pattern.fullmatch(path)) is not None:
                answered = self._answer(environ, handler, match)
                if answered is not None:
                    self.answered += 1
                    start_response(*answered[:2])
                    return [answered[2]]
                break
        return self.wrapped(environ, start_response)

    def _answer(self, environ: dict, handler: Handler, match: re.Match[str]) -> tuple[str, list, bytes] | None:
        app = self.app
        if not app.config.get("LMS_LEAN_PATHS", True):
            return None
        request = app.request_class(environ)
        with app.app_context():
            try:
                claim = session_claim(app, request)
                answer = None if claim is None else handler(request, match, claim)
                return None if answer is None else _response(app, request, answer)
            except Exception:  # noqa: BLE001 - Flask serves it (a commit stored already is then a duplicate)
                app.logger.warning("lean path declined after an error; Flask serves the request", exc_info=True)
                return None


def session_claim(app: Flask, request: Request) -> tuple[int, int] | None:
    """The session's claim when the lean path may answer this request as Flask would (see the module),
    with the CSRF header verified; None otherwise."""
    interface = app.session_interface
    if (not isinstance(interface, CachingSessionInterface) or request.headers.get("Sec-Fetch-Site") == "cross-site"
            or app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST") or app.config.get("SERVER_NAME")
            or app.config.get("TRUSTED_HOSTS") or app.config.get("LMS_NO_AUTOCOMMIT")
            or int(app.config.get("COMPRESS_MIN_SIZE", 500)) < MAX_ANSWER_BYTES):
        return None
    session = interface.session_from_cookie(app, _cookie(request, interface.get_cookie_name(app)))
    if not session or not session.keys() <= PLAIN_SESSION_KEYS:
        return None
    try:
        verify_csrf(app.config, app.secret_key, csrf_header(request.headers),
                    session.get(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    except CSRFError:
        return None
    return claim_of(session)


_COOKIES = Lru(4096)


def _cookie(request: Request, name: str) -> str | None:
    """``request.cookies.get(name)`` — Werkzeug's parser, remembered per ``Cookie`` header (a learner's page
    sends the same one with every commit). The header is read as ``headers.getlist("Cookie")`` reads it
    (every ``HTTP_COOKIE`` key of the environment, in any case), without building each header's name."""
    raw = ";".join(value for key, value in request.environ.items()
                   if key[:5] == "HTTP_" and key[5:].lower() == "cookie")
    key = f"{name}\x00{raw}"
    found = _COOKIES.get(key)
    if found is None:
        found = (parse_cookie(raw).get(name),)
        _COOKIES.put(key, found)
    return found[0]


def json_body(request: Request, limit: int) -> Any:
    """The request's JSON body as Flask's ``get_json(silent=True)`` reads it, when it has a Content-Length
    of at most ``limit`` bytes; None otherwise (nothing read when over the limit or chunked). The body is
    put back in the WSGI environment, so that Flask reads it again if the handler declines."""
    declared = request.environ.get("CONTENT_LENGTH") or ""
    if not (declared.isascii() and declared.isdigit()) or request.environ.get("HTTP_TRANSFER_ENCODING"):
        return None  # chunked, or a length Werkzeug would read as 0 from a terminated stream
    length = int(declared)
    if length > limit or not request.is_json:
        return None
    data = request.environ["wsgi.input"].read(length) if length else b""
    request.environ["wsgi.input"] = io.BytesIO(data)
    if len(data) != length:
        return None  # the client went away: Flask answers as it does
    try:
        return current_app.json.loads(data)  # what get_json(silent=True) calls
    except ValueError:
        return None


def _response(app: Flask, request: Request, answer: Answer) -> tuple[str, list, bytes] | None:
    """Status line, headers and body of ``answer``: the app's JSON provider and the headers of Flask's
    response hooks for a small JSON answer (handlers answer less than :data:`MAX_ANSWER_BYTES`)."""
    body = _json_bytes(app, answer.body)
    headers = [("Content-Type", app.json.mimetype), ("Content-Length", str(len(body))),
               ("Vary", "Accept-Encoding, Cookie"),
               *json_header_list(app, https_request(request.is_secure, request.headers))]
    return f"{answer.status} {HTTP_STATUS_CODES[answer.status]}", headers, body


def _json_bytes(app: Flask, value: Any) -> bytes:
    """The body ``jsonify(value)`` sends (Flask's ``DefaultJSONProvider.response``: compact unless debugging)."""
    provider = app.json
    compact = getattr(provider, "compact", None)
    pretty = (compact is None and app.debug) or compact is False
    text = provider.dumps(value, indent=2) if pretty else provider.dumps(value, separators=(",", ":"))
    return f"{text}\n".encode()
