"""``lms demo``: a realistic, deterministic seed; running it twice changes nothing; each role can log in."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from lms.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from lms.accounts.models import User
from lms.core.db import db
from lms.org.demo import LEVEL_BASE, LEVEL_PROVINCE, LEVEL_SECTOR, build_rows
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.standards import headline
from lms.standards.models import ComplianceStatus, Requirement, Standard


def org_snapshot() -> tuple:
    units = db.session.execute(select(OrgUnit.code, OrgUnit.name, OrgUnit.path).order_by(OrgUnit.code)).all()
    cadres = db.session.execute(select(Cadre.code, Cadre.full_name, Cadre.org_unit_id, Cadre.position,
                                       Cadre.appointed_on, Cadre.updated_at).order_by(Cadre.code)).all()
    users = db.session.execute(select(User.login, User.password_hash).order_by(User.login)).all()
    return tuple(units), tuple(cadres), tuple(users)


def test_demo_twice_is_idempotent_and_realistic(app, runner, client, auth):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    first = org_snapshot()
    records = db.session.scalar(select(func.count(TrainingRecord.id)))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "cán bộ: 2998 (mới 0, cập nhật 0)" in result.output
    assert org_snapshot() == first
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == records
    _assert_compliance_is_a_realistic_mix()
    _assert_examples_apply_to_their_cadres()
    lines = result.output.rstrip().splitlines()
    assert lines[-3].strip().startswith("learner")  # logins printed last, then where to log in
    assert lines[-1] == "Đăng nhập tại / log in at http://127.0.0.1:5000/login"  # LMS_BASE_URL (make demo's)

    levels = Counter(db.session.scalars(select(OrgUnit.level)))
    assert levels[LEVEL_BASE] >= 200 and levels[LEVEL_PROVINCE] >= 3 and levels[LEVEL_SECTOR] >= 1
    provinces = set(db.session.scalars(select(OrgUnit.name).where(OrgUnit.level == LEVEL_PROVINCE)))
    assert {"Liên đoàn Lao động thành phố Hà Nội", "Liên đoàn Lao động tỉnh Cao Bằng"} <= provinces
    assert db.session.scalar(select(func.count(Cadre.id))) >= 2000
    chairs = db.session.scalar(select(func.count(Cadre.id)).join(Cadre.org_unit)
                               .where(OrgUnit.level == LEVEL_BASE, Cadre.position == "chair"))
    assert chairs == levels[LEVEL_BASE]  # every grassroots union has a chair
    assert db.session.scalar(select(func.count(Cadre.id)).where(Cadre.email.is_not(None))) > 500
    assert db.session.scalar(select(func.count(Cadre.id)).where(Cadre.appointed_on >= date(2025, 6, 1))) > 300

    for login, *_rest in DEMO_USERS:
        response = auth.login(login, DEMO_PASSWORD)
        assert response.status_code == 302, login
        assert client.get("/").status_code == 200
        auth.logout()
    manager = db.session.scalar(select(User).where(User.login == "ql.hanoi"))
    assert manager.scope_org_unit.code == "HN"
    learner = db.session.scalar(select(User).where(User.login == "hocvien"))
    assert learner.cadre is not None and learner.full_name == learner.cadre.full_name


def test_demo_rows_are_deterministic_and_plausible():
    units, cadres = build_rows()
    again_units, again_cadres = build_rows()
    assert units == again_units and cadres == again_cadres
    names = [u.name for u in units]
    assert len(names) == len(set(names)) and len({u.code for u in units}) == len(units)
    assert any(n.startswith("Công đoàn Công ty ") for n in names)
    assert any(n.startswith("Công đoàn Trường THCS ") for n in names)
    by_unit = Counter((c.unit, c.position) for c in cadres)
    grassroots = [u.code for u in units if u.level == LEVEL_BASE]
    assert all(by_unit[(code, "chair")] == 1 and 1 <= by_unit[(code, "vice_chair")] <= 2
               and by_unit[(code, "osh_officer")] == 1 for code in grassroots)
    assert all(c.employment == "part_time" for c in cadres if c.unit in set(grassroots))
    assert all(c.is_key == (c.position in ("chair", "vice_chair")) for c in cadres)
    years = Counter(c.appointed_on.year for c in cadres)
    assert set(years) == set(range(2019, 2027))
    assert Counter(c.gender for c in cadres)["female"] > len(cadres) * 0.4


def _assert_compliance_is_a_realistic_mix():
    """Issue 19: every province shows cadres meeting the standard, due soon and overdue (not 0 % everywhere),
    from online modules, quizzes, in-person classes and tracking books."""
    sources = set(db.session.scalars(select(TrainingRecord.source).distinct()))
    assert {"online", "assessment", "in_person", "import"} <= sources
    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.level == LEVEL_PROVINCE)):
        figures = headline.headline(unit)
        overall = figures[0]
        assert overall.met > 0 and overall.overdue > 0 and overall.due_soon > 0, unit.code
        assert 30 < overall.pct < 95, unit.code
        assert all(f.applicable > 0 and f.met > 0 for f in figures), unit.code


def _applies(code: str) -> set[int]:
    return set(db.session.scalars(select(ComplianceStatus.cadre_id).join(Requirement).join(Standard)
                                  .where(Standard.code == code)))


def _assert_examples_apply_to_their_cadres():
    """Each shipped example standard applies to exactly the demo cadres it is meant for (the grassroots
    key officers' standard names the tree's own level, "Công đoàn cơ sở", not "CĐCS")."""
    active = select(Cadre.id).join(Cadre.org_unit).where(Cadre.active)
    assert _applies("VD-CHUYEN-TRACH") == set(db.session.scalars(active.where(Cadre.employment == "full_time")))
    key = set(db.session.scalars(active.where(Cadre.is_key, OrgUnit.level == LEVEL_BASE)))
    assert len(key) > 400 and _applies("VD-CHU-CHOT-CS") == key
    assert _applies("VD-ATVSV") == set(db.session.scalars(active.where(Cadre.position == "osh_officer")))
    for login in ("hocvien", "hv.chuyentrach", "hv.atvsv"):  # learner accounts to whom requirements apply
        user = db.session.scalar(select(User).where(User.login == login))
        assert db.session.scalar(select(func.count()).where(ComplianceStatus.cadre_id == user.cadre_id)) > 0, login
