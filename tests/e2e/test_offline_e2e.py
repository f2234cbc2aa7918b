"""Offline study in Chromium (issue #22, docs/offline.md): download a module, lose the connection, reload,
study it through, close the browser, reopen while still offline, reconnect — the state and completion
reach the server and the training record appears; logout clears what was downloaded.

"Offline" is Playwright's ``context.set_offline(True)`` *and* the server stopped: Playwright's offline
mode does not reach service workers (microsoft/playwright#2311), whose fetches must fail too. The
persistent context (a profile folder) keeps Cache Storage and IndexedDB across the browser's close.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from sqlalchemy import select

from lms.records.models import TrainingRecord
from tests.e2e.conftest import _SHARED, CHROMIUM, CHROMIUM_ARGS, _require_chromium
from tests.e2e.player_pages import attempt_of, publish, sco_frame, state
from tests.net import free_port

LMS_HOST = "lms.example.com"
CONTENT_HOST = "content.lms.example.com"


def same_site_args(port: int) -> list[str]:
    """The production layout (docs/security.md): the content origin a subdomain of the LMS's, so the two are
    same-site and the content frame may register its worker (Chromium refuses a worker to a cross-site
    frame when third-party storage is blocked: 127.0.0.1 vs content.localhost is cross-site). Both names
    resolve to the test server; plain HTTP counts as secure for them (a testing switch of Chromium)."""
    origins = f"http://{LMS_HOST}:{port},http://{CONTENT_HOST}:{port}"
    return [f"--host-resolver-rules=MAP {LMS_HOST} 127.0.0.1, MAP {CONTENT_HOST} 127.0.0.1",
            f"--unsafely-treat-insecure-origin-as-secure={origins}"]


class Server:
    """The app on 127.0.0.1:<port> (content origin content.localhost:<port>) that can go away and come back
    on the same port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app, self.make = app, make_server
        self.port = free_port()
        self.url = f"http://{LMS_HOST}:{self.port}"
        self.server = None

    def start(self):
        import threading

        self.server = self.make("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None


@pytest.fixture
def server(app):
    _require_chromium()
    srv = Server(app)
    previous = app.config.get("LMS_CONTENT_ORIGIN")
    app.config["LMS_CONTENT_ORIGIN"] = f"http://{CONTENT_HOST}:{srv.port}"
    srv.start()
    yield srv
    srv.stop()
    app.config["LMS_CONTENT_ORIGIN"] = previous


@pytest.fixture
def profile(browser, tmp_path, server):
    """Open (and reopen) a persistent Chromium profile in ``tmp_path``."""
    opened = []

    def open_(name="profile"):
        ctx = _SHARED["driver"].chromium.launch_persistent_context(
            str(tmp_path / name), executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *same_site_args(server.port)], locale="vi-VN",
            viewport={"width": 390, "height": 800}, service_workers="allow")
        ctx.set_default_timeout(20000)
        ctx.on("console", lambda m: print("console:", m.type, m.text))
        ctx.on("weberror", lambda e: print("weberror:", e.error))
        opened.append(ctx)
        return ctx

    yield open_
    for ctx in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            ctx.close()


def go_offline(ctx, server):
    ctx.set_offline(True)
    server.stop()


def go_online(ctx, server):
    server.start()
    ctx.set_offline(False)


def login_remembered(page, server):
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", "hv.nhung")
    page.fill("input[name=password]", "matkhau-123")
    page.check("input[name=remember]")
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def poll(page, script, timeout=20):
    """Wait until ``script`` (a function) is truthy in the page (wait_for_function's polling evaluates a
    string, which the LMS's CSP forbids)."""
    until = time.time() + timeout
    while time.time() < until:
        if page.evaluate(script):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


def controlled(page):
    poll(page, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")


def idle(page):
    assert page.evaluate("window.lmsPlayer.whenIdle(10000)") is True


def wait_until(check, timeout=30):
    until = time.time() + timeout
    while time.time() < until:
        if check():
            return True
        time.sleep(0.25)
    return False


def test_download_study_offline_close_reopen_and_sync(app, tree, tmp_path, server, profile):
    publish(tmp_path, "scorm12_single", "OF12")
    ctx = profile()
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    login_remembered(page, server)
    page.goto(f"{server.url}/player/")
    page.click('[data-module="OF12"] button[type=submit]')  # the attempt is opened online once
    page.wait_for_url("**/attempts/*/play**")
    attempt_id = int(page.url.split("/attempts/")[1].split("/")[0])
    leave_open(sco_frame(page))
    page.goto(f"{server.url}/player/")
    controlled(page)

    # download: the size first, then the files
    page.click('[data-offline="OF12"] [data-offline-action="plan"]')
    note = page.locator('[data-offline="OF12"] .offline-note')
    note.filter(has_text="Cần").wait_for()
    assert note.inner_text() == "Cần 6 KB (3 tệp)."  # the package: imsmanifest.xml, index.html, sco.js
    page.click('[data-offline="OF12"] [data-offline-action="download"]')
    try:
        page.locator('[data-offline="OF12"] [data-offline-action="remove"]').wait_for(timeout=30000)
    finally:
        print("download note:", note.inner_text())
    assert "Đã tải về" in note.inner_text()

    # offline: reload the player from the device and study
    go_offline(ctx, server)
    page.goto(f"{server.url}/player/attempts/{attempt_id}/play")
    frame = sco_frame(page)
    assert frame.url.startswith(f"http://{CONTENT_HOST}:{server.port}/c/")
    frame.evaluate("() => { sco.set('cmi.core.lesson_status', 'incomplete'); return sco.suspend('trang-2', 'offline=1'); }")
    idle(page)  # answered "queued" by the service worker
    page.reload()
    frame = sco_frame(page)
    assert frame.inner_text("#entry") == "resume" and frame.inner_text("#location") == "trang-2"
    frame.evaluate("() => { sco.complete(90); return sco.finish(); }")
    idle(page)
    ctx.close()

    # the browser reopened, still offline: the queue survived
    ctx = profile()
    ctx.set_offline(True)
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(f"{server.url}/player/")
    status = page.locator("#offline-status")
    poll(page, "() => Number((document.getElementById('offline-status') || {dataset: {}}).dataset.waiting) > 0")
    assert "Đang chờ gửi lên máy chủ" in status.inner_text()
    attempt = attempt_of(tree["hn_cadre"].id)
    assert attempt.status != "completed"

    # online again: everything arrives, in order
    go_online(ctx, server)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    arrived = wait_until(lambda: attempt_of(tree["hn_cadre"].id).status == "completed", timeout=45)
    assert arrived, f"the queued commits never arrived: {status.inner_text()!r}"
    sco = state(attempt_of(tree["hn_cadre"].id), "sco1")
    assert sco.cmi["cmi.core.lesson_location"] == "trang-2" and sco.cmi["cmi.suspend_data"] == "offline=1"
    assert sco.cmi["cmi.core.lesson_status"] == "passed"
    record = app.extensions["sqlalchemy"].session.scalar(
        select(TrainingRecord).where(TrainingRecord.cadre_id == tree["hn_cadre"].id))
    assert record is not None and float(record.score) == 90.0
    poll(page, "() => document.getElementById('offline-status').dataset.waiting === '0'")
    assert "Lần đồng bộ gần nhất" in status.inner_text()

    # logout clears the downloads on both origins
    page.locator("form[action$='/logout']").first.evaluate("f => f.requestSubmit()")  # (the navbar is folded on a phone)
    page.wait_for_url("**/login**")
    # (the login page registers the worker again: it precaches only the LMS's public static files)
    assert [n for n in page.evaluate("caches.keys()") if not n.startswith("workbox-precache")] == []
    assert page.evaluate("localStorage.getItem('lms-offline:modules')") is None
    probe = ctx.new_page()
    probe.goto(f"http://{CONTENT_HOST}:{server.port}/c/_offline/frame?lms={server.url}")
    assert "lms-content-files" not in probe.evaluate("caches.keys()")


def leave_open(frame) -> None:
    """The test SCO finishes itself when its page goes away, and the launcher's beacon now delivers that
    last commit (issue 15); a SCO that does not is ended by the LMS the same way. A 1.2 SCO ended with no
    status is completed (RTE 1.2 3.4.4), and a completed module is no longer offered for download. The
    learner here leaves mid-module: the SCO says so (incomplete) and does not finish itself."""
    frame.evaluate("() => { sco.unloadMode = 'hang'; sco.set('cmi.core.lesson_status', 'incomplete'); }")


def download_module(page, server, code):
    """Open the module online once (the attempt), then download it from "Học phần của tôi"."""
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    leave_open(sco_frame(page))
    attempt_id = int(page.url.split("/attempts/")[1].split("/")[0])
    page.goto(f"{server.url}/player/")
    controlled(page)
    page.click(f'[data-offline="{code}"] [data-offline-action="plan"]')
    page.click(f'[data-offline="{code}"] [data-offline-action="download"]')
    page.locator(f'[data-offline="{code}"] [data-offline-action="remove"]').wait_for(timeout=30000)
    return attempt_id


def test_two_devices_lose_nothing(app, tree, tmp_path, server, profile):
    """A phone studies offline; meanwhile a computer finishes the module online; when the phone syncs, its
    offline work is stored too (re-sequenced at replay, not dropped as "stale") and the results do not
    regress."""
    publish(tmp_path, "scorm12_single", "OF2")
    phone = profile("phone")
    page = phone.pages[0] if phone.pages else phone.new_page()
    login_remembered(page, server)
    attempt_id = download_module(page, server, "OF2")
    go_offline(phone, server)
    page.goto(f"{server.url}/player/attempts/{attempt_id}/play")
    frame = sco_frame(page)
    frame.evaluate("() => { sco.set('cmi.core.lesson_status', 'incomplete'); return sco.suspend('phone-3', 'phone'); }")
    idle(page)
    server.start()  # the phone stays offline (its pages); the computer studies online
    computer = profile("computer")
    desk = computer.pages[0] if computer.pages else computer.new_page()
    login_remembered(desk, server)
    desk.goto(f"{server.url}/player/attempts/{attempt_id}/play")
    sco_frame(desk).evaluate("() => { sco.set('cmi.core.lesson_location', 'desk-9'); sco.complete(95); return sco.finish(); }")
    idle(desk)
    assert wait_until(lambda: attempt_of(tree["hn_cadre"].id).status == "completed")
    phone.set_offline(False)
    page.goto(f"{server.url}/player/")
    assert wait_until(lambda: state(attempt_of(tree["hn_cadre"].id), "sco1").cmi.get("cmi.suspend_data") == "phone",
                      timeout=45), "the phone's offline work was lost"
    attempt = attempt_of(tree["hn_cadre"].id)
    sco = state(attempt, "sco1")
    assert attempt.status == "completed" and sco.cmi["cmi.core.lesson_location"] == "phone-3"
    assert float(sco.score_scaled) == 0.95  # the best result stays
