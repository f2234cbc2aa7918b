"""Browser-test fixtures, for every feature's e2e tests.

* ``live_server`` — the test ``app`` (its database: the ``app`` fixture's) served by werkzeug's
  ``make_server`` in a thread on 127.0.0.1:<free port>; ``live_server.url`` is its base URL.
* By default package files come from the content origin derived from the LMS's address
  (``http://content.localhost:<port>``, the same server told apart by ``Host``; lms.catalog.content).
* ``content_server`` — a second server of the same app on ``localhost:<another port>`` used as the
  configured content origin; using it sets ``LMS_CONTENT_ORIGIN`` for the test.
* ``unsafe_same_origin`` — ``LMS_UNSAFE_SAME_ORIGIN_CONTENT`` on for the test (package files on the LMS).
* ``browser`` (session) — Debian's Chromium through Playwright, flags from docs; never downloaded.
* ``page`` — a desktop page (1280×800); ``phone_page`` — a 360×740 touch page.
* ``login(page, server, login)`` — log in through the real form.

Tests skip only when /usr/bin/chromium is missing and CI is not "true" (the reason is printed).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.needs import missing
from tests.net import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        missing(f"{CHROMIUM} is missing (browser tests run in CI)")



@dataclass
class LiveServer:
    """A running server: ``url`` without a trailing slash."""

    url: str
    host: str
    port: int


def _serve(app, host: str) -> Iterator[LiveServer]:
    port = free_port()
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://{host}:{port}", host, port)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1:<free port> against the test database."""
    _require_chromium()
    yield from _serve(app, "127.0.0.1")


@pytest.fixture
def content_server(app, live_server) -> Iterator[LiveServer]:
    """A second server on localhost:<port> acting as LMS_CONTENT_ORIGIN (set for the test, then unset)."""
    gen = _serve(app, "localhost")
    server = next(gen)
    previous = app.config.get("LMS_CONTENT_ORIGIN")
    app.config["LMS_CONTENT_ORIGIN"] = server.url
    try:
        yield server
    finally:
        app.config["LMS_CONTENT_ORIGIN"] = previous
        next(gen, None)


@pytest.fixture
def unsafe_same_origin(app) -> Iterator[None]:
    """Package files served from the LMS's own origin (the explicit unsafe mode), for the test only."""
    previous = app.config.get("LMS_UNSAFE_SAME_ORIGIN_CONTENT")
    app.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = True
    try:
        yield
    finally:
        app.config["LMS_UNSAFE_SAME_ORIGIN_CONTENT"] = previous


#: one Playwright driver and one Chromium per test process, shared by every module that imports the
#: ``browser`` fixture (tests/xblock does): two sync Playwright drivers cannot run in one process
_SHARED: dict = {}


@pytest.fixture(scope="session")
def browser():
    """Chromium (Debian's) driven by Playwright."""
    _require_chromium()
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        driver = sync_playwright().start()
        _SHARED["driver"] = driver
        _SHARED["browser"] = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return _SHARED["browser"]


def pytest_sessionfinish(session, exitstatus):
    """Close the shared browser and driver once, at the end of the run."""
    browser_ = _SHARED.pop("browser", None)
    driver = _SHARED.pop("driver", None)
    if browser_ is not None:
        browser_.close()
    if driver is not None:
        driver.stop()


@pytest.fixture
def context(browser):
    """A fresh browser context (cookies, localStorage) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    yield ctx
    close_bounded(ctx)


def close_bounded(ctx) -> None:
    """Close a context after unloading its pages within a bounded wait: the pages' unload handlers (the
    launcher's beacons) then run under a timeout, and ``BrowserContext.close`` (which has none) finds
    nothing left to wait for — once, under a loaded CI run, it never returned."""
    for pg in list(ctx.pages):
        try:
            pg.goto("about:blank", timeout=10000)
        except Exception as exc:  # noqa: BLE001 - a page that cannot unload is closed below all the same
            print(f"teardown: {pg.url} did not unload: {exc}")
    ctx.close()


@pytest.fixture
def page(context):
    """A desktop page."""
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return pg


@pytest.fixture
def phone_page(browser):
    """A phone-size page (360×740, touch)."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN")
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    close_bounded(ctx)


def login(page, server: LiveServer, user: str, password: str = "matkhau-123") -> None:
    """Log in through the login form."""
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", user)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
