"""Transfer (lms/core/transfer.py): text responses compressed for browsers that accept it; static files
fingerprinted by content and cacheable for a year under their fingerprint only."""

from __future__ import annotations

import re

import brotli

from lms.core.transfer import STATIC_MAX_AGE, fingerprint


def static_url(client, filename: str) -> str:
    """The fingerprinted URL the login page links (``url_for('static', …)``)."""
    html = client.get("/login").get_data(as_text=True)
    match = re.search(rf'"(/static/{re.escape(filename)}\?v=[0-9a-f]{{12}})"', html)
    assert match, f"no fingerprinted link to {filename}"
    return match.group(1)


def test_static_and_json_are_compressed_for_browsers_that_accept_it(client):
    plain = client.get("/api/openapi.yaml")
    assert "Content-Encoding" not in plain.headers  # nothing asked: nothing compressed
    zipped = client.get("/static/js/player.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] in ("gzip", "br") and "Accept-Encoding" in zipped.headers["Vary"]


def test_html_pages_are_never_compressed(client):
    """A page holds the CSRF token: compressing it beside reflected text leaks the token (BREACH)."""
    page = client.get("/login", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert 'name="csrf_token"' in page.get_data(as_text=True)


def test_static_files_are_fingerprinted_and_cached_for_a_year(app, client):
    url = static_url(client, "css/app.css")
    assert url.endswith("?v=" + fingerprint(app.static_folder, "css/app.css"))
    resp = client.get(url, headers={"Accept-Encoding": "br"})
    assert resp.status_code == 200
    cache = resp.headers["Cache-Control"]
    assert f"max-age={STATIC_MAX_AGE}" in cache and "immutable" in cache and "public" in cache
    assert resp.headers["Content-Encoding"] == "br"
    assert brotli.decompress(resp.get_data()).startswith(b"/*")
    resp.close()


def test_a_stale_or_missing_fingerprint_is_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        resp = client.get(url)
        assert resp.status_code == 200 and "immutable" not in resp.headers.get("Cache-Control", ""), url
        assert f"max-age={STATIC_MAX_AGE}" not in resp.headers.get("Cache-Control", ""), url
        resp.close()


def test_a_fingerprint_never_reads_outside_the_static_folder(app):
    assert fingerprint(app.static_folder, "../__init__.py") is None
    assert fingerprint(app.static_folder, "css/none.css") is None


def test_a_byte_range_is_sent_as_is(client):
    resp = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br", "Range": "bytes=0-9"})
    assert resp.status_code == 206 and "Content-Encoding" not in resp.headers
    assert resp.get_data() == b"/* Small a"
    resp.close()
