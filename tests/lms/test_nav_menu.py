"""The staff menu is grouped by task (people, learning, standards, reports, system); learners' links stay flat."""

from __future__ import annotations

import re


def _groups(html: str) -> dict[str, list[str]]:
    out = {}
    for key, body in re.findall(r'data-nav-group="(\w+)">(.*?)</ul>', html, re.S):
        out[key] = re.findall(r'class="dropdown-item" href="([^"]+)"', body)
    return out


def test_admin_menu_is_grouped(client, auth, tree):
    auth.login("admin")
    html = client.get("/").get_data(as_text=True)
    groups = _groups(html)
    assert list(groups) == ["people", "learning", "standards", "reports", "system"]
    assert groups["standards"] == ["/standards/admin"] and len(groups["people"]) == 4
    flat = re.findall(r'class="nav-link" href="([^"]+)"', html)
    assert "/player/" in flat and not {"/standards/admin", "/admin/users", "/reports/"} & set(flat)


def test_learner_links_stay_flat(client, auth, tree):
    auth.login("hv.nhung")
    html = client.get("/").get_data(as_text=True)
    assert _groups(html) == {}
    assert len(re.findall(r'class="nav-link" href=', html)) >= 3


def test_every_registered_link_is_in_the_menu(app, tree):
    from lms.home import NavGroup, nav_items, nav_menu

    admin = tree["admin"]
    menu = nav_menu(admin)
    shown = [i for e in menu for i in (e.items if isinstance(e, NavGroup) else (e,))]
    assert sorted(i.endpoint for i in shown) == sorted(i.endpoint for i in nav_items(admin))
    assert [e.key for e in menu if isinstance(e, NavGroup)] == [
        k for k in ("people", "learning", "standards", "reports", "system")
        if k in {e.key for e in menu if isinstance(e, NavGroup)}]
