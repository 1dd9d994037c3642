"""Google Compute Engine's recorded answers (libcloud's ``compute/fixtures/gce``) over HTTP on loopback.

Two services on one server, as Google runs them on two hosts:

* ``POST /o/oauth2/token``: the service-account JWT-bearer grant. The JWT's RS256 signature is
  checked against the public key the test made, and its issuer against the account's email;
  anything else is 400 ``invalid_grant``, as Google answers.
* ``/compute/v1/projects/PROJECT/...``: needs the issued token (401 otherwise); a GET of
  ``.../a/b-c`` answers the recording ``a_b-c.json`` (libcloud's naming), a path without one is
  404 in Google's error format.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256

from .replay import FIXTURES, ReplayServer, _json, _QuietHandler, _send, _ThreadingWSGIServer

PROJECT = "demo-project"
PREFIX = f"/compute/v1/projects/{PROJECT}/"
TOKEN = "replay-gce-token"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class GceReplay:
    """The WSGI app: the token endpoint, then the recorded Compute API answers."""

    def __init__(self, email: str, public_key: RSAPublicKey) -> None:
        self.email, self.public_key = email, public_key
        self.base = ""
        self.calls: list[tuple[str, str, str]] = []  # (method, Host header, path)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        self.calls.append((method, environ.get("HTTP_HOST", ""), path))
        if method == "POST" and path == "/o/oauth2/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            if self._valid(form):
                return _json(start_response, 200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})
            return _json(start_response, 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}":
            return _json(start_response, 401, {"error": {"code": 401, "message": "Invalid Credentials",
                                                          "errors": [{"reason": "authError"}]}})
        recording = FIXTURES / "compute" / "fixtures" / "gce" / (path[len(PREFIX):].replace("/", "_") + ".json")
        if method == "GET" and path.startswith(PREFIX) and recording.is_file():
            return _send(start_response, 200, recording.read_bytes())
        return _json(start_response, 404, {"error": {"code": 404, "message": f"The resource '{path}' was not found",
                                                      "errors": [{"reason": "notFound"}]}})

    def _valid(self, form: dict[str, list[str]]) -> bool:
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return False
        try:
            header, claims, signature = form["assertion"][0].split(".")
            self.public_key.verify(_b64(signature), f"{header}.{claims}".encode(), PKCS1v15(), SHA256())
            return json.loads(_b64(claims)).get("iss") == self.email
        except (KeyError, ValueError, InvalidSignature):
            return False


def start(email: str, public_key: RSAPublicKey) -> ReplayServer:
    """Serve a ``GceReplay`` on a free loopback port, in a thread."""
    app = GceReplay(email, public_key)
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    app.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return ReplayServer(app.base, app, server, thread)  # type: ignore[arg-type]
