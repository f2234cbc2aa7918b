"""A cadre on a slow 3G phone (issue 18): cold "Học tập của tôi" and the first module launch in Chromium.

Chromium (Debian's, through Playwright) on a 360×740 touch viewport with the network throttled through
the DevTools protocol (``Network.emulateNetworkConditions``: 400 kbit/s down, 400 kbit/s up, 400 ms
round trip — about Chrome's "Slow 3G"). The LMS runs on 127.0.0.1 (werkzeug, threaded) on a temporary
SQLite database with one shipped module (course_packages/ATVSLD, SCORM 1.2, built here) required of the
learner by a standard.

Per run (a fresh browser context, so a cold cache; the session cookie comes from a login made outside
the throttled context):

* **cold my learning** — ``/`` until its ``load`` event;
* **first module launch** — "Bắt đầu" on that page → launch (POST, redirect) → player page →
  run-time (launcher + scorm-again) → the first SCO page's ``load`` event, in seconds from the click.

Bytes are the encoded (on-the-wire) lengths Chromium reports per request (``Network.loadingFinished``).
Targets: launch ≤ 5 s, my learning ≤ 3 s. Usage::

    .venv/bin/python bench/bench_slow3g.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
#: the docs' flags, plus site isolation off: the content origin's frames (launcher, SCO) then belong to the
#: page's DevTools target, so the throttling and the byte counts cover them too (an out-of-process frame
#: would have its own target, neither throttled nor counted)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"]
#: DevTools' throttling: bytes per second and milliseconds
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PASSWORD = "matkhau-123"


def make_app(tmp: Path):
    """The app on a fresh SQLite database with a unit, ``runs`` learners, the module and a standard."""
    os.environ["LMS_INSTANCE_PATH"] = str(tmp / "instance")
    from lms import create_app

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
                      "LMS_STORAGE_DIR": str(tmp / "storage"), "SESSION_COOKIE_SECURE": False,
                      "REMEMBER_COOKIE_SECURE": False})
    return app


def seed(app, tmp: Path, learners: int) -> None:
    from flask_migrate import upgrade

    from lms.accounts.services import create_user
    from lms.catalog.services import create_module, import_package
    from lms.content.builder import build_course
    from lms.core.db import db
    from lms.core.i18n import fold
    from lms.core.roles import Role
    from lms.org.models import Cadre
    from lms.org.services import create_unit
    from lms.standards import engine
    from lms.standards import services as standards
    from lms.standards.loader import validate_standard

    with app.app_context():
        upgrade(revision="heads")
        unit = create_unit("HN", "Công đoàn Công ty May Thăng Long", "CĐCS", None)
        for n in range(learners):
            name = f"Trần Thị Học Viên {n}"
            cadre = Cadre(code=f"CB{n:04d}", full_name=name, name_search=fold(name), org_unit=unit, gender="female",
                          position="executive_member", employment="part_time", is_key=False,
                          appointed_on=date(2024, 1, 15), active=True)
            db.session.add(cadre)
            db.session.flush()
            create_user(f"hv{n}", PASSWORD, {Role.learner}, cadre_id=cadre.id, full_name=name)
        scorm12 = build_course("ATVSLD", tmp / "packages")[0]
        module = create_module("ATVSLD", "An toàn, vệ sinh lao động và vai trò của công đoàn", topic="osh", hours=4)
        import_package(module, scorm12)
        data = validate_standard({"code": "CHUAN", "name_vi": "Chuẩn bồi dưỡng", "effective_from": "2024-01-01",
                                  "requirements": [{"code": "ATVSLD-01", "name_vi": "Bồi dưỡng ATVSLĐ",
                                                    "applies_to": {}, "satisfied_by": [{"any_modules": ["ATVSLD"]}],
                                                    "due_date": "2099-06-30"}]})
        standards.upsert_standard(data, date(2024, 1, 1))
        engine.recompute()
        db.session.commit()


def serve(app) -> tuple[str, object]:
    from werkzeug.serving import make_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


class Wire:
    """Bytes on the wire per request, from the DevTools protocol, and the throttling."""

    def __init__(self, context, page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.starts: dict[str, float] = {}
        self.ends: dict[str, float] = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.detail = os.environ.get("BENCH_DETAIL") == "1"
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]
        self.starts.setdefault(event["requestId"], event["timestamp"])

    def _finished(self, event: dict) -> None:
        self.sizes[event["requestId"]] = int(event["encodedDataLength"])
        self.ends[event["requestId"]] = event["timestamp"]

    def take(self) -> tuple[int, int]:
        """(requests, bytes) since the last call."""
        count, total = len(self.sizes), sum(self.sizes.values())
        if self.detail:  # a waterfall: start and end (s from the first request), size, address
            t0 = min((self.starts.get(r, 0) for r in self.sizes), default=0)
            for rid, size in sorted(self.sizes.items(), key=lambda kv: self.starts.get(kv[0], 0)):
                print(f"    {self.starts.get(rid, t0) - t0:5.2f}–{self.ends.get(rid, t0) - t0:5.2f} s {size / 1024:7.1f} KiB"
                      f"  {self.urls.get(rid, rid)[:90]}")
        self.sizes.clear()
        return count, total


def login_cookies(browser, url: str, login: str) -> list[dict]:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)
    cookies = ctx.cookies()
    ctx.close()
    return cookies


def sco_loaded(page) -> bool:
    """The first SCO page (a content-origin frame other than the launcher) has fired ``load``."""
    for frame in page.frames:
        if "/c/" in frame.url and "launcher" not in frame.url:
            try:
                return frame.evaluate("document.readyState") == "complete"
            except Exception:  # noqa: BLE001 - the frame is navigating
                return False
    return False


def one_run(browser, url: str, login: str) -> dict:
    cookies = login_cookies(browser, url, login)
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                              locale="vi-VN")
    ctx.add_cookies(cookies)
    page = ctx.new_page()
    page.set_default_timeout(60000)
    wire = Wire(ctx, page)
    start = time.perf_counter()
    page.goto(f"{url}/", wait_until="load")
    home_s = time.perf_counter() - start
    home_n, home_b = wire.take()
    start = time.perf_counter()
    page.click('#catalogue [data-module="ATVSLD"] button[data-action="start"]')
    page.wait_for_url("**/attempts/*/play**", wait_until="load")
    while not sco_loaded(page):
        page.wait_for_timeout(20)
    launch_s = time.perf_counter() - start
    page.wait_for_timeout(300)  # the last responses' loadingFinished events
    launch_n, launch_b = wire.take()
    ctx.close()
    return {"home_s": home_s, "home_requests": home_n, "home_bytes": home_b,
            "launch_s": launch_s, "launch_requests": launch_n, "launch_bytes": launch_b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        app = make_app(tmp)
        seed(app, tmp, args.runs)
        url, server = serve(app)
        results = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for n in range(args.runs):
                results.append(one_run(browser, url, f"hv{n}"))
                r = results[-1]
                print(f"run {n + 1}: my learning {r['home_s']:.2f} s ({r['home_requests']} requests, "
                      f"{r['home_bytes'] / 1024:.1f} KiB); first launch {r['launch_s']:.2f} s "
                      f"({r['launch_requests']} requests, {r['launch_bytes'] / 1024:.1f} KiB)")
            browser.close()
        server.shutdown()
    home = statistics.median(r["home_s"] for r in results)
    launch = statistics.median(r["launch_s"] for r in results)
    print(f"median: cold my learning {home:.2f} s (target ≤ 3 s: {'met' if home <= 3 else 'NOT met'}); "
          f"first module launch {launch:.2f} s (target ≤ 5 s: {'met' if launch <= 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
