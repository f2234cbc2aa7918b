"""The app under Granian, the app hosts' HTTP server (docs/decisions/http-server.md): a real server
process on the test database, driven over HTTP as a browser drives it — a learner logs in, launches a
module and commits (a stored commit, its retry a duplicate, a forged CSRF token refused), a lecturer
uploads a package (a multipart body streamed through Granian's ``wsgi.input``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lms.catalog.models import PackageVersion
from lms.catalog.services import create_module
from lms.core.db import db
from lms.core.roles import Role
from lms.player.models import ScoState
from tests.conftest import csrf_token_from
from tests.e2e.sco_fixtures import build_zip
from tests.factories import gen_user
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[3]



@pytest.fixture
def granian(app) -> Iterator[str]:
    """``granian --interface wsgi --factory lms:create_app`` on the test database; its base URL."""
    port = free_port()
    env = {**os.environ, "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LMS_STORAGE_DIR": app.config["LMS_STORAGE_DIR"], "LMS_MAIL_OUTBOX": app.config["LMS_MAIL_OUTBOX"],
           "LMS_SECRET_KEY": "granian-test", "LMS_SECURE_COOKIES": "0",
           "PYTHONPATH": str(ROOT)}
    command = [str(Path(sys.executable).with_name("granian")), "--interface", "wsgi", "--factory", "--host",
               "127.0.0.1", "--port", str(port), "--workers", "1", "--blocking-threads", "2", "--log-level",
               "warning", "lms:create_app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(server, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(server: subprocess.Popen, port: int) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if server.poll() is not None:
            raise AssertionError(f"granian exited: {server.stderr.read()[-2000:] if server.stderr else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("granian did not listen within 60 s")


def _log_in(base: str, login: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token_from(session.get(f"{base}/login", timeout=30).text)
    answer = session.post(f"{base}/login", data={"login": login, "password": "matkhau-123", "csrf_token": token},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_a_learner_launches_and_commits_through_granian(app, module12, granian):
    session = _log_in(granian, "hv.nhung")
    token = csrf_token_from(session.get(f"{granian}/player/", timeout=30).text)
    launched = session.post(f"{granian}/player/modules/T12/launch", data={"csrf_token": token},
                            allow_redirects=False, timeout=30)
    assert launched.status_code == 302
    attempt_id = int(launched.headers["Location"].split("/attempts/")[1].split("/")[0])
    body = {"seq": 1, "session": "s1", "terminate": False,
            "cmi": {"cmi.core.lesson_location": "p2", "cmi.core.session_time": "00:01:00"}}
    url = f"{granian}/player/attempts/{attempt_id}/scos/sco1/commit"
    stored = session.post(url, json=body, headers={"X-CSRFToken": token}, timeout=30)
    assert (stored.status_code, stored.json()["status"]) == (200, "stored")
    assert stored.headers["Vary"] == "Accept-Encoding, Cookie"
    again = session.post(url, json=body, headers={"X-CSRFToken": token}, timeout=30)
    assert again.json()["status"] == "duplicate"
    forged = session.post(url, json={**body, "seq": 2}, headers={"X-CSRFToken": "forged"}, timeout=30)
    assert forged.status_code == 400  # the lean path declines; Flask refuses the token
    db.session.expire_all()
    state = db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt_id))
    assert (state.last_seq, state.cmi["cmi.core.lesson_location"]) == (1, "p2")


def test_a_lecturer_uploads_a_package_through_granian(app, tree, tmp_path, granian):
    gen_user("gv.upload", (Role.lecturer,))
    module = create_module("GR01", "Học phần GR01", topic="osh", hours=2)
    db.session.commit()
    session = _log_in(granian, "gv.upload")
    token = csrf_token_from(session.get(f"{granian}/modules/GR01", timeout=30).text)
    with open(build_zip("scorm12_single", tmp_path), "rb") as package:
        answer = session.post(f"{granian}/modules/GR01/upload", data={"csrf_token": token, "publish": "y"},
                              files={"package": ("goi.zip", package, "application/zip")}, allow_redirects=False,
                              timeout=60)
    assert answer.status_code == 302, answer.text[:500]
    db.session.expire_all()
    versions = db.session.scalars(select(PackageVersion).where(PackageVersion.module_id == module.id)).all()
    assert [v.number for v in versions] == [1]

