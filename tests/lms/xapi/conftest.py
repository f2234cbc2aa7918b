"""Fixtures of the xAPI tests: the LRS settings, a cadre with a published module, Ralph."""

from __future__ import annotations

import pytest

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from tests.factories import gen_cadre, gen_unit, gen_user
from tests.lms.catalog.helpers import simple_package
from tests.lms.xapi import ralph as lrs
from tests.lms.xapi.helpers import listen
from tests.lms.xapi.ralph import PASSWORD, USERNAME
from tests.needs import missing


@pytest.fixture
def xapi_on(app, monkeypatch):
    """An LRS configured (the address is only read when sending)."""
    listen()
    monkeypatch.setitem(app.config, "LMS_XAPI_ENDPOINT", "http://127.0.0.1:9/xAPI")
    monkeypatch.setitem(app.config, "LMS_BASE_URL", "https://lms.congdoan.test")
    return app


@pytest.fixture
def learner(app, tmp_path):
    """A cadre HN0042 with an account and a published module ATVSLD; committed."""
    unit = gen_unit("HN-CDCS-4", "Công đoàn Công ty May Hà Nội", "CĐCS")
    cadre = gen_cadre(unit, "HN0042", "Lê Thị Mai", email="mai.le@congdoan.vn")
    user = gen_user("hv.mai", cadre=cadre)
    module = create_module("ATVSLD", "An toàn, vệ sinh lao động", topic="osh", hours=4)
    import_package(module, simple_package(tmp_path))
    db.session.commit()
    return {"unit": unit, "cadre": cadre, "user": user, "module": module}


@pytest.fixture(scope="session")
def ralph(tmp_path_factory):
    """A running Ralph LRS (session-wide); skipped with a reason when not installed, except under CI."""
    binary = lrs.ralph_bin()
    if binary is None:
        missing("Ralph is not installed: run `make ralph` (or set LMS_RALPH_BIN)")
    server = lrs.start(binary, tmp_path_factory.mktemp("ralph"))
    yield server
    server.stop()


@pytest.fixture
def lrs_on(app, monkeypatch, ralph):
    """Ralph configured as the app's LRS, with its credentials."""
    listen()
    monkeypatch.setitem(app.config, "LMS_XAPI_ENDPOINT", ralph.url)
    monkeypatch.setitem(app.config, "LMS_XAPI_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "LMS_XAPI_PASSWORD", PASSWORD)
    monkeypatch.setitem(app.config, "LMS_BASE_URL", "https://lms.congdoan.test")
    return ralph
