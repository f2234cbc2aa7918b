"""Issue 19: shipped examples apply to the cadres they are meant for; a standard matching nobody is
flagged (CLI warning, admin page); a 16-hour in-person OSH class meets the safety officers' requirement."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.core.db import db
from lms.records.services import append_record
from lms.standards import engine, headline, reach, services
from lms.standards.cli import DEFAULTS
from lms.standards.models import Standard
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.helpers import gen_module, status
from tests.lms.standards.test_views import _upload

NOBODY = ('[standard]\ncode = "S-NOBODY"\nname_vi = "Chuẩn không ai"\neffective_from = 2025-01-01\n'
          '[[standard.requirements]]\ncode = "NB-1"\nname_vi = "Một"\napplies_to = { levels = ["CĐCS"] }\n'
          'satisfied_by = [ { hours = 4, topic = "osh", period_months = 12 } ]\n')


def _demo_like_tree():
    """The demo's vocabulary: grassroots unions are "Công đoàn cơ sở"."""
    root = gen_unit("TLD", "Tổng Liên đoàn", "Tổng Liên đoàn")
    prov = gen_unit("HN", "LĐLĐ Hà Nội", "LĐLĐ tỉnh/thành phố", root)
    base = gen_unit("HN-001", "Công đoàn Công ty May", "Công đoàn cơ sở", prov)
    for code, topic in (("ATVSLD", "osh"), ("LCD2024", "union_law"), ("TCCD", "finance"), ("DTDC", "democracy")):
        gen_module(code, topic)
    return prov, base


def _load_defaults():
    for path in sorted(DEFAULTS.iterdir()):
        services.load_file(path, recompute=False)
    engine.recompute()


def test_shipped_examples_apply_to_their_cadres(app):
    prov, base = _demo_like_tree()
    chair = gen_cadre(base, position="chair", is_key=True)
    officer = gen_cadre(prov, position="full_time_officer", employment="full_time")
    atvsv = gen_cadre(base, position="osh_officer")
    gen_cadre(base, position="group_leader")
    _load_defaults()
    figures = {f.code: f for f in headline.headline(prov)}
    assert figures["VD-CHU-CHOT-CS"].applicable == 1 and figures["VD-CHUYEN-TRACH"].applicable == 1
    assert figures["VD-ATVSV"].applicable == 1 and figures[""].applicable == 3
    by_std = {std.code: reach.reach(std) for std in db.session.scalars(select(Standard))}
    assert not any(r.nobody or r.unknown_levels for r in by_std.values())
    assert {s.code for s in headline.standards_in_force() if s.full_time} == {"VD-CHUYEN-TRACH"}
    assert {chair.id, officer.id, atvsv.id} == {r["cadre"].id for r in headline.cadres_not_meeting(prov)[0]}


def test_a_16_hour_osh_class_meets_the_safety_officer_requirement(app):
    """The engine was right: the demo's 16-hour class enrolled no safety officer (its first 12 cadres by id:
    a chair, vice-chairs, members, group leaders). Attended by an ATVSV it meets "4 h of OSH in 24 months"."""
    _prov, base = _demo_like_tree()
    atvsv = gen_cadre(base, position="osh_officer", appointed_on=date(2024, 1, 1))
    _load_defaults()
    req = services.current_version("ATVSV-ATVSLD")
    assert status(atvsv, req).state == "overdue"
    day = engine.today_vn() - timedelta(days=200)
    append_record(atvsv.id, source="in_person", completed_on=day, topic="osh", hours=16)  # a class on the topic
    row = status(atvsv, req)
    assert (row.state, row.satisfied_on, row.valid_until) == ("compliant", day, day.replace(year=day.year + 2))


def test_cli_warns_about_a_standard_matching_nobody(app, runner, tmp_path):
    prov, base = _demo_like_tree()
    gen_cadre(base, position="chair", is_key=True)
    gen_cadre(prov, position="full_time_officer", employment="full_time")
    gen_cadre(base, position="osh_officer")
    db.session.commit()
    path = tmp_path / "nobody.toml"
    path.write_text(NOBODY, encoding="utf-8")
    result = runner.invoke(args=["standards", "load", str(path)])
    assert result.exit_code == 0
    assert "CẢNH BÁO" in result.output and "S-NOBODY" in result.output and "CĐCS" in result.output
    assert "Công đoàn cơ sở" in result.output  # the levels the tree does use
    result = runner.invoke(args=["standards", "load", "--defaults"])
    assert "CẢNH BÁO" not in result.output  # the fixed examples all reach someone


def test_admin_page_flags_a_standard_matching_nobody(app, client, auth, tree):
    """The test tree calls grassroots unions "CĐCS": here a standard naming "Công đoàn cơ sở" matches nobody."""
    auth.login("admin")
    response = _upload(client, "nobody.toml", NOBODY.replace("CĐCS", "Công đoàn cơ sở").encode())
    assert response.status_code == 302
    page = client.get("/standards/admin").get_data(as_text=True)
    assert 'data-unmatched="S-NOBODY"' in page and "không áp dụng cho cán bộ nào" in page
    assert "Cấp không có trong cây tổ chức: Công đoàn cơ sở" in page and "CĐCS" in page
