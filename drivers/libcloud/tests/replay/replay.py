"""A replay of libcloud's own recorded API answers, served over HTTP on loopback.

libcloud's wheel ships the answers its test-suite replays (``libcloud/test/compute/fixtures/``);
this WSGI app serves them at the paths the real APIs use, read from the installed package at
run time (nothing is copied into this repository). It is a replay, not a fake: writes are
answered with the recorded answer and change nothing.

Rules of its own, so errors can be tested too: the identity service accepts only
``REPLAY_USER``/``REPLAY_PASSWORD`` (401 otherwise), every other call needs the recorded
token (401 otherwise), and a path without a recording is a 404 in the cloud's error format.
The identity service takes Keystone v2 password or Rackspace API-key credentials, and its
answer's service catalog is rewritten to point at this server.
"""

from __future__ import annotations

import base64
import json
import re
import socketserver
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import libcloud

FIXTURES = Path(libcloud.__file__).parent / "test"
REPLAY_USER, REPLAY_PASSWORD = "demo", "replay-secret"
#: The token in the recorded Keystone v2 answer.
TOKEN = "aaaaaaaaaaaa-bbb-cccccccccccccc"
#: The hosts of the recorded service catalog's endpoints (all of them point here once served).
RECORDED_HOSTS = re.compile(r"https://[A-Za-z0-9_.-]+")

#: (method, path regex, status, fixture file under FIXTURES or "" for none[, extra headers])
Route = tuple[str, str, int, str] | tuple[str, str, int, str, dict[str, str]]

OPENSTACK_ROUTES: list[Route] = [
    ("GET", r"/v2/1337/servers/detail", 200, "compute/fixtures/openstack_v1_1/_servers_detail.json"),
    ("GET", r"/v2/1337/servers/12064", 200, "compute/fixtures/openstack_v1_1/_servers_12064.json"),
    ("POST", r"/v2/1337/servers", 202, "compute/fixtures/openstack_v1_1/_servers_create.json"),
    ("GET", r"/v2/1337/flavors(/detail)?", 200, "compute/fixtures/openstack_v1_1/_flavors_detail.json"),
    ("GET", r"/v2/1337/images/detail", 200, "compute/fixtures/openstack_v1_1/_images_detail.json"),
    ("GET", r"/v2/1337/os-keypairs", 200, "compute/fixtures/openstack_v1_1/_os_keypairs.json"),
]

_SWIFT = r"/v1/MossoCloudFS_11111-111111111-1111111111-1111111"
#: Cloud Files (Swift) of the recorded catalog's ORD region. A HEAD of a container answers with
#: the counts the recorded account listing gives it (libcloud's recording has no such answer).
CLOUDFILES_ROUTES: list[Route] = [
    ("GET", _SWIFT, 200, "storage/fixtures/cloudfiles/list_containers.json"),
    ("HEAD", _SWIFT + "/container1", 204, "",
     {"x-container-object-count": "4", "x-container-bytes-used": "3484450"}),
    ("GET", _SWIFT + "/container1", 200, "storage/fixtures/cloudfiles/list_container_objects.json"),
]


class Replay:
    """The WSGI app: Keystone v2 tokens, then the recorded Nova answers."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = [(r[0], re.compile(r[1] + r"/?"), r[2], r[3], r[4] if len(r) > 4 else {})  # type: ignore[misc]
                       for r in routes]
        self.base = ""
        self.calls: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        self.calls.append((method, path))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if method == "POST" and path.rstrip("/") == "/v2.0/tokens":
            return self._tokens(body, start_response)
        if environ.get("HTTP_X_AUTH_TOKEN") != TOKEN:
            return _json(start_response, 401, {"unauthorized": {"code": 401, "message": "token required"}})
        for route_method, pattern, status, name, headers in self.routes:
            if route_method == method and pattern.fullmatch(path):
                if "marker=" in environ.get("QUERY_STRING", ""):
                    return _send(start_response, 204, b"")  # a recorded listing is one page: nothing after it
                return _send(start_response, status, (FIXTURES / name).read_bytes() if name else b"", headers)
        return _json(start_response, 404, {"itemNotFound": {"code": 404, "message": "no recording for this path"}})

    def _tokens(self, body: bytes, start_response: Callable[..., Any]) -> list[bytes]:
        try:
            auth = json.loads(body)["auth"]
            creds = auth.get("passwordCredentials") or auth["RAX-KSKEY:apiKeyCredentials"]
            given = (creds.get("username"), creds.get("password") or creds.get("apiKey"))
        except (ValueError, KeyError, TypeError, AttributeError):
            return _json(start_response, 400, {"badRequest": {"code": 400, "message": "malformed request"}})
        if given != (REPLAY_USER, REPLAY_PASSWORD):
            return _json(start_response, 401, {"unauthorized": {"code": 401, "message": "bad credentials"}})
        recorded = (FIXTURES / "compute" / "fixtures" / "openstack" / "_v2_0__auth.json").read_text()
        return _send(start_response, 200, RECORDED_HOSTS.sub(self.base, recorded).encode())


class VCloudReplay:
    """vCloud Director 1.5: ``POST /api/sessions`` with Basic credentials, then the recorded documents.

    A GET of ``/api/a/b-c`` answers the recording ``vcloud_1_5/api_a_b_c.xml`` (libcloud's own
    naming); a recording that is a vCloud ``Error`` document is answered with its status.
    """

    USER = f"{REPLAY_USER}@MyOrg"  # the organisation of the recorded session
    TOKEN = "replay-vcloud-token"

    def __init__(self) -> None:
        self.base = ""
        self.calls: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "").rstrip("/")
        self.calls.append((method, path))
        recordings = FIXTURES / "compute" / "fixtures" / "vcloud_1_5"
        if method == "POST" and path == "/api/sessions":
            expected = "Basic " + base64.b64encode(f"{self.USER}:{REPLAY_PASSWORD}".encode()).decode()
            if environ.get("HTTP_AUTHORIZATION") != expected:
                return _send(start_response, 401, b"", {"Content-Type": "application/xml"})
            return _send(start_response, 200, (recordings / "api_sessions.xml").read_bytes(),
                         {"x-vcloud-authorization": self.TOKEN})
        if environ.get("HTTP_X_VCLOUD_AUTHORIZATION") != self.TOKEN:
            return _send(start_response, 401, b"")
        recording = recordings / (path.strip("/").replace("/", "_").replace("-", "_") + ".xml")
        if method != "GET" or not path.startswith("/api/") or not recording.is_file():
            return _send(start_response, 404, b"")
        data = recording.read_bytes()
        error = re.search(rb"<(?:\w+:)?Error [^>]*majorErrorCode=\"(\d+)\"", data)
        return _send(start_response, int(error.group(1)) if error else 200, data)


def _send(start_response: Callable[..., Any], status: int, data: bytes,
          headers: dict[str, str] | None = None) -> list[bytes]:
    reason = {200: "OK", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
              403: "Forbidden", 404: "Not Found"}[status]
    fields = {"Content-Type": "application/json; charset=UTF-8", **(headers or {}), "Content-Length": str(len(data))}
    if data.lstrip().startswith(b"<"):
        fields["Content-Type"] = "application/xml"
    start_response(f"{status} {reason}", list(fields.items()))
    return [data]


def _json(start_response: Callable[..., Any], status: int, doc: dict[str, Any]) -> list[bytes]:
    return _send(start_response, status, json.dumps(doc).encode())


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""


@dataclass
class ReplayServer:
    """A ``Replay`` on a free loopback port, in a thread."""

    url: str
    app: Replay | VCloudReplay
    server: Any
    thread: threading.Thread

    @classmethod
    def start(cls, routes: Iterable[Route] | None = None) -> ReplayServer:
        """Serve the replay of ``routes`` (OpenStack-style), or vCloud's when ``routes`` is None."""
        app: Replay | VCloudReplay = Replay(routes) if routes is not None else VCloudReplay()
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        app.base = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        return cls(app.base, app, server, thread)

    def stop(self) -> None:
        """Shut down and wait (bounded) for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
