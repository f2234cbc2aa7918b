"""The content demo step publishes every shipped module once."""

from sqlalchemy import func, select

from lms.catalog.models import Module, PackageVersion
from lms.content.demo import seed_modules
from lms.core.db import db


def test_demo_publishes_each_shipped_module_once(app):
    lines: list[str] = []
    seed_modules(lines.append)
    db.session.commit()
    modules = db.session.scalars(select(Module).order_by(Module.code)).all()
    assert [m.code for m in modules] == ["ATVSLD", "DTDC", "LCD2024", "TCCD"]
    assert all(m.published_version is not None for m in modules)
    assert {m.published_version.scorm_version for m in modules} == {"2004-4th"}
    assert {m.topic for m in modules} == {"osh", "democracy", "union_law", "finance"}
    assert len(lines) == 4

    seed_modules(lines.append)  # again: nothing new
    db.session.commit()
    assert db.session.scalar(select(func.count(PackageVersion.id))) == 4
    assert len(lines) == 4
