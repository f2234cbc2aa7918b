"""Tasks the job tests run (importable as ``tests.lms.jobs.tasks:<name>``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select

from lms.core.db import db
from lms.core.jobs import JobFailed, JobFile, task
from lms.org.models import OrgUnit
from tests.factories import gen_unit

#: calls per task name (the tests reset it)
CALLS: dict[str, int] = {}


def _count(name: str) -> int:
    CALLS[name] = CALLS.get(name, 0) + 1
    return CALLS[name]


@task
def add_unit(ctx, code: str) -> str:
    """Idempotent: a second run finds the unit and adds nothing."""
    _count("add_unit")
    if db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) is None:
        gen_unit(code)
    ctx.progress(50)
    return f"{db.session.scalar(select(func.count()).select_from(OrgUnit))} đơn vị"


@task
def flaky(ctx, code: str, failures: int) -> str:
    """Writes a unit, then fails ``failures`` times: each failed attempt's unit must be rolled back."""
    gen_unit(code)
    _count("flaky")
    if ctx.attempt <= failures:
        raise ConnectionError("database went away")
    return "ok"


@task
def refuse(ctx, code: str) -> None:
    gen_unit(code)
    _count("refuse")
    raise JobFailed("Tệp nhập có dòng trùng mã.", retry=False)


@task
def make_file(ctx, text: str) -> JobFile:
    fd, name = tempfile.mkstemp(suffix=".csv")
    Path(name).write_text(text, encoding="utf-8")
    return JobFile(Path(name), "bao-cao.csv", "text/csv")


def not_a_task(ctx) -> None:
    _count("not_a_task")
