"""Player fixtures: a published module from a test SCO package, a learner to play it."""

from __future__ import annotations

import pytest

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.core.roles import Role
from tests.e2e.sco_fixtures import build_zip
from tests.factories import gen_user


def make_module(tmp_path, fixture: str, code: str, **fields):
    """A module with the test package ``fixture`` imported and published."""
    module = create_module(code, f"Học phần {code}", topic="osh", hours=4, **fields)
    import_package(module, build_zip(fixture, tmp_path))
    db.session.flush()
    return module


@pytest.fixture
def module12(app, tree, tmp_path):
    """A 1.2 single-SCO module (mastery score 80), completion rule "completed"."""
    module = make_module(tmp_path, "scorm12_single", "T12")
    db.session.commit()
    return module


@pytest.fixture
def other_learner(tree):
    """A second learner (Cao Bằng cadre)."""
    user = gen_user("hv.dung", (Role.learner,), cadre=tree["cb_cadre"])
    db.session.commit()
    return user


class QueryCounter:
    """The SQL statements run while active (``statements``), like indico's ``count_queries``."""

    def __init__(self):
        self.statements: list[str] = []
        self.active = False

    def __call__(self):
        return self

    def __enter__(self):
        self.statements = []
        self.active = True
        return self

    def __exit__(self, *exc):
        self.active = False

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: …`` then ``q.count`` / ``q.statements`` (SQL sent to the database)."""
    from sqlalchemy import event

    counter = QueryCounter()
    engine = db.engine

    def listen(conn, cursor, statement, parameters, context, executemany):
        if counter.active:
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    yield counter
    event.remove(engine, "before_cursor_execute", listen)
