"""The SQLAlchemy base, the Flask-SQLAlchemy handle and the transaction boundary.

Services only ``flush``; exactly one place per request (``after_request`` here) or per command
(:func:`command_transaction`) commits or rolls back.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, Response, g
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model; constraint names are deterministic for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

M = TypeVar("M")

#: a string column compared byte-wise on every database (materialized paths, codes in range scans)
BinaryString = String(512).with_variant(String(512, collation="C"), "postgresql")


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware (stored naive-UTC on SQLite by SQLAlchemy)."""
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # pragma: no cover - driver hook
    """Turn on foreign keys and WAL on SQLite; a no-op on other databases."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def insert_once(model: type[M], unique: str | tuple[str, ...], values: dict[str, Any]) -> M | None:
    """``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING`` the new ORM object: None when a row with the
    same ``unique`` column(s) exists. One statement, no read first, and safe against a concurrent insert
    of the same value (it waits for the other transaction, then does nothing). PostgreSQL and SQLite alike."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    columns = [unique] if isinstance(unique, str) else list(unique)
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=columns).returning(model)
    return db.session.scalars(statement).first()


def pending() -> bool:
    """Whether this request or command has an open ORM transaction (without creating a session)."""
    return db.session.registry.has() and db.session().in_transaction()


def ping_idle_connections(engine: Engine, after_seconds: float) -> None:
    """Check a pooled connection with a round trip only when it has been idle ``after_seconds`` or more.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one extra round trip per request, the
    largest single cost of the player's commit endpoint. Connections that dropped while in use (a
    database restart) still fail once and make SQLAlchemy invalidate the pool; the ones that sat idle —
    where firewalls, idle timeouts and failovers bite — are checked before use and silently replaced.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection, record) -> None:
        record.info["lms_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, proxy) -> None:
        since = record.info.get("lms_idle_since")
        if since is None or time.monotonic() - since < after_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure means: use another connection
            raise DisconnectionError("idle connection is gone") from exc
        if not alive:
            raise DisconnectionError("idle connection is gone")


def init_app(app: Flask) -> None:
    """Bind the database and install the per-request transaction boundary."""
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_idle_connections(engine, app.config.get("LMS_DB_PING_AFTER_SECONDS", 10.0))

    @app.after_request
    def _commit_or_rollback(response: Response) -> Response:
        if not pending():
            return response  # nothing used the database (or the view already committed)
        keep = response.status_code < 400 or g.get("lms_commit_on_error", False)
        if keep and not app.config.get("LMS_NO_AUTOCOMMIT"):
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()


def commit_even_on_error() -> None:
    """Ask the request boundary to commit although the response is a 4xx (e.g. a failed login is stored)."""
    g.lms_commit_on_error = True


@contextlib.contextmanager
def command_transaction() -> Iterator[None]:
    """The transaction boundary of a CLI command: commit when the block succeeds, else roll back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def listen_once(target: Any, hooks: dict[str, Any]) -> None:
    """Register ``{event name: function}`` on ``target`` (e.g. the Session class) unless already there:
    the features' ``install()`` run once per app, and tests build many apps in one process."""
    for name, fn in hooks.items():
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
