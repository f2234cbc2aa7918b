"""Signed, one-use tickets carried in URLs (no cookie needed in the platform's iframe):

* ``link`` — lets the learner of an unlinked identity link it to the account they are logged in to
  (15 minutes); the link is the proof that the account is theirs.
* ``resume`` — reopens a validated launch in a new window when the browser blocked the iframe's
  cookie (2 minutes, once)."""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.lti.refusals import refusal
from lms.lti.storage import DbLaunchDataStorage

MAX_AGE = {"link": 15 * 60, "resume": 120}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lms-lti-{purpose}")


def issue(purpose: str, target_id: int) -> str:
    """A ticket for ``target_id`` (an identity for ``link``, a launch for ``resume``)."""
    once = secrets.token_urlsafe(16)
    DbLaunchDataStorage().set_value(f"ticket-{once}", target_id, exp=MAX_AGE[purpose])
    return _serializer(purpose).dumps({"id": target_id, "once": once})


def redeem(purpose: str, ticket: str, *, consume: bool = True) -> int:
    """The id the ticket names; refused when forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(ticket, max_age=MAX_AGE[purpose])
    except BadSignature:
        raise refusal("lti_ticket") from None
    storage = DbLaunchDataStorage()
    key = f"ticket-{data.get('once')}"
    stored = storage.pop(key) if consume else storage.get_value(key)
    if stored != data.get("id"):
        raise refusal("lti_ticket")
    return int(stored)
