"""Shared fixtures: an app on a fresh database built by the migrations, per test a clean slate.

The database is SQLite (a temporary file) unless ``LMS_TEST_DATABASE_URL`` names PostgreSQL; then a
private database is created on that server for this session (and each xdist worker) and dropped after.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from lms import create_app
from lms.core.db import db
from tests.pgdb import make_database

pytest_plugins = ["tests.factories"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The URL of this session's private test database."""
    base = os.environ.get("LMS_TEST_DATABASE_URL", "")
    if base.startswith("postgres"):
        url, drop = make_database(base, durable=False)  # tests: no fsync wait per commit (tests/pgdb.py)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _compile_translations() -> None:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older (``.mo`` files are git-ignored).

    Written to a temporary file and renamed, so parallel workers never read a half-written catalog.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).resolve().parent.parent / "lms/translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    """One application per session, its schema built from empty by the migrations."""
    _compile_translations()
    instance = tmp_path_factory.mktemp("instance")
    os.environ["LMS_INSTANCE_PATH"] = str(instance)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_STORAGE_DIR": str(instance / "storage"),
        "LMS_MAIL_OUTBOX": str(instance / "outbox"),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": None,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    return app


def _clean(app) -> None:
    """Empty every table (fast enough per test; keeps the schema from the migrations).

    The append-only ledger's triggers are bypassed for the cleaning only (a replica session on
    PostgreSQL; dropped and recreated in the same transaction on SQLite).

    On PostgreSQL a request still running from the previous browser test (a page's last commit sent
    on ``pagehide``) may hold row locks that TRUNCATE must wait for: the wait is bounded, and after a
    timeout or a deadlock such stragglers are ended and the TRUNCATE is tried again.
    """
    with app.app_context():
        existing = set(inspect(db.engine).get_table_names())
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        if db.engine.dialect.name == "postgresql":
            _truncate_postgres(tables)
        else:
            _delete_sqlite(tables)
        db.session.remove()


def _delete_sqlite(tables: list[str]) -> None:
    """DELETE every table; the append-only triggers (the ledger refuses DELETE) are dropped for the
    cleaning and recreated from their own SQL in the same transaction, so every test sees them."""
    triggers = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for name, _sql in triggers:
        db.session.execute(text(f'DROP TRIGGER "{name}"'))
    # modules.published_version_id and package_versions.module_id form a cycle: check at commit
    db.session.execute(text("PRAGMA defer_foreign_keys=ON"))
    for table in tables:
        db.session.execute(text(f'DELETE FROM "{table}"'))
    for _name, sql in triggers:
        db.session.execute(text(sql))
    db.session.commit()


def _truncate_postgres(tables: list[str], attempts: int = 5) -> None:
    statement = text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
    for attempt in range(attempts):
        try:
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            # the ledger refuses TRUNCATE by trigger (migration 0720); triggers do not fire for a replica
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
            db.session.execute(statement)
            db.session.commit()
            return
        except OperationalError:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
            db.session.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"))
            db.session.commit()
            db.session.remove()
            # the killed connections may sit in the pool (a live server's, returned after its request
            # failed): a fresh pool, so that the next test does not check one out (idle < the ping delay)
            db.engine.dispose()
            time.sleep(0.2)


@pytest.fixture
def app(_app):
    """The application with an empty database and an app context pushed for the test."""
    _clean(_app)
    from lms.accounts.throttle import reset_login_rate

    reset_login_rate(_app)  # rate-limit counters (the login's per-client rate) start empty too
    # the player's per-process rows (lms.player.state_cache) were rows of the emptied database: with ids
    # starting again, a kept row of an earlier test would be judged stale — one statement more
    _app.extensions.pop("lms_player_state_cache", None)
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as real requests do.

    The test's own app context (and so its ``g`` and database session) is not shared with the
    request; after each request the test's session is expired so it reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    """A test client (requests isolated from the test's app context)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    """Extract the CSRF token of a rendered page."""
    import re

    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    ) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Log in and out through the real login form (CSRF included)."""

    def __init__(self, client) -> None:
        self._client = client

    def csrf(self, path: str = "/login") -> str:
        return csrf_token_from(self._client.get(path).get_data(as_text=True))

    def login(self, login: str, password: str = "matkhau-123", **extra):
        token = self.csrf("/login")
        return self._client.post("/login", data={"login": login, "password": password, "csrf_token": token, **extra})

    def logout(self):
        token = self.csrf("/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    """Login helper bound to the test client."""
    return AuthActions(client)


def pytest_report_header(config) -> str:
    base = os.environ.get("LMS_TEST_DATABASE_URL", "")
    return f"database: {'PostgreSQL' if base.startswith('postgres') else 'SQLite'}"


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL pass (``LMS_TEST_DATABASE_URL``, scripts/test.sh) runs the tests that use a database;
    the others (the SCORM library, the content checks, pure helpers) ran in the SQLite pass, unchanged by the
    database: deselected here, not skipped."""
    if not os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgres"):
        return
    keep = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    if len(keep) < len(items):
        kept = set(keep)
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = keep
