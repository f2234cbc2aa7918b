"""Sealed values: encrypted and authenticated (Fernet: AES-CBC + HMAC-SHA256) with a key derived from the
server's secret, one key per purpose (a value sealed for one purpose does not open for another).

The key material is ``LMS_API_SECRET_KEY``, else ``SECRET_KEY``: a deployment that rotates the session
key but keeps ``LMS_API_SECRET_KEY`` keeps its stored secrets readable."""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

__all__ = ["Fernet", "InvalidToken", "cipher"]


def cipher(purpose: str) -> Fernet:
    """The cipher for ``purpose`` (e.g. ``lms-api-secrets``), keyed from the application's secret."""
    material = current_app.config.get("LMS_API_SECRET_KEY") or current_app.config["SECRET_KEY"]
    return _cipher(purpose, material)


@functools.lru_cache(maxsize=32)
def _cipher(purpose: str, material: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{material}".encode()).digest()))
