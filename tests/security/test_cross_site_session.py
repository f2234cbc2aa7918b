"""A cross-site POST never writes the session cookie (issue 16).

The browser withholds ``SameSite=Lax`` cookies from a cross-site POST, so such a request arrives with no
session; before, the answer (a CSRF error page, or the login form) wrote a fresh anonymous session cookie
that replaced the viewer's real one. A hostile package could log its viewer out by posting from a popup.
"""

from __future__ import annotations

from tests.conftest import csrf_token_from


def _session_cookies(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_a_cross_site_post_without_cookies_sets_no_session_cookie(app):
    stranger = app.test_client()
    response = stranger.post("/login", data={"login": "x", "password": "y"},
                             headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://content.localhost"})
    assert response.status_code == 400  # refused (no CSRF token) …
    assert _session_cookies(response) == []  # … and no cookie to replace the viewer's


def test_a_same_origin_post_still_sets_the_session_cookie(app, tree):
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": "ql.hanoi", "password": "matkhau-123", "csrf_token": token},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302
    assert _session_cookies(response)  # logging in works as before
