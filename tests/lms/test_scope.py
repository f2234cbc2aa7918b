"""Scope: managers see their subtree only, learners only themselves; outside is 404 on every page.

Every feature adds the pages that show a cadre to ``CADRE_PAGES`` / units to ``UNIT_PAGES`` (a
function of the tree fixture giving a URL), and these tests check each role against each page.
"""

import pytest

from lms.accounts.scope import visible_cadres, visible_units
from lms.core.db import db
from lms.org.services import move_unit

#: name -> function(cadre) -> URL of a page about that cadre
CADRE_PAGES = {
    "cadre profile": lambda c: f"/org/cadres/{c.id}",
    "player attempts of cadre": lambda c: f"/player/cadres/{c.id}/attempts",
    "cadre requirements (standards)": lambda c: f"/standards/cadres/{c.id}",
    "training transcript": lambda c: f"/records/cadres/{c.id}",
    "training transcript xlsx": lambda c: f"/records/cadres/{c.id}/transcript.xlsx",
    "cadre certificates": lambda c: f"/reports/cadres/{c.id}/certificates",
    "quiz results of cadre": lambda c: f"/quiz/cadres/{c.id}",
}
#: name -> function(unit) -> URL of a page about that unit
UNIT_PAGES = {
    "unit page": lambda u: f"/org/units/{u.code}",
    "cadre list of unit": lambda u: f"/org/cadres?unit={u.code}",
    "compliance dashboard": lambda u: f"/standards/?unit={u.code}",
    "compliance cadre list": lambda u: f"/standards/cadres?unit={u.code}",
    "in-person classes of unit": lambda u: f"/records/classes?unit={u.code}",
    "report dashboard": lambda u: f"/reports/units/{u.code}",
    "report compliance export": lambda u: f"/reports/units/{u.code}/compliance.xlsx",
    "report cadre export": lambda u: f"/reports/units/{u.code}/cadres.csv",
    "training plan": lambda u: f"/reports/units/{u.code}/plan",
    "training plan export": lambda u: f"/reports/units/{u.code}/plan.pdf",
    "certificates of unit": lambda u: f"/reports/units/{u.code}/certificates",
    "quiz results of unit": lambda u: f"/quiz/units/{u.code}",
}


@pytest.mark.parametrize("page", CADRE_PAGES)
def test_manager_cannot_see_cadre_of_another_province(client, auth, tree, page):
    auth.login("ql.hanoi")
    assert client.get(CADRE_PAGES[page](tree["hn_cadre"])).status_code == 200
    assert client.get(CADRE_PAGES[page](tree["cb_cadre"])).status_code == 404


@pytest.mark.parametrize("page", UNIT_PAGES)
def test_manager_cannot_see_unit_of_another_province(client, auth, tree, page):
    auth.login("ql.hanoi")
    assert client.get(UNIT_PAGES[page](tree["hn_base"])).status_code == 200
    assert client.get(UNIT_PAGES[page](tree["cb_base"])).status_code == 404
    assert client.get(UNIT_PAGES[page](tree["tld"])).status_code == 404  # not even the parent


@pytest.mark.parametrize("page", CADRE_PAGES)
def test_learner_sees_only_themself(client, auth, tree, page):
    auth.login("hv.nhung")
    assert client.get(CADRE_PAGES[page](tree["hn_cadre"])).status_code == 200
    assert client.get(CADRE_PAGES[page](tree["cb_cadre"])).status_code == 404


@pytest.mark.parametrize("page", UNIT_PAGES)
def test_learner_cannot_browse_units(client, auth, tree, page):
    auth.login("hv.nhung")
    assert client.get(UNIT_PAGES[page](tree["hn_base"])).status_code == 403


@pytest.mark.parametrize("page", [*CADRE_PAGES.keys()])
def test_admin_without_scope_sees_everything(client, auth, tree, page):
    auth.login("admin")
    assert client.get(CADRE_PAGES[page](tree["cb_cadre"])).status_code == 200


def test_cadre_list_shows_only_subtree(client, auth, tree):
    auth.login("ql.caobang")
    body = client.get("/org/cadres").get_data(as_text=True)
    assert "Nông Văn Dũng" in body
    assert "Trần Thị Hồng Nhung" not in body


def test_search_without_diacritics(client, auth, tree):
    auth.login("ql.hanoi")
    body = client.get("/org/cadres?q=hong+nhung").get_data(as_text=True)
    assert "Trần Thị Hồng Nhung" in body


def test_scope_queries(tree):
    hn_codes = {c.code for c in db.session.scalars(visible_cadres(tree["hn_manager"]))}
    assert hn_codes == {"HN0001"}
    assert {u.code for u in db.session.scalars(visible_units(tree["cb_manager"]))} == {"CB", "CB-CDCS-1"}
    assert {c.code for c in db.session.scalars(visible_cadres(tree["hn_learner"]))} == {"HN0001"}
    assert len(db.session.scalars(visible_cadres(tree["admin"])).all()) == 2


def test_moving_a_unit_moves_its_subtree_out_of_scope(tree):
    move_unit(tree["hn_up"], tree["cb"])
    db.session.flush()
    assert {c.code for c in db.session.scalars(visible_cadres(tree["cb_manager"]))} == {"HN0001", "CB0001"}
    assert set(db.session.scalars(visible_cadres(tree["hn_manager"]))) == set()


def test_moving_a_unit_under_its_descendant_is_refused(tree):
    from lms.core.errors import UserError

    with pytest.raises(UserError) as info:
        move_unit(tree["hn"], tree["hn_base"])
    assert info.value.code == "org_cycle"


def test_tree_of_any_depth(tree):
    from tests.factories import gen_cadre, gen_unit

    parent = tree["hn_base"]
    for depth in range(8):  # well past the old four levels
        parent = gen_unit(f"DEEP{depth}", f"Tổ công đoàn {depth}", "Tổ CĐ", parent)
    deep = gen_cadre(parent, "DEEPCADRE")
    assert parent.depth == 11
    assert deep in db.session.scalars(visible_cadres(tree["hn_manager"])).all()
