"""A throw-away PostgreSQL database for one benchmark run (every bench script that needs one uses this).

    from _pg import temp_database
    with temp_database("postgresql://postgres@127.0.0.1:5432/test") as url:
        ...  # url: postgresql+psycopg://…/lms_bench_<random>, dropped afterwards (even on error)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def make_database(base: str, prefix: str = "lms_bench") -> tuple[str, Callable[[], None]]:
    """Create an empty database next to ``base``; return its URL and a function that drops it."""
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@contextlib.contextmanager
def temp_database(base: str, prefix: str = "lms_bench") -> Iterator[str]:
    """:func:`make_database` as a context manager."""
    url, drop = make_database(base, prefix)
    try:
        yield url
    finally:
        drop()


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
