"""Issue 18 (slow 3G): a package's own files on the content origin are compressed, HTML included (no
session and no token in them, nothing reflected: BREACH does not apply); LMS pages stay uncompressed."""

from __future__ import annotations

import zipfile

import brotli

from lms.catalog.content import make_token
from lms.catalog.services import create_module, import_package
from lms.core.db import db
from tests.e2e.sco_fixtures import HERE


def _module_with_a_long_page(tmp_path):
    """The 1.2 test SCO whose page carries 4 KB of lesson text (a real SCO page is 10–40 KB)."""
    out = tmp_path / "long.zip"
    page = (HERE / "common" / "index.html").read_text(encoding="utf-8").replace("__VERSION__", "1.2")
    page = page.replace("</body>", "<p>" + "Người lao động có quyền được bảo đảm an toàn. " * 90 + "</p></body>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(HERE / "scorm12_single" / "imsmanifest.xml", "imsmanifest.xml")
        zf.writestr("index.html", page)
        zf.write(HERE / "common" / "sco.js", "sco.js")
    module = create_module("LONG", "Học phần dài", topic="osh", hours=1)
    import_package(module, out)
    db.session.commit()
    return module


def test_a_sco_page_on_the_content_origin_is_compressed(client, auth, tree, tmp_path):
    module = _module_with_a_long_page(tmp_path)
    token = make_token(module.published_version_id, tree["hn_learner"].id, None)
    sco = client.get(f"/c/{token}/index.html", headers={"Accept-Encoding": "br", "Host": "content.localhost"},
                     buffered=True)  # the stream is read inside the request
    assert sco.status_code == 200 and sco.mimetype == "text/html"
    assert sco.headers.get("Content-Encoding") == "br"
    assert "Người lao động" in brotli.decompress(sco.get_data()).decode()
    sco.close()


def test_lms_pages_are_never_compressed(client, auth, tree):
    auth.login("hv.nhung")
    page = client.get("/", headers={"Accept-Encoding": "br"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers  # the CSRF token (BREACH)


def test_a_whole_file_gets_brotli_at_the_best_level_and_answers_conditional_requests(client):
    """scorm-again's 1.2 bundle (the launcher's largest script): brotli 11 rather than the streaming level,
    with an ETag of its own (``:br``) that a revalidation matches (304)."""
    first = client.get("/static/vendor/scorm-again/scorm12.min.js", headers={"Accept-Encoding": "gzip, br"})
    body = first.get_data()
    assert first.headers["Content-Encoding"] == "br" and "Accept-Encoding" in first.headers["Vary"]
    assert body == brotli.compress(brotli.decompress(body), quality=11)
    assert first.get_etag()[0].endswith(":br")
    again = client.get("/static/vendor/scorm-again/scorm12.min.js",
                       headers={"Accept-Encoding": "gzip, br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/static/vendor/scorm-again/scorm12.min.js", headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") != "br"  # no brotli asked: Flask-Compress decides as before
