"""User, its roles, and login attempts (for throttling)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import db, utcnow
from lms.core.roles import Role
from lms.org.models import Cadre, OrgUnit


class User(UserMixin, db.Model):
    """Someone who logs in. Managers and admins see the subtree of ``scope_org_unit``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)
    #: argon2id hash
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255))
    #: the unit whose subtree a manager/admin/lecturer may see; None = nothing (admins: whole tree root)
    scope_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: the cadre a learner account studies as
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: bumped on password change; part of the session id so old sessions die
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    #: the password was not chosen by the user (an admin's reset): every page asks for a new one first
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    scope_org_unit: Mapped[OrgUnit | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        """Session id: user id plus session version (a password change logs other sessions out)."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    #: set (not stored) on the user of a session opened by an XBlock launch: learner rights only there
    launch_only = False

    @property
    def roles(self) -> set[Role]:
        """The roles this user holds (only ``learner`` in an XBlock launch session)."""
        if self.launch_only:
            return {Role.learner}
        return {Role(r.role) for r in self.role_rows}

    def set_roles(self, roles: set[Role] | list[Role]) -> None:
        """Replace the user's roles."""
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        have = {Role(r.role) for r in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    def has_role(self, role: Role) -> bool:
        """True when the user holds ``role`` (admins do not implicitly hold others here)."""
        return role in self.roles

    def has_any_role(self, *roles: Role) -> bool:
        """True when the user holds any of ``roles``; admins pass every check."""
        mine = self.roles
        return Role.admin in mine or any(r in mine for r in roles)

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint("role IN ('learner', 'lecturer', 'manager', 'admin')", name="role_valid"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginAttempt(db.Model):
    """A login attempt, kept for throttling (failures per login and per address in a window)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_login_at", "login", "at"), Index("ix_login_attempts_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountToken(db.Model):
    """A one-time secret that lets someone set an account's password: an e-mailed invitation or reset link
    (``invite``, ``reset``) or a printed activation code (``code``). Only its HMAC is stored; it works
    once (``used_at``) and until ``expires_at``; issuing a new one of a kind voids the older ones."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("kind IN ('invite', 'reset', 'code')", name="kind_valid"),
                      Index("ix_account_tokens_user_kind", "user_id", "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    #: HMAC-SHA256 (keyed with the app's secret key) of the secret, hex
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
