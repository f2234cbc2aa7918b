"""The run-time commit on the lean path (lms.core.lean): the common case of
``POST /player/attempts/<id>/scos/<sco>/commit`` answered without Flask's per-request machinery.

It answers only what the plain commit path stores or judges without the locking path — a logged-in
learner's commit on PostgreSQL, body within the size bound, a valid sequence and an object of elements
(``stored``, ``duplicate``, ``stale``) — by the same functions as the Flask route (``views.commit``):
:func:`lms.core.lean.session_claim` (the session interface, ``verify_csrf``, ``claim_of``),
:func:`lms.player.commits.parse_commit`, :func:`lms.player.commits.apply_plain` (the claim checked in
the statement) and :func:`lms.player.commits.commit_answer`. Everything else — a request on the content
origin, a bad or missing token, no login, an oversize or chunked body, a body that is not a JSON object
of elements, no state row for the claim (401/404), a commit that needs the locking path — is declined
before anything is written, and the Flask route answers it.
"""

from __future__ import annotations

import re

from flask import Flask, Request, current_app

from lms.catalog.content import is_content_host
from lms.core import lean
from lms.player.commits import Commit, apply_plain, commit_answer, parse_commit
from lms.player.rte import max_commit_bytes

#: the Flask route's path (``<int:attempt_id>``, ``<sco_id>``) for plain ASCII identifiers without leading
#: zeros; any other spelling goes to Flask's URL map
PATH = r"/player/attempts/([1-9][0-9]{0,17})/scos/([A-Za-z0-9_.\-]{1,255})/commit"


def init_app(app: Flask) -> None:
    """Answer plain commits on the lean path."""
    lean.route(app, "POST", PATH, commit)


def commit(request: Request, match: re.Match[str], claim: tuple[int, int]) -> lean.Answer | None:
    """The plain commit's answer (as ``views.commit`` gives it), or None: the Flask route answers."""
    if is_content_host(request.host):
        return None
    body = lean.json_body(request, max_commit_bytes(current_app.config.get("LMS_MAX_COMMIT_KB")))
    parsed = parse_commit(body, request.args.get("seq"), request.content_length or 0) if body is not None else None
    if not isinstance(parsed, Commit) or not isinstance(parsed.payload, dict):
        return None
    result = apply_plain(int(match[1]), match[2], parsed, claim)
    return None if result is None else lean.Answer(200, commit_answer(result))
