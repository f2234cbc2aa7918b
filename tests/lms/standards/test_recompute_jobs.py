"""Issue #20: full compliance recomputes asked for by a change are one background job after the commit, not
work inside the request — an edited standard, a bulk append for many cadres, many cadres changed at once —
coalesced while queued, and failures retried with the previous statuses kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.records import services as records
from lms.standards import editing, engine, hooks
from lms.standards.jobs import recompute_all, recompute_status
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.helpers import gen_module, standard, status


def _jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.task == recompute_all.lms_task).order_by(Job.id)))


@pytest.fixture
def world(app):
    """Two full-time cadres, a requirement for full-time cadres, statuses computed and committed."""
    root = gen_unit("R", "Tổng Liên đoàn", "Tổng Liên đoàn")
    unit = gen_unit("U", "Công đoàn cơ sở", "CĐCS", root)
    cadres = [gen_cadre(unit, f"K{i}", employment="full_time") for i in range(2)]
    module = gen_module("M1", "union_law")
    reqs = standard([{"code": "FT", "applies_to": {"employment": ["full_time"]}, "due_days": 365}],
                    today=date(2020, 1, 1), start="2020-01-01")
    engine.recompute()
    db.session.commit()
    return {"unit": unit, "cadres": cadres, "module": module, "req": reqs["FT"]}


def test_an_edited_standard_is_recomputed_by_one_job_after_the_commit(world):
    std = world["req"].standard
    data = {"name_vi": std.name_vi, "name_en": std.name_en, "description": std.description,
            "target_pct": 50, "effective_from": std.effective_from, "effective_to": None}
    editing.update_standard(std, data)
    editing.update_standard(std, {**data, "target_pct": 60})  # twice in one transaction: one job
    assert jobs.drain() == 0  # nothing runs before the commit
    db.session.commit()
    [job] = _jobs()
    assert job.state == "queued" and recompute_status().pending
    jobs.drain()
    assert db.session.get(Job, job.id).state == "succeeded" and not recompute_status().pending


def test_a_bulk_append_for_many_cadres_queues_the_recompute(world, monkeypatch):
    monkeypatch.setattr(records, "BULK_CADRES", 1)  # "many" = more than one cadre here
    cadre = world["cadres"][0]
    records.append_records_bulk([{"cadre_id": c.id, "source": "import", "module_id": world["module"].id,
                                  "topic": "union_law", "hours": 4, "completed_on": date.today()}
                                 for c in world["cadres"]])
    db.session.commit()
    [job] = _jobs()
    assert job.state == "queued" and status(cadre, world["req"]).state != "compliant"  # not yet: the job does it
    jobs.drain()
    assert status(cadre, world["req"]).state == "compliant"


def test_many_changed_cadres_are_left_to_the_job_and_a_failure_keeps_the_old_statuses(world, monkeypatch):
    monkeypatch.setattr(hooks, "BULK", 1)
    for cadre in world["cadres"]:
        cadre.employment = "part_time"  # the requirement no longer applies to them
    db.session.commit()
    [job] = _jobs()
    assert job.state == "queued" and status(world["cadres"][0], world["req"]) is not None

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(engine, "rebuild_rollup", broken)  # after the statuses were rewritten
    jobs.drain()
    assert (db.session.get(Job, job.id).state, db.session.get(Job, job.id).attempts) == ("failed", 3)
    assert status(world["cadres"][0], world["req"]) is not None  # rolled back: the statuses before
    assert recompute_status().failed
    monkeypatch.undo()
    world["cadres"][0].full_name = "Đổi tên"  # an unwatched change: no recompute asked
    db.session.commit()
    assert len(_jobs()) == 1
