"""The tool's RSA keys: generated on first use, rotated by ``lms lti rotate-key``, published (public
halves only) at ``/lti/jwks.json`` with their ``kid``. The private halves are stored Fernet-encrypted
with a key derived from ``LMS_API_SECRET_KEY`` (else ``SECRET_KEY``) and never leave the server."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select

from lms.core import sealing
from lms.core.db import db, utcnow
from lms.lti.models import LtiKey

#: keys kept published after a rotation (the new one and the one before it: platforms cache our JWKS)
PUBLISHED = 2


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str
    public_pem: str


def _fernet() -> sealing.Fernet:
    return sealing.cipher("lms-lti-keys")


def create_key() -> LtiKey:
    """A new 2048-bit RSA key (flushed; the caller commits)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kid = secrets.token_urlsafe(12)
    jwk = json.loads(JWK.from_pem(pem).export_public())
    jwk.update(kid=kid, alg="RS256", use="sig")
    key = LtiKey(kid=kid, private_key_encrypted=_fernet().encrypt(pem).decode(), public_jwk=jwk)
    db.session.add(key)
    db.session.flush()
    return key


def _published() -> list[LtiKey]:
    return list(db.session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None))
                                   .order_by(LtiKey.id.desc())))


def current_key() -> ToolKey:
    """The signing key (created on first use)."""
    keys = _published()
    key = keys[0] if keys else create_key()
    pem = _fernet().decrypt(key.private_key_encrypted.encode())
    public = serialization.load_pem_private_key(pem, password=None).public_key()
    public_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ToolKey(key.kid, pem.decode(), public_pem.decode())


def rotate() -> LtiKey:
    """A new signing key; keys older than the previous one are retired (no longer published)."""
    key = create_key()
    for old in _published()[PUBLISHED:]:
        old.retired_at = utcnow()
    db.session.flush()
    return key


def jwks() -> dict:
    """The published keys as a JWK set (public halves only)."""
    return {"keys": [dict(key.public_jwk) for key in _published()]}
