"""An org import (a bulk write of cadres) brings their compliance statuses up to date by one full recompute
job after its commit (issue #20: not inside the import's request); one job however many imports while it waits."""

from datetime import date

from sqlalchemy import select

from lms.core import jobs
from lms.core.db import db
from lms.core.jobs_models import Job
from lms.org.importer import import_file
from lms.org.models import Cadre
from lms.standards.jobs import recompute_all, recompute_status
from tests.lms.org_import_files import CADRE_HEAD, CADRES, UNIT_HEAD, UNITS, write_csv
from tests.lms.standards.helpers import gen_module, standard, status


def _recompute_jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.task == recompute_all.lms_task).order_by(Job.id)))


def test_imported_cadres_get_statuses_and_a_changed_employment_recomputes(app, tmp_path):
    gen_module("M1", "union_law")
    reqs = standard([{"code": "FT", "applies_to": {"employment": ["full_time"]}, "due_days": 365}],
                    today=date(2020, 1, 1), start="2020-01-01")
    import_file(write_csv(tmp_path / "donvi.csv", [UNIT_HEAD, *UNITS]), "donvi.csv")
    db.session.commit()
    import_file(write_csv(tmp_path / "canbo.csv", [CADRE_HEAD, *CADRES]), "canbo.csv")
    db.session.commit()
    full_time = db.session.query(Cadre).filter_by(code="C003").one()  # "Chuyên trách"
    part_time = db.session.query(Cadre).filter_by(code="C001").one()
    [job] = _recompute_jobs()  # two imports, one job: the second came while the first's job was queued
    assert job.state == "queued" and status(full_time, reqs["FT"]) is None and recompute_status().pending
    jobs.drain()  # this job and the trained counts' rebuild
    assert db.session.get(Job, job.id).state == "succeeded"
    assert status(full_time, reqs["FT"]) is not None
    assert status(part_time, reqs["FT"]) is None
    assert not recompute_status().pending and recompute_status().done_at is not None

    rows = [row[:] for row in CADRES]
    rows[0][8] = "Chuyên trách"  # C001 becomes full-time through a re-import
    import_file(write_csv(tmp_path / "canbo2.csv", [CADRE_HEAD, *rows]), "canbo2.csv")
    db.session.commit()
    assert [j.state for j in _recompute_jobs()] == ["succeeded", "queued"]
    jobs.drain()
    assert status(part_time, reqs["FT"]) is not None
