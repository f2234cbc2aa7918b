"""Pooled connections are checked with a round trip only after they sat idle (no pre-ping per request)."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from lms.core.db import ping_idle_connections


def _engine(tmp_path, after: float):
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}", poolclass=QueuePool, pool_size=1)
    ping_idle_connections(engine, after)
    return engine


def test_a_busy_connection_is_not_pinged(tmp_path, monkeypatch):
    engine = _engine(tmp_path, after=60)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(tmp_path, monkeypatch):
    engine = _engine(tmp_path, after=0)
    with engine.connect() as conn:
        first = conn.connection.driver_connection
    calls = []

    def dead_once(dbapi_connection):
        calls.append(dbapi_connection)
        if len(calls) == 1:
            raise OSError("server closed the connection")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", dead_once)
    with engine.connect() as conn:  # the idle connection fails its ping: a new one is used
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.driver_connection is not first
    assert calls[0] is first
