"""Private PostgreSQL databases for a test session or a benchmark run (``tests/conftest.py``, ``bench/``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def make_database(base_url: str, prefix: str = "lms_test", *, durable: bool = True) -> tuple[str, Callable[[], None]]:
    """Create an empty database on the server of ``base_url``; return its URL and a function that drops it.

    ``durable=False`` (the test suite's databases) sets ``synchronous_commit = off`` on the database: a
    commit returns before its WAL reaches the disk. Nothing else changes (a crash could lose the last
    commits, never corrupt); the suite's PostgreSQL half was waiting on fsync. Benchmarks keep the
    default, the production setting."""
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        if not durable:
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def backend_pids(url: str) -> list[int]:
    """The process ids of the PostgreSQL backends connected to ``url``'s database (for CPU accounting)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :n"),
                                     {"n": parsed.database}))
    finally:
        admin.dispose()
