"""A test LTI 1.3 platform: a real RSA key, its JWKS, an OAuth2 token endpoint (client credentials with
the tool's signed JWT, checked against the tool's JWKS), an AGS line item receiving scores and an NRPS
memberships endpoint — served over HTTP by a local server thread. It signs id_tokens like Moodle does.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import urlopen

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]


def new_key() -> tuple[Any, str]:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), secrets.token_hex(6)


class TestPlatform:
    """The platform; ``url`` is its origin (the issuer too)."""

    __test__ = False

    def __init__(self) -> None:
        self.key, self.kid = new_key()
        self.client_id = "tool-client-1"
        self.deployment_id = "dep-1"
        self.tool_jwks: dict = {"keys": []}
        self.scores: list[dict] = []
        self.tokens: set[str] = set()
        self.assertions: list[dict] = []
        self.members: list[dict] = []
        #: when set, the token endpoint fetches the tool's JWKS from there (as a real platform does)
        self.tool_jwks_url: str | None = None
        #: the tool's OIDC login URL, for the course page's iframe (browser tests)
        self.tool_login_url: str | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what an admin registers --------------------------------------------------------------------
    def registration(self) -> dict[str, str]:
        return {"name": "Moodle thử nghiệm", "issuer": self.url, "client_id": self.client_id,
                "deployment_ids": self.deployment_id, "auth_login_url": self.url + "/auth",
                "auth_token_url": self.url + "/token", "key_set_url": self.url + "/jwks"}

    @property
    def lineitem(self) -> str:
        return self.url + "/lineitems/7"

    # --- id_tokens ---------------------------------------------------------------------------------------
    def claims(self, nonce: str, *, sub: str = "moodle-user-42", kind: str = "resource", module: str = "ATVSLD",
               roles: list[str] | None = None, **override: Any) -> dict:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.url, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": "Trần Thị Hồng Nhung", "email": "nhung.tran@congdoan.vn",
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "version": "1.3.0",
            CLAIM + "roles": roles or [LEARNER],
            CLAIM + "context": {"id": "course-5", "title": "ATVSLĐ 2026"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.url + "/memberships", "service_versions": ["2.0"]},
        }
        if kind == "deep":
            body[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            body["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque-7"}
            body[CLAIM + "roles"] = roles or [INSTRUCTOR]
        else:
            body[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            body[CLAIM + "resource_link"] = {"id": "rl-1", "title": "ATVSLĐ"}
            body[CLAIM + "custom"] = {"module": module}
            body[CLAIM + "target_link_uri"] = "http://localhost/lti/launch"
            body["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": AGS_SCOPES, "lineitem": self.lineitem, "lineitems": self.url + "/lineitems"}
        body.update(override)
        return body

    def sign(self, body: dict, key: Any = None, kid: str | None = None) -> str:
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def refresh_tool_jwks(self) -> None:
        if self.tool_jwks_url:
            with urlopen(self.tool_jwks_url, timeout=10) as answer:  # noqa: S310 - the test's own server
                self.tool_jwks = json.load(answer)

    def course_page(self) -> str:
        """The platform's course page: the tool launched in an iframe (third-party initiated login)."""
        query = urlencode({"iss": self.url, "login_hint": "42", "client_id": self.client_id,
                           "target_link_uri": self.tool_login_url, "lti_message_hint": "rl-1"})
        return (f'<!doctype html><html><body><h1>Khoá học ATVSLĐ</h1><iframe id="tool" '
                f'src="{self.tool_login_url}?{query}" style="width:1000px;height:640px" '
                f'allow="fullscreen"></iframe></body></html>')

    def auth_answer(self, query: dict[str, str]) -> str:
        """The platform's OIDC authorization answer: the signed id_token posted to the tool."""
        token = self.sign(self.claims(query["nonce"]))
        return (f'<!doctype html><html><body><form id="f" method="post" action="{escape(query["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{escape(query["state"])}"></form>'
                f'<script>document.getElementById("f").submit()</script></body></html>')

    # --- HTTP ----------------------------------------------------------------------------------------------
    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _html(self, html: str) -> None:
                data = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self) -> bool:
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                return token in platform.tokens

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlsplit(self.path).path
                if path == "/jwks":
                    return self._send(200, platform.jwks())
                if path == "/course":
                    return self._html(platform.course_page())
                if path == "/auth":
                    return self._html(platform.auth_answer({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}))
                if path == "/memberships":
                    if not self._authorized():
                        return self._send(401, {"error": "unauthorized"})
                    return self._send(200, {"id": platform.url + "/memberships",
                                            "context": {"id": "course-5"}, "members": platform.members},
                                      "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                return self._send(404, {})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                path = urlsplit(self.path).path
                if path == "/token":
                    return self._token(parse_qs(raw))
                if path == "/lineitems/7/scores":
                    if not self._authorized():
                        return self._send(401, {"error": "unauthorized"})
                    platform.scores.append(json.loads(raw))
                    return self._send(200, {})
                return self._send(404, {})

            def _token(self, form: dict) -> None:
                assertion = (form.get("client_assertion") or [""])[0]
                try:
                    platform.refresh_tool_jwks()
                    kid = jwt.get_unverified_header(assertion)["kid"]
                    jwk = next(k for k in platform.tool_jwks["keys"] if k["kid"] == kid)
                    claims = jwt.decode(assertion, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"],
                                        audience=platform.url + "/token")
                except Exception as exc:  # noqa: BLE001 - any failure is a refusal here
                    return self._send(401, {"error": "invalid_client", "detail": str(exc)})
                if claims["iss"] != platform.client_id or claims["sub"] != platform.client_id:
                    return self._send(401, {"error": "invalid_client"})
                platform.assertions.append(claims)
                token = uuid.uuid4().hex
                platform.tokens.add(token)
                return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                        "scope": (form.get("scope") or [""])[0]})

        return Handler
