"""The player page in Chromium, for every player e2e test: publish a test package, launch a module, find
the SCO's frame, wait until the player has sent what it holds, read the attempt and its SCO states."""

from __future__ import annotations

import contextlib
import time

from sqlalchemy import select

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.player.models import Attempt, ScoState
from tests.e2e.sco_fixtures import build_zip


def publish(tmp_path, fixture: str, code: str, **fields):
    module = create_module(code, f"Học phần {code}", topic="osh", hours=4, **fields)
    import_package(module, build_zip(fixture, tmp_path))
    db.session.commit()
    return module


def sco_frame(page, timeout=15):
    """The SCO's frame (the test SCO's index.html), once it has initialized."""
    until = time.time() + timeout
    while time.time() < until:
        for frame in page.frames:
            if "index.html" in frame.url:
                with contextlib.suppress(Exception):  # the frame may be navigating
                    if frame.evaluate("document.body && document.body.getAttribute('data-ready')") == "1":
                        return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no SCO frame in {[f.url for f in page.frames]}")


def start(page, server, code):
    page.goto(f"{server.url}/player/")
    page.click(f'[data-module="{code}"] button[type=submit]')
    page.wait_for_url("**/attempts/*/play**")
    return sco_frame(page)


def _bridge_drained(page) -> None:
    """In the separate-origin mode the SCO's call returns in the launcher frame before the player page has
    received the commit the launcher posted to it: post a marker from the launcher after it (messages
    between two windows arrive in order) and wait for it on the player page, so ``whenIdle`` sees the
    commit in its queue."""
    launcher = next((f for f in page.frames if "/c/_lms/launcher" in f.url), None)
    if launcher is None or launcher == page.main_frame:
        return
    page.evaluate("""() => { window.__drained = new Promise((resolve) => window.addEventListener("message",
        (event) => { if (event.data && event.data.type === "test-drained") resolve(true); })); }""")
    launcher.evaluate("() => window.parent.postMessage({ type: 'test-drained' }, '*')")
    assert page.evaluate("Promise.race([window.__drained, new Promise((r) => setTimeout(() => r(false), 10000))])")


def idle(page):
    with contextlib.suppress(Exception):  # the launcher may be navigating (its SCO unloading)
        _bridge_drained(page)
    assert page.evaluate("window.lmsPlayer.whenIdle(10000)") is True


def attempt_of(cadre_id) -> Attempt:
    db.session.expire_all()
    return db.session.scalar(select(Attempt).where(Attempt.cadre_id == cadre_id).order_by(Attempt.id.desc()))


def state(attempt, sco):
    db.session.expire_all()
    return db.session.scalar(select(ScoState).where(ScoState.attempt_id == attempt.id, ScoState.sco_id == sco))
