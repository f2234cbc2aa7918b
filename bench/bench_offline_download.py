"""Offline download of each shipped module (docs/offline.md): size and time on a throttled connection.

Run from the repository root::

    .venv/bin/python bench/bench_offline_download.py                      # 3G-like: 1.6 Mbit/s, 150 ms RTT
    .venv/bin/python bench/bench_offline_download.py --mbit 10 --rtt-ms 40

Each module under course_packages/ is built (lms.content.builder), imported into a throw-away SQLite
database, and a learner's attempt is opened. The bench then does what "Tải về để học offline" does over
HTTP against a real werkzeug server: GET the plan, then every file of the plan from the content origin
(``Host: content.localhost``), three at a time like lms/static/sw/frame.js, the launcher and its scripts,
and the attempt's player pages. (Not counted: the LMS worker's one-time precache of the static files.) The connection is simulated on the client: every request waits one RTT, and the bytes of all
streams share one token bucket of ``--mbit``. Measured: bytes and files per module, the server's own time
(no throttle) and the throttled wall time. Everything lives in a temporary folder, deleted afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Link:
    """A shared downlink: ``mbit`` Mbit/s for all streams, ``rtt`` seconds per request."""

    def __init__(self, mbit: float, rtt: float):
        self.rate = mbit * 1_000_000 / 8
        self.rtt = rtt
        self.lock = threading.Lock()
        self.free_at = 0.0

    def transfer(self, size: int) -> None:
        time.sleep(self.rtt)
        if self.rate <= 0:
            return
        with self.lock:
            start = max(time.monotonic(), self.free_at)
            self.free_at = start + size / self.rate
            until = self.free_at
        time.sleep(max(0.0, until - time.monotonic()))


def get(port: int, url: str, cookie: str, host: str | None = None) -> bytes:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": host or f"127.0.0.1:{port}", "Accept": "application/json"}
    if cookie and host is None:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}")
    return body


def download(port: int, plan: dict, cookie: str, link: Link | None) -> tuple[int, float]:
    """Fetch every file (3 streams) and page of ``plan``; bytes received and wall seconds."""
    content_host = f"content.localhost:{port}"

    def one(item: tuple[str, bool]) -> int:
        url, on_content = item
        body = get(port, url, cookie, content_host if on_content else None)
        if link:
            link.transfer(len(body))
        return len(body)

    launcher = [*plan["launcher"], plan["launcherPage"] + f"&lms=http://127.0.0.1:{port}"]
    jobs = [(f["url"], True) for f in plan["files"]] + [(u, True) for u in launcher] + \
        [(p, False) for p in plan["pages"]]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3) as pool:
        received = sum(pool.map(one, jobs))
    return received, time.perf_counter() - started


def setup(folder: Path):
    """An app on a fresh SQLite database with every shipped module imported and one learner."""
    os.environ["LMS_INSTANCE_PATH"] = str(folder / "instance")
    from lms import create_app

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "LMS_STORAGE_DIR": str(folder / "storage"), "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        from flask_migrate import upgrade

        from lms.catalog.services import create_module, import_package
        from lms.content.builder import build_course
        from lms.core.db import db
        from lms.core.roles import Role
        from tests.factories import gen_cadre, gen_unit, gen_user

        upgrade(revision="heads")
        unit = gen_unit("B", "Công đoàn thử", "CĐCS")
        gen_user("hv.bench", (Role.learner,), cadre=gen_cadre(unit, "B0001", "Học viên thử"))
        codes = []
        for source in sorted(p for p in (ROOT / "course_packages").iterdir() if (p / "module.toml").exists()):
            for zip_path in (p for p in build_course(source, folder / "zips") if p.suffix == ".zip"):
                code = zip_path.stem.replace("-scorm", "-")[:20]  # ATVSLD-12, ATVSLD-2004
                module = create_module(code, f"Học phần {code}", topic="osh", hours=4)
                import_package(module, zip_path, publish=True)
                codes.append(code)
        db.session.commit()
    return app, codes


def login(client_port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", client_port)
    body = "login=hv.bench&password=matkhau-123"
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                       "Host": f"127.0.0.1:{client_port}"})
    response = conn.getresponse()
    response.read()
    cookies = [v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(cookies)


def launch(port: int, cookie: str, code: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", f"/player/modules/{code}/launch", body="",
                 headers={"Cookie": cookie, "Host": f"127.0.0.1:{port}",
                          "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"launch {code}: HTTP {response.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mbit", type=float, default=1.6)
    parser.add_argument("--rtt-ms", type=float, default=150)
    args = parser.parse_args()
    import json

    from werkzeug.serving import make_server

    with tempfile.TemporaryDirectory() as tmp:
        app, codes = setup(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        port = server.server_port
        threading.Thread(target=server.serve_forever, daemon=True).start()
        cookie = login(port)
        print(f"link: {args.mbit} Mbit/s, RTT {args.rtt_ms:.0f} ms, 3 parallel streams")
        print("| module | files | package bytes | pages | received (files + launcher + pages) | server only (s) | throttled (s) |")
        print("|---|---|---|---|---|---|---|")
        for code in codes:
            launch(port, cookie, code)
            plan = json.loads(get(port, f"/offline/modules/{code}/plan", cookie))
            _, bare = download(port, plan, cookie, None)
            received, slow = download(port, plan, cookie, Link(args.mbit, args.rtt_ms / 1000))
            print(f"| {code} | {plan['fileCount']} | {plan['totalBytes']:,} | {len(plan['pages'])} | {received:,} "
                  f"| {bare:.2f} | {slow:.1f} |")
        server.shutdown()


if __name__ == "__main__":
    main()
