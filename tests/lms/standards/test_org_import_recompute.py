"""An org import (a bulk write of cadres) brings their compliance statuses up to date in the same transaction."""

from datetime import date

from lms.core.db import db
from lms.org.importer import import_file
from lms.org.models import Cadre
from tests.lms.standards.helpers import gen_module, standard, status
from tests.lms.test_org_import import CADRE_HEAD, CADRES, UNIT_HEAD, UNITS, write_csv


def test_imported_cadres_get_statuses_and_a_changed_employment_recomputes(app, tmp_path):
    gen_module("M1", "union_law")
    reqs = standard([{"code": "FT", "applies_to": {"employment": ["full_time"]}, "due_days": 365}],
                    today=date(2020, 1, 1), start="2020-01-01")
    import_file(write_csv(tmp_path / "donvi.csv", [UNIT_HEAD, *UNITS]), "donvi.csv")
    import_file(write_csv(tmp_path / "canbo.csv", [CADRE_HEAD, *CADRES]), "canbo.csv")
    db.session.commit()
    full_time = db.session.query(Cadre).filter_by(code="C003").one()  # "Chuyên trách"
    part_time = db.session.query(Cadre).filter_by(code="C001").one()
    assert status(full_time, reqs["FT"]) is not None
    assert status(part_time, reqs["FT"]) is None

    rows = [row[:] for row in CADRES]
    rows[0][8] = "Chuyên trách"  # C001 becomes full-time through a re-import
    import_file(write_csv(tmp_path / "canbo2.csv", [CADRE_HEAD, *rows]), "canbo2.csv")
    db.session.commit()
    assert status(part_time, reqs["FT"]) is not None
