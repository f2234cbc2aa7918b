"""LTI 1.3 tables: the platforms an admin registered, our tool keys, the platforms' learners (issuer +
subject), the resource-link launches that wait for a grade, and the short-lived OIDC state/nonce store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import db, utcnow
from lms.org.models import Cadre


class LtiPlatform(db.Model):
    """A platform (Moodle, Canvas, Open edX…) registered by an admin: one issuer + client id."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: shown to learners and in the ledger's source ("LTI <name>")
    name: Mapped[str] = mapped_column(String(255))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    #: the deployment ids the platform may launch with, whitespace separated
    deployment_ids: Mapped[str] = mapped_column(Text, default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    #: the ``aud`` of our client-credentials assertion when the platform wants another than the token URL
    auth_audience: Mapped[str | None] = mapped_column(String(1024))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def deployments(self) -> list[str]:
        return self.deployment_ids.split()


class LtiKey(db.Model):
    """An RSA key of the tool. The newest unretired one signs; every unretired one is published."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    #: the PEM private key, Fernet-encrypted with a key derived from LMS_API_SECRET_KEY / SECRET_KEY
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LtiIdentity(db.Model):
    """A learner of a platform (issuer + subject). Linked to a cadre only by that cadre's account."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("platform_id", "sub", name="uq_lti_identities_platform_sub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255))
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"), index=True)
    #: the account that proved the link (logged in and confirmed); launches log in as it
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    platform: Mapped[LtiPlatform] = relationship()
    cadre: Mapped[Cadre | None] = relationship()


class LtiLaunch(db.Model):
    """A resource-link launch of a module: where its grade goes (AGS) and where its roster is (NRPS)."""

    __tablename__ = "lti_launches"
    __table_args__ = (Index("ix_lti_launches_attempt", "attempt_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("lti_identities.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    context_id: Mapped[str] = mapped_column(String(255), default="")
    context_title: Mapped[str] = mapped_column(String(255), default="")
    resource_link_id: Mapped[str] = mapped_column(String(255), default="")
    lineitem_url: Mapped[str | None] = mapped_column(String(1024))
    ags_scopes: Mapped[str] = mapped_column(Text, default="")
    memberships_url: Mapped[str | None] = mapped_column(String(1024))
    #: none (no line item) / pending / sent / failed
    score_status: Mapped[str] = mapped_column(String(16), default="none")
    score_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()
    identity: Mapped[LtiIdentity] = relationship()


class LtiStoreEntry(db.Model):
    """pylti1p3's launch data storage: OIDC state and nonces, validated launches (deep linking)."""

    __tablename__ = "lti_store"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
