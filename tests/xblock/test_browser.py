"""The whole loop in Chromium: an "Open edX" page (a second server rendering the block) shows the
module in the block's iframe; the learner finishes the SCO; the LMS frame tells the page; the block's JS
calls ``refresh``; the block asks the backend and publishes grade and completion."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest
from sqlalchemy import select
from webob import Request, Response
from werkzeug.serving import make_server

from lms.api import services
from lms.catalog.services import create_module, import_package
from lms.core.db import db
from lms.records.models import TrainingRecord
from tests.e2e.conftest import browser, context, page  # noqa: F401  (fixtures)
from tests.e2e.sco_fixtures import build_zip
from tests.factories import gen_cadre, gen_unit
from tests.lms.api.helpers import link_learner
from tests.xblock.test_block import make_block

EMAIL = "dung.nong@congdoan.vn"


def openedx_app(runtime, block):
    """A WSGI app standing in for the Open edX LMS: the block's student view on a page, its handler."""

    def app(environ, start_response):
        request = Request(environ)
        if request.path.startswith("/handler/"):
            return runtime.handle(block, "refresh", request)(environ, start_response)
        frag = block.student_view({})
        body = (f"<!doctype html><html><head><meta charset='utf-8'>{frag.head_html()}</head><body>"
                f"<div id='block'>{frag.content}</div>{frag.foot_html()}"
                f"<script>{frag.js_init_fn}(null, document.getElementById('block'), "
                f"{json.dumps(frag.json_init_args)});</script></body></html>")
        return Response(body, content_type="text/html", charset="utf-8")(environ, start_response)

    return app


@pytest.fixture
def openedx(app):
    """Start the stand-in platform for a block; yields a starter returning its URL."""
    servers = []

    def start(runtime, block, consumer=None) -> str:
        server = make_server("127.0.0.1", 0, openedx_app(runtime, block))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        origin = f"http://127.0.0.1:{server.server_port}"
        if consumer is not None:  # the admin allows the platform to frame the launches
            services.set_origins(consumer, origin)
            db.session.commit()
        return origin + "/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


def sco_frame(page, timeout=20):  # noqa: F811
    until = time.time() + timeout
    while time.time() < until:
        for frame in page.frames:
            if "index.html" in frame.url:
                with contextlib.suppress(Exception):
                    if frame.evaluate("document.body && document.body.getAttribute('data-ready')") == "1":
                        return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no SCO frame in {[f.url for f in page.frames]}")


def test_finish_in_the_iframe_publishes_grade_and_completion(app, tmp_path, backend, openedx, page,  # noqa: F811
                                                               make_runtime, monkeypatch):
    unit = gen_unit("CB-CDCS-7", "Công đoàn Trường THPT Cao Bình", "CĐCS")
    cadre = gen_cadre(unit, "CB0007", "Nông Văn Dũng", email=EMAIL)
    module = create_module("E12", "Học phần thử 1.2", topic="osh", hours=4)
    import_package(module, build_zip("scorm12_single", tmp_path))
    consumer, secret = services.create_consumer("openedx-caobang", "Open edX Cao Bằng")
    link_learner(consumer, cadre, "anon-cb-7")  # linked earlier (an e-mail alone never links)
    db.session.commit()
    monkeypatch.setenv("UNION_LMS_SECRETS", f"openedx-caobang={secret}")
    runtime = make_runtime(anonymous_id="anon-cb-7", email=EMAIL, full_name="Nông Văn Dũng")
    block = make_block(runtime, {"url": backend.url, "key": "openedx-caobang"}, module_code="E12", weight=10.0)

    page.goto(openedx(runtime, block, consumer))
    assert page.inner_text(".union-lms-status") == "Chưa bắt đầu."
    frame = sco_frame(page)
    assert frame.inner_text("#learner") == "Nông Văn Dũng"
    frame.evaluate("() => { sco.complete(90); return sco.finish(); }")

    page.wait_for_function("document.querySelector('.union-lms-status').textContent.includes('Đã hoàn thành')",
                           timeout=20000)
    assert page.inner_text(".union-lms-status") == "Đã hoàn thành — điểm 90%."
    assert ("grade", {"value": 9.0, "max_value": 10.0}) in runtime.published
    assert ("completion", {"completion": 1.0}) in runtime.published
    assert [e for e, _ in runtime.published].count("grade") == 1
    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.cadre_id == cadre.id))
    assert record is not None and float(record.score) == 90.0


def test_messages_from_another_origin_are_ignored(app, tmp_path, backend, openedx, page,  # noqa: F811
                                                  make_runtime, monkeypatch):
    _, secret = services.create_consumer("openedx-caobang", "Open edX Cao Bằng")
    module = create_module("E12", "Học phần thử 1.2", topic="osh", hours=4)
    import_package(module, build_zip("scorm12_single", tmp_path))
    db.session.commit()
    monkeypatch.setenv("UNION_LMS_SECRETS", f"openedx-caobang={secret}")
    runtime = make_runtime(anonymous_id="anon-x", email=None)
    block = make_block(runtime, {"url": backend.url, "key": "openedx-caobang"}, module_code="E12")
    page.goto(openedx(runtime, block))
    calls = []
    page.on("request", lambda r: calls.append(r.url) if "/handler/" in r.url else None)
    page.evaluate("window.postMessage({type: 'union-lms:ended'}, '*')")  # from the page's own origin
    page.wait_for_timeout(500)
    assert calls == []
