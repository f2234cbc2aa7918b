"""With no standard loaded yet (a fresh install), reminders, the digest and the overdue lists have
nothing to say: they run, send nothing and fail nowhere (issue #20: "no such column: s.cadre_id")."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.core.jobs_models import Job
from lms.reports.models import ReminderLog
from lms.reports.services import today


def test_due_items_are_empty_without_standards(app, tree):
    from lms.reports.reminders import due_items

    assert due_items(today()) == []


def test_reminders_and_digest_commands_send_nothing_without_standards(app, runner, tree):
    tree["hn_manager"].email = "ql.hanoi@example.vn"
    tree["hn_cadre"].email = "nhung@example.vn"
    db.session.commit()
    reminders = runner.invoke(args=["reminders", "send"])
    assert reminders.exit_code == 0, reminders.output
    assert "Đã gửi 0" in reminders.output
    digest = runner.invoke(args=["report", "digest"])
    assert digest.exit_code == 0, digest.output
    assert db.session.scalar(select(ReminderLog)) is None


def test_scheduled_reminders_and_digest_succeed_without_standards(app, tree):
    from lms.core import jobs_rq

    jobs_rq.run_periodic("reminders")
    jobs_rq.run_periodic("digest")
    states = {job.title: (job.state, job.error) for job in db.session.scalars(select(Job))}
    assert states == {"reminders": ("succeeded", None), "digest": ("succeeded", None)}


def test_overdue_list_and_remind_page_without_standards(app, client, auth, tree):
    auth.login("ql.hanoi")
    page = client.get("/reports/units/HN/remind?which=overdue")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    assert client.get("/reports/units/HN/remind?which=due_soon").status_code == 200
    assert client.get("/reports/units/HN/not-meeting?standard=1").status_code == 404  # no such standard
    assert client.get("/reports/units/HN").status_code == 200



def test_status_rows_as_of_a_past_day_without_standards(app, tree):
    """The engine's statement with no requirement in force names its columns, so a caller selecting
    ``s.cadre_id`` from it works (the root of "no such column: s.cadre_id"); it has no rows."""
    from datetime import timedelta

    from sqlalchemy import text

    from lms.standards.engine import ledger_status_rows

    sql, params = ledger_status_rows(tree["hn"], today() - timedelta(days=30))
    rows = db.session.execute(text(f"SELECT s.cadre_id, s.state FROM ({sql}) s"), params).all()
    assert rows == []
