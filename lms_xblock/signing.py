"""Signed requests between the XBlock and the LMS backend (HMAC-SHA256, stdlib only).

Both sides build the same *canonical string* from a fixed list of parameters and sign it with the
consumer's shared secret. The canonical string is::

    <purpose>\n<name>=<value>&<name>=<value>…

with the names of :data:`SIGNED_FIELDS` in that (alphabetical) order, every value percent-encoded
(RFC 3986, UTF-8, NFC) and absent values written as empty strings, followed by the names of
:data:`OPTIONAL_SIGNED_FIELDS` that have a non-empty value (``&kind=quiz``), so requests of blocks that
do not send them sign exactly as before. ``purpose`` ("launch" or "results")
keeps a signature made for one endpoint from being replayed at the other.

A signed request carries ``timestamp`` (Unix seconds when signed), ``expiry`` (Unix seconds, at most
:data:`MAX_TTL` after ``timestamp``) and a random ``nonce`` used once; the backend refuses anything
expired, from the future, too long-lived, or seen before.

This module is shared by the XBlock and the backend, so it must not import ``lms`` or ``flask``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote

#: the parameters covered by the signature, in canonical order
SIGNED_FIELDS = ("anonymous_user_id", "consumer", "email", "expiry", "full_name", "module", "nonce", "timestamp")
#: parameters signed only when present (appended in this order after SIGNED_FIELDS): ``kind`` is what
#: the block launches, "module" (the SCORM package), "quiz" (the module's quiz) or "auto"
OPTIONAL_SIGNED_FIELDS = ("kind",)
#: the kinds a block may ask for
KINDS = ("auto", "module", "quiz")
#: the longest a signed request may live, seconds (issue: ≤ 5 minutes)
MAX_TTL = 300
#: how far a signer's clock may run ahead of ours, seconds
CLOCK_SKEW = 60
#: purposes a signature can be made for
PURPOSES = ("launch", "results")


def _text(value: object) -> str:
    """A parameter value as NFC text ('' for None)."""
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def canonical_string(purpose: str, params: Mapping[str, object]) -> bytes:
    """The bytes that are signed for ``params`` under ``purpose``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    names = SIGNED_FIELDS + tuple(name for name in OPTIONAL_SIGNED_FIELDS if _text(params.get(name)))
    pairs = "&".join(f"{name}={quote(_text(params.get(name)), safe='')}" for name in names)
    return f"{purpose}\n{pairs}".encode()


def sign(secret: str, purpose: str, params: Mapping[str, object]) -> str:
    """The hex HMAC-SHA256 of the canonical string of ``params`` with ``secret``."""
    return hmac.new(secret.encode(), canonical_string(purpose, params), hashlib.sha256).hexdigest()


def signature_valid(secret: str, purpose: str, params: Mapping[str, object]) -> bool:
    """True when ``params["signature"]`` is the signature of ``params`` (constant-time comparison)."""
    given = _text(params.get("signature"))
    return bool(given) and hmac.compare_digest(sign(secret, purpose, params), given)


def signed_params(secret: str, purpose: str, *, consumer: str, module: str, anonymous_user_id: str,
                  email: str | None = None, full_name: str | None = None, ttl: int = MAX_TTL,
                  now: float | None = None, nonce: str | None = None, kind: str | None = None) -> dict[str, str]:
    """Parameters for one signed request, ``signature`` included (ttl is capped at :data:`MAX_TTL`);
    ``kind`` is sent (and signed) only when given."""
    issued = int(time.time() if now is None else now)
    params = {
        "consumer": _text(consumer), "module": _text(module), "anonymous_user_id": _text(anonymous_user_id),
        "email": _text(email), "full_name": _text(full_name), "timestamp": str(issued),
        "expiry": str(issued + max(1, min(int(ttl), MAX_TTL))), "nonce": nonce or secrets.token_hex(16),
    }
    if kind:
        params["kind"] = _text(kind)
    params["signature"] = sign(secret, purpose, params)
    return params


def time_problem(params: Mapping[str, object], now: float | None = None) -> str | None:
    """Why the time window of ``params`` is unacceptable ("malformed", "future", "too_long",
    "expired"), or None when it is fine."""
    try:
        issued, expiry = int(_text(params.get("timestamp"))), int(_text(params.get("expiry")))
    except ValueError:
        return "malformed"
    current = time.time() if now is None else now
    if issued > current + CLOCK_SKEW:
        return "future"
    if expiry <= issued or expiry - issued > MAX_TTL:
        return "too_long"
    if expiry <= current:
        return "expired"
    return None
