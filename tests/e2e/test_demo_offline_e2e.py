"""Issue #22 in ``make demo``: the demo's own addresses let a learner download a module and play it offline.

The demo served the LMS on http://127.0.0.1:5000 and package files on http://content.localhost:5000 —
two *sites*, so Chromium refused the content frame its service worker and storage and every offline
download failed. The demo now serves http://lms.localhost:<port> (the Makefile's ``DEMO_URL``), and the
content origin derived from it is http://content.lms.localhost:<port>, the same site. Chromium resolves
``*.localhost`` to the loopback interface by itself and counts it as a secure context: this test passes
no ``--host-resolver-rules`` and no insecure-origin switch, and leaves ``LMS_CONTENT_ORIGIN`` unset, as
on a fresh machine.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import _SHARED, CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.e2e.player_pages import attempt_of, publish, sco_frame, state
from tests.e2e.test_offline_e2e import Server, download_module, go_offline, idle, login_remembered, wait_until

pytestmark = pytest.mark.e2e


def demo_host() -> str:
    """The host name ``make demo`` prints and serves (the Makefile's ``DEMO_URL``)."""
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^DEMO_URL \?= (\S+)$", makefile, re.MULTILINE)
    assert found, "the Makefile names the demo's address (DEMO_URL)"
    return urlsplit(found.group(1).replace("$(PORT)", "5000")).hostname


@pytest.fixture
def demo_server(app):
    _require_chromium()
    srv = Server(app)
    srv.url = f"http://{demo_host()}:{srv.port}"
    saved = {k: app.config.get(k) for k in ("LMS_CONTENT_ORIGIN", "LMS_BASE_URL", "LMS_UNSAFE_SAME_ORIGIN_CONTENT")}
    app.config.update(LMS_CONTENT_ORIGIN=None, LMS_BASE_URL=srv.url, LMS_UNSAFE_SAME_ORIGIN_CONTENT=False)
    srv.start()
    yield srv
    srv.stop()
    app.config.update(saved)


def test_make_demo_addresses_download_and_play_offline(app, tree, tmp_path, browser, demo_server):
    server = demo_server
    assert server.url.startswith("http://lms.localhost:")
    publish(tmp_path, "scorm12_single", "DM12")
    ctx = _SHARED["driver"].chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="vi-VN",
        viewport={"width": 390, "height": 800}, service_workers="allow")
    try:
        ctx.set_default_timeout(20000)
        ctx.on("console", lambda m: print("console:", m.type, m.text))
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        login_remembered(page, server)
        attempt_id = download_module(page, server, "DM12")  # fails on cross-site origins: no worker, no storage
        go_offline(ctx, server)
        page.goto(f"{server.url}/player/attempts/{attempt_id}/play")
        frame = sco_frame(page)
        assert frame.url.startswith(f"http://content.lms.localhost:{server.port}/c/")  # the derived origin
        frame.evaluate("() => { sco.set('cmi.core.lesson_status', 'incomplete'); return sco.suspend('demo-2', 'x'); }")
        idle(page)  # queued on the device
        server.start()
        ctx.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        assert wait_until(lambda: (state(attempt_of(tree["hn_cadre"].id), "sco1").cmi or {}).get(
            "cmi.core.lesson_location") == "demo-2", timeout=45), "the offline study never reached the server"
    finally:
        ctx.close()
