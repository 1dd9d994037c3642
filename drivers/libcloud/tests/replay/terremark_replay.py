"""Terremark vCloud Express (vCloud API 0.8): libcloud's recorded documents over HTTP on loopback.

``POST /api/v0.8/login`` with the accepted Basic credentials answers the recorded login and a
session cookie (401 otherwise); every other request needs that cookie (401 otherwise). A GET
of ``/api/v0.8/a/b`` answers the recording ``api_v0_8_a_b.xml``; anything else is 404.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import make_server

from .replay import FIXTURES, REPLAY_PASSWORD, REPLAY_USER, ReplayServer, _QuietHandler, _send, _ThreadingWSGIServer

COOKIE = "vcloud-token=replay-terremark-token"


class TerremarkReplay:
    """The WSGI app: the cookie login, then the recorded documents."""

    USER = f"{REPLAY_USER}@example.com"

    def __init__(self) -> None:
        self.base = ""
        self.calls: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "").rstrip("/")
        self.calls.append((method, path))
        recordings = FIXTURES / "compute" / "fixtures" / "terremark"
        if method == "POST" and path == "/api/v0.8/login":
            expected = "Basic " + base64.b64encode(f"{self.USER}:{REPLAY_PASSWORD}".encode()).decode()
            if environ.get("HTTP_AUTHORIZATION") != expected:
                return _send(start_response, 401, b"")
            return _send(start_response, 200, (recordings / "api_v0_8_login.xml").read_bytes(),
                         {"Set-Cookie": COOKIE})
        if environ.get("HTTP_COOKIE") != COOKIE:
            return _send(start_response, 401, b"")
        recording = recordings / (path.strip("/").replace("/", "_").replace(".", "_") + ".xml")
        if method != "GET" or not path.startswith("/api/v0.8/") or not recording.is_file():
            return _send(start_response, 404, b"")
        return _send(start_response, 200, recording.read_bytes())


def start() -> ReplayServer:
    """Serve a ``TerremarkReplay`` on a free loopback port, in a thread."""
    app = TerremarkReplay()
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    app.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return ReplayServer(app.base, app, server, thread)  # type: ignore[arg-type]
