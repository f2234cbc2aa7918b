"""pylti1p3's launch data storage in the database (``lti_store``): OIDC state and nonces, validated
launches. No cookie is needed, so a launch works in an iframe whose browser blocks third-party cookies.

A nonce can be checked once: checking it consumes it, so a replayed ``id_token`` is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete, select

from lms.core.db import db, utcnow
from lms.lti.models import LtiStoreEntry

#: lifetime of an entry without an explicit one
DEFAULT_TTL = 3600


class DbLaunchDataStorage(LaunchDataStorage[Any]):
    """Keys and values in ``lti_store`` (flushed; the request's transaction commits them)."""

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def _entry(self, key: str) -> LtiStoreEntry | None:
        entry = db.session.get(LtiStoreEntry, self._prepare_key(key))
        if entry is None or entry.expires_at.replace(tzinfo=entry.expires_at.tzinfo or utcnow().tzinfo) < utcnow():
            return None
        return entry

    def get_value(self, key: str) -> Any:
        entry = self._entry(key)
        return None if entry is None else entry.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = utcnow() + timedelta(seconds=min(exp or DEFAULT_TTL, DEFAULT_TTL))
        db.session.merge(LtiStoreEntry(key=self._prepare_key(key), value=value, expires_at=expires))
        db.session.flush()

    def check_value(self, key: str) -> bool:
        entry = self._entry(key)
        if entry is None:
            return False
        if "-nonce-" in entry.key:  # one use
            db.session.delete(entry)
            db.session.flush()
        return True

    def pop(self, key: str) -> Any:
        """The value and its removal (a chooser's launch is used once)."""
        entry = self._entry(key)
        if entry is None:
            return None
        db.session.delete(entry)
        db.session.flush()
        return entry.value


def purge_expired() -> int:
    """Delete expired entries; returns how many."""
    stale = list(db.session.scalars(select(LtiStoreEntry.key).where(LtiStoreEntry.expires_at < utcnow())))
    if stale:
        db.session.execute(delete(LtiStoreEntry).where(LtiStoreEntry.key.in_(stale)))
    return len(stale)
