"""Draft package versions are visible only to lecturers and admins (issue 16).

A learner who may launch a module used to load any version's files by changing the version id in
``/content/<version_id>/…`` (or in a content token). Now a learner gets only the published version, or
a version one of their own attempts runs (attempts keep their version when a newer one is published);
lecturers and admins still open drafts to preview them.
"""

from __future__ import annotations

import pytest

from lms.catalog import content, services
from lms.core.db import db
from lms.player.models import Attempt
from tests.lms.catalog.helpers import simple_package

CONTENT = "127.0.0.1:5001"


@pytest.fixture
def versions(app, tree, tmp_path, monkeypatch):
    """v1 published, v2 uploaded as a draft; served on the LMS origin (the explicitly unsafe same-origin
    mode, whose ``/content/…`` route checks access the same way) unless a test sets another origin."""
    monkeypatch.setitem(app.config, "LMS_UNSAFE_SAME_ORIGIN_CONTENT", True)
    module = services.create_module("LCD2024", "Luật Công đoàn 2024")
    published = services.import_package(module, simple_package(tmp_path, "v1.zip", title="Bản 1"))
    draft = services.import_package(module, simple_package(tmp_path, "v2.zip", title="Bản nháp", ident="PKG2"),
                                    publish=False)
    db.session.commit()
    assert module.published_version_id == published.id != draft.id
    return published, draft


def test_learner_cannot_open_a_draft_by_url(client, auth, versions):
    """Same-origin mode: the learner gets the published version's files and a 404 for the draft's."""
    published, draft = versions
    auth.login("hv.nhung")
    assert client.get(f"/content/{published.id}/index.html").status_code == 200
    assert client.get(f"/content/{draft.id}/index.html").status_code == 404
    assert client.get(f"/content/{draft.id}/imsmanifest.xml").status_code == 404


def test_lecturer_and_admin_still_preview_drafts(client, auth, versions):
    """Lecturers and admins open every version (the catalog's preview)."""
    _published, draft = versions
    for login in ("gv.hanoi", "admin"):
        auth.login(login)
        assert client.get(f"/content/{draft.id}/index.html").status_code == 200, login
        auth.logout()


def test_learner_content_token_for_a_draft_is_refused(app, client, tree, versions, monkeypatch):
    """Separate-origin mode: even a validly signed token naming the draft does not serve it to a learner."""
    published, draft = versions
    monkeypatch.setitem(app.config, "LMS_UNSAFE_SAME_ORIGIN_CONTENT", False)
    monkeypatch.setitem(app.config, "LMS_CONTENT_ORIGIN", f"http://{CONTENT}")
    learner = tree["hn_learner"].id
    for version, status in ((published, 200), (draft, 404)):
        token = content.make_token(version.id, learner)
        assert client.get(f"/c/{token}/index.html", base_url=f"http://{CONTENT}").status_code == status


def test_attempt_keeps_its_version_after_a_newer_one_is_published(client, auth, tree, versions):
    """A learner's running attempt on v1 still loads v1 after v2 is published; other learners get only v2."""
    published, draft = versions
    db.session.add(Attempt(cadre_id=tree["hn_cadre"].id, module_id=published.module_id,
                           package_version_id=published.id, number=1))
    services.publish_version(draft)
    db.session.commit()
    auth.login("hv.nhung")
    assert client.get(f"/content/{published.id}/index.html").status_code == 200
    assert client.get(f"/content/{draft.id}/index.html").status_code == 200
