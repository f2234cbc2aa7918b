"""The LMS pages under their Content-Security-Policy in Chromium: each role opens its main pages (the home
page, every navigation link, the account page, the admin forms) and the browser reports no CSP violation
(a ``securitypolicyviolation`` event or a "Content Security Policy" console message) — so no page relies
on inline script or event-handler attributes that the policy now refuses (issue 16).

The player page (player/play.html, owned by the player) is not opened here: it is covered by the player's
own browser tests.
"""

from __future__ import annotations

import pytest

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from tests.e2e.conftest import login
from tests.lms.catalog.helpers import simple_package

pytestmark = pytest.mark.e2e

#: pages opened beside the navigation links, per login
EXTRA = {
    "admin": ["/account/password", "/admin/users/new", "/admin/consumers/", "/catalog/ATVSLD"],
    "gv.hanoi": ["/account/password", "/catalog/ATVSLD"],
    "ql.hanoi": ["/account/password"],
    "hv.nhung": ["/account/password"],
}

#: recorded in the page before any of its scripts run (Playwright's init scripts are exempt from CSP)
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def catalog(tree, tmp_path):
    """A published module (its page has the upload form's script)."""
    module = create_module("ATVSLD", "An toàn, vệ sinh lao động", topic="osh", hours=4)
    import_package(module, simple_package(tmp_path))
    db.session.commit()
    return tree


def _visit(page, url: str, console: list[str]) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.wait_for_load_state("load")
    found = page.evaluate("window.__csp || []")
    return [f"{url}: {v}" for v in found] + [f"{url}: {c}" for c in console]


@pytest.mark.parametrize("who", ["admin", "gv.hanoi", "ql.hanoi", "hv.nhung"])
def test_main_pages_report_no_csp_violation(live_server, context, catalog, who):
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15000)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    violations = _visit(page, f"{live_server.url}/login", console)
    login(page, live_server, who)
    links = page.eval_on_selector_all("nav a.nav-link, nav a.dropdown-item", "links => links.map(a => a.getAttribute('href'))")
    assert links, who
    for path in ["/", *links, *EXTRA[who]]:
        console.clear()
        violations += _visit(page, f"{live_server.url}{path}", console)
    assert violations == []
    assert page.evaluate("document.querySelector('meta[name=csrf-token]') !== null")


def test_a_blocked_inline_script_is_reported(live_server, context, tree):
    """The listener works: an inline script injected into a page is refused and reported."""
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert "script-src" in page.evaluate("window.__csp[0]")
