"""Security headers on every LMS response, set by Flask-Talisman.

* ``Content-Security-Policy`` (:data:`POLICY`): scripts only from the LMS's own files (``script-src
  'self'``: no inline script, no ``eval``, no event-handler attributes — page data travels in ``<script
  type="application/json">`` blocks), no plugins, forms posted only to the LMS, and the LMS framed only by
  itself (``frame-ancestors 'self'``). Sources other features need are added per request with
  :func:`allow` (the package content origin in ``frame-src``; the XBlock consumers' origins in
  ``frame-ancestors`` of a launched module, by :func:`on_response` hooks);
* ``X-Frame-Options: SAMEORIGIN`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: same-origin``, ``Permissions-Policy``;
* ``Strict-Transport-Security`` on HTTPS requests (``LMS_HSTS_SECONDS``, 0 = none). HTTPS itself is the
  reverse proxy's job: nothing is redirected here.

A response that already carries its own ``Content-Security-Policy`` — the package files and the player's
launcher on the content origin (``lms.catalog``, ``lms.player``) — keeps its policy, its
``Referrer-Policy`` and its framing rules untouched; only nosniff and HSTS are added to it.

A JSON response (the run-time commits, the API) is no document: it gets the same headers with the lean
policy :data:`JSON_POLICY` (nothing may load, framed only by the LMS), precomputed, instead of the page
policy built per request — Talisman's per-request option building and the content origin's lookup cost
the commit endpoint ≈ 10 % of its CPU (issue 15). Talisman's two ``before_request`` hooks are not
installed: with ``force_https=False`` and no nonces they do nothing but build options.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, has_request_context, request
from flask_talisman import Talisman

from lms.core.request_checks import https_request

#: the LMS pages' policy; :func:`allow` adds sources per request
POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    # inline style attributes and <style> blocks stay allowed (Bootstrap markup, the launch frames):
    # they cannot run code
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
#: the policy of JSON responses: nothing loads, nothing embeds, framed only by the LMS
JSON_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
#: headers a view's own policy decides (kept as the view set them, or absent)
OWN_POLICY_HEADERS = ("Content-Security-Policy", "Referrer-Policy", "X-Frame-Options")

Sources = Callable[[], Iterable[str | None] | str | None]


class _Talisman(Talisman):
    """Talisman with per-request sources, respect for a view's own policy and a lean, precomputed set for
    JSON responses (see the module)."""

    def init_app(self, app: Flask, **kwargs) -> None:  # type: ignore[override]
        super().init_app(app, **kwargs)
        hooks = app.before_request_funcs.get(None, [])
        hooks[:] = [h for h in hooks if getattr(h, "__self__", None) is not self]  # _force_https, _make_nonce
        self._json_headers: dict[bool, list[tuple[str, str]]] = {}
        app.extensions["lms_talisman"] = self

    def _get_local_options(self) -> dict:
        """Talisman's options with this request's policy; built once per request (Talisman asks 4 times)."""
        options = getattr(request, "_lms_talisman_options", None)
        if options is None:
            options = dict(super()._get_local_options())
            if options.get("content_security_policy") is self.content_security_policy:
                options["content_security_policy"] = policy_for_request()
            request._lms_talisman_options = options  # type: ignore[attr-defined]
        return options

    def _set_response_headers(self, response: Response) -> Response:
        own = {h: response.headers.get(h) for h in OWN_POLICY_HEADERS} \
            if "Content-Security-Policy" in response.headers else None
        if own is None and response.mimetype == "application/json":
            self._set_json_headers(response)
        else:
            super()._set_response_headers(response)
        if own is not None:
            for header, value in own.items():
                response.headers.pop(header, None)
                if value is not None:
                    response.headers[header] = value
        for hook in current_app.extensions.get("lms_header_hooks", []):
            hook(response)
        return response


    def _set_json_headers(self, response: Response) -> None:
        """The JSON header set (:meth:`json_header_list`), HSTS by Talisman's rule for this request."""
        headers = response.headers
        for name, value in self.json_header_list(https_request(request.is_secure, request.headers)):
            headers[name] = value

    def json_header_list(self, https: bool) -> list[tuple[str, str]]:
        """The security headers of a JSON answer, computed once per process from Talisman's own setters (HSTS
        included for an HTTPS request when configured); the lean path (lms.core.lean) sends the same list."""
        found = self._json_headers.get(https)
        if found is None:
            probe = Response()
            options = {"permissions_policy": self.permissions_policy, "frame_options": self.frame_options,
                       "frame_options_allow_from": self.frame_options_allow_from,
                       "content_security_policy": JSON_POLICY, "content_security_policy_nonce_in": []}
            for setter in (self._set_permissions_policy_headers, self._set_frame_options_headers,
                           self._set_content_security_policy_headers):
                setter(probe.headers, options)
            self._set_referrer_policy_headers(probe.headers)
            found = [(k, v) for k, v in probe.headers.items() if k not in ("Content-Type", "Content-Length")]
            if https and self.strict_transport_security:  # Talisman's value (its setter reads the request)
                value = f"max-age={self.strict_transport_security_max_age}"
                value += "; includeSubDomains" if self.strict_transport_security_include_subdomains else ""
                value += "; preload" if self.strict_transport_security_preload else ""
                found.append(("Strict-Transport-Security", value))
            self._json_headers[https] = found
        return found


def _as_list(found: Iterable[str | None] | str | None) -> list[str]:
    if found is None:
        return []
    if isinstance(found, str):
        return [found]
    return [s for s in found if s]


def policy_for_request() -> dict[str, str]:
    """:data:`POLICY` with the sources registered by :func:`allow` for this request."""
    policy = dict(POLICY)
    for directive, sources in current_app.extensions.get("lms_csp_sources", []):
        extra = [s for s in _as_list(sources()) if s not in policy[directive].split()]
        if extra:
            policy[directive] = " ".join([policy[directive], *extra])
    return policy


def allow(app: Flask, directive: str, sources: Sources) -> None:
    """Add the origins ``sources()`` returns (evaluated per request) to ``directive`` of the LMS policy."""
    if directive not in POLICY:
        raise ValueError(f"unknown CSP directive {directive}")
    app.extensions.setdefault("lms_csp_sources", []).append((directive, sources))


def on_response(app: Flask, hook: Callable[[Response], None]) -> None:
    """Run ``hook(response)`` after the security headers are set (e.g. to widen ``frame-ancestors``)."""
    app.extensions.setdefault("lms_header_hooks", []).append(hook)


def add_frame_ancestors(response: Response, origins: Iterable[str]) -> None:
    """Append ``origins`` to the response's ``frame-ancestors`` directive (when it has one) and drop
    ``X-Frame-Options`` (which cannot name other origins; browsers use ``frame-ancestors`` instead)."""
    csp = response.headers.get("Content-Security-Policy", "")
    origins = list(origins)
    if "frame-ancestors" not in csp or not origins:
        return
    directives = [d.strip() for d in csp.split(";") if d.strip()]
    for i, directive in enumerate(directives):
        if directive.startswith("frame-ancestors"):
            have = directive.split()
            directives[i] = " ".join(have + [o for o in origins if o not in have])
    response.headers["Content-Security-Policy"] = "; ".join(directives)
    response.headers.pop("X-Frame-Options", None)


def init_app(app: Flask) -> None:
    """Install the headers (Flask-Talisman) without letting it change the cookie settings."""
    hsts = int(app.config.get("LMS_HSTS_SECONDS", 0) or 0)
    _Talisman(app, force_https=False, content_security_policy=POLICY, frame_options="SAMEORIGIN",
              referrer_policy="same-origin", strict_transport_security=hsts > 0,
              strict_transport_security_max_age=hsts, strict_transport_security_include_subdomains=False,
              session_cookie_secure=False, session_cookie_http_only=True,
              session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"))


def json_header_list(app: Flask, https: bool) -> list[tuple[str, str]]:
    """The security headers every JSON answer of ``app`` gets (see :meth:`_Talisman.json_header_list`).
    Outside a request (the lean path) the list is computed on a probe request: Talisman's setters read it."""
    talisman = app.extensions["lms_talisman"]
    if https not in talisman._json_headers and not has_request_context():
        with app.test_request_context():
            return talisman.json_header_list(https)
    return talisman.json_header_list(https)
