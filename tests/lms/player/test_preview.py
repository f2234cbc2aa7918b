"""Preview: lecturers and admins play a package version; nothing is stored."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from lms.core.db import db
from lms.player.models import Attempt, CommitLog


def config_of(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="player-config">(.*?)</script>', page,
                                re.S).group(1))


def test_lecturer_previews_a_version_without_records(client, auth, module12):
    auth.login("gv.hanoi")
    version = module12.published_version
    response = client.get(f"/player/preview/{version.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    config = config_of(page)
    assert config["preview"] is True and config["commitUrl"] is None and config["lastSeq"] == 0
    assert config["state"]["cmi.core.entry"] == "ab-initio"
    assert config["state"]["cmi.core.credit"] == "no-credit" and config["state"]["cmi.core.lesson_mode"] == "browse"
    assert config["state"]["cmi.core.student_id"] == "gv.hanoi"
    assert config["state"]["cmi.student_data.mastery_score"] == "80"
    assert config["contentUrl"].split("?")[0].endswith("index.html")
    assert 'id="preview-note"' in page
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(CommitLog)) == 0


def test_admin_may_preview_and_the_catalog_links_to_it(client, auth, module12):
    auth.login("admin")
    version = module12.published_version
    response = client.get(f"/modules/{module12.code}/versions/{version.number}/preview")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/player/preview/{version.id}")
    assert client.get(f"/player/preview/{version.id}").status_code == 200


def test_learners_cannot_preview_and_unknown_versions_are_404(client, auth, module12):
    auth.login("hv.nhung")
    assert client.get(f"/player/preview/{module12.published_version_id}").status_code == 403
    auth.logout()
    auth.login("gv.hanoi")
    assert client.get("/player/preview/99999").status_code == 404
    assert client.get(f"/player/preview/{module12.published_version_id}?sco=nope").status_code == 404
