"""Ralph (ralph-malph), a real LRS, started for the tests: its own virtualenv (``make ralph``: .venv-ralph,
or the ``ralph`` executable named by LMS_RALPH_BIN), the file-system backend, basic-auth credentials made
with ``ralph auth`` in a temporary folder, a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.net import free_port

ROOT = Path(__file__).resolve().parents[3]
USERNAME, PASSWORD = "lms-test", "mat-khau-lrs"
#: holds the sitecustomize that makes Ralph's file-system backend append (see there why)
SITE = Path(__file__).resolve().parent / "ralph_site"


def ralph_bin() -> Path | None:
    """LMS_RALPH_BIN, else .venv-ralph/bin/ralph in the repository; None when neither exists."""
    named = os.environ.get("LMS_RALPH_BIN")
    path = Path(named) if named else ROOT / ".venv-ralph" / "bin" / "ralph"
    return path if path.is_file() else None



@dataclass
class Ralph:
    process: subprocess.Popen
    url: str  #: the xAPI base, e.g. http://127.0.0.1:8100/xAPI

    def statements(self, **params: str) -> dict:
        response = requests.get(f"{self.url}/statements", params=params, auth=(USERNAME, PASSWORD),
                                headers={"X-Experience-API-Version": "1.0.3"}, timeout=10)
        response.raise_for_status()
        return response.json()

    def statement(self, statement_id: str) -> dict:
        """GET /statements?statementId=… (Ralph 5.1 answers with a one-item StatementResult rather than the
        bare statement of xAPI Communication §2.1.3; both are accepted)."""
        body = self.statements(statementId=statement_id)
        if "statements" not in body:
            return body
        (found,) = [s for s in body["statements"] if s["id"] == statement_id]
        return found

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(binary: Path, folder: Path, timeout: float = 90) -> Ralph:
    """``ralph auth`` then ``ralph runserver -b fs`` in ``folder``; returns once the LRS answers."""
    env = {**os.environ, "RALPH_AUTH_FILE": str(folder / "auth.json"), "RALPH_APP_DIR": str(folder / "app"),
           "RALPH_RUNSERVER_BACKEND": "fs", "PYTHONPATH": str(SITE)}
    (folder / "data").mkdir(parents=True, exist_ok=True)
    subprocess.run([str(binary), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
                    "-M", "mailto:lms-test@example.org", "-w"], env=env, cwd=folder, check=True, capture_output=True)
    port = free_port()
    log = (folder / "ralph.log").open("wb")
    process = subprocess.Popen([str(binary), "runserver", "-b", "fs", "-h", "127.0.0.1", "-p", str(port),
                                "--fs-default-directory-path", str(folder / "data")],
                               env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ralph = Ralph(process, f"http://127.0.0.1:{port}/xAPI")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Ralph stopped: {(folder / 'ralph.log').read_text()[-2000:]}")
        try:
            ralph.statements()
            return ralph
        except requests.RequestException:
            time.sleep(0.5)
    ralph.stop()
    raise RuntimeError(f"Ralph did not answer in {timeout} s: {(folder / 'ralph.log').read_text()[-2000:]}")
