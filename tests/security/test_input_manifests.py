"""Manifests cannot launch code or leave the package; outside scripts are announced (issue 16).

Uploaded through the lecturer page: a ``javascript:`` launch URL is refused as an error (nothing is
stored); an external http(s) launch and scripts loaded from other hosts are accepted with Vietnamese
warnings on the version's report ("learners without internet will not get them").
SCORM CAM 2004 4th ed. 3.4.1.4 (resource href).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from lms.catalog import services
from lms.catalog.models import PackageVersion
from lms.core.db import db
from tests.conftest import csrf_token_from

MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest identifier="m1" version="1" '
            'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
            'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schema>ADL SCORM</schema>'
            '<schemaversion>1.2</schemaversion></metadata><organizations default="o1"><organization '
            'identifier="o1"><title>Khoá học</title><item identifier="i1" identifierref="r1"><title>Bài 1</title>'
            '</item></organization></organizations><resources><resource identifier="r1" type="webcontent" '
            'adlcp:scormtype="sco" href="{href}"><file href="index.html"/></resource></resources></manifest>')


def _zip(href: str, page: str = "<html><p>Xin chào</p></html>") -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST.format(href=href))
        zf.writestr("index.html", page)
    out.seek(0)
    return out


@pytest.fixture
def upload(app, tree, client, auth):
    services.create_module("LCD2024", "Luật Công đoàn 2024", created_by_id=tree["lecturer"].id)
    db.session.commit()
    auth.login("gv.hanoi")

    def post(stream):
        token = csrf_token_from(client.get("/modules/LCD2024").get_data(as_text=True))
        return client.post("/modules/LCD2024/upload", data={"csrf_token": token, "package": (stream, "goi.zip")},
                           content_type="multipart/form-data")
    return post


@pytest.mark.parametrize("href", ["javascript:parent.fetch('/admin/users')", "data:text/html,xin-chao"])
def test_script_launch_url_is_refused_and_nothing_is_stored(upload, href):
    """A launch URL the browser would run as code is an error: 4xx, no version stored."""
    response = upload(_zip(href))
    assert 400 <= response.status_code < 500
    assert 'data-code="package.launch_refused"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PackageVersion.id))) == 0


def test_external_launch_and_outside_scripts_are_warnings(upload, client):
    """An http(s) launch is a warning; the hosts of outside <script src> are listed in Vietnamese."""
    page = '<html><script src="https://cdn.example.org/lib.js"></script></html>'
    response = upload(_zip("https://khoahoc.example.vn/bai1.html", page))
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-code="package.launch_external"' in report
    assert 'data-code="package.external_scripts"' in report
    assert "cdn.example.org" in report and "không có Internet" in report
