"""Fixtures of the backend toolkit's tests: a loopback JSON cloud, the tiny driver on it, the real app in front.

* ``cloud``: ``JsonCloud``, a threaded ``http.server`` on 127.0.0.1 speaking the tiny driver's JSON,
  counting what it receives per route, per user (the Basic ``Authorization``) and per connection;
  replies can be scripted per route (an error, a 503, a body that is not JSON, a hang).
* ``kit``: the tiny driver (``fixtures/tiny_http_driver.py``) installed as the entry point ``tiny``
  (and ``tinycheck``, its variant with ``launch_checks``); the fixture's value is the module.
* ``start_app``: ``create_app(ServerConfig(...))`` served by a threaded WSGI server on loopback.
* ``start_server``: a real ``deltacloudd`` process with the tiny driver as an installed entry point
  (through the core's shared ``deltacloudd`` fixture).
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from deltacloud import loader
from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.testing import Deltaclouds, ServerProcess, installed_entry_point

FIXTURES = Path(__file__).parent.parent / "fixtures"
#: The cloud's users and their secrets (the secrets must never show in an answer of the API).
USERS = {"alice": "alice-S3cret-pw", "bob": "bob-S3cret-pw"}
#: Longest a hanging reply holds its connection (released at teardown well before that).
HANG_SECONDS = 15.0

Reply = tuple[int, Any, dict[str, str]]
HANG = "hang"

REALMS = {"r1": {"id": "r1", "name": "Realm One"}, "r2": {"id": "r2", "name": "Realm Two"}}
PROFILES = {"small": {"id": "small", "cpu": 1, "memory": 512}, "big": {"id": "big", "cpu": 4, "memory": 4096}}
IMAGES = {"img1": {"id": "img1", "name": "Image One", "owner": "alice"}}


@dataclass(frozen=True)
class Seen:
    """One request the cloud received."""

    method: str
    route: str  # "GET /realms", without the edition prefix (/lite)
    user: str | None
    connection: int
    at: float
    body: bytes


def _missing(kind: str, id: str) -> Reply:
    return 400, {"error": {"code": f"{kind}.Missing", "message": f"{kind} {id} does not exist"}}, {}


class JsonCloud:
    """A small JSON cloud on 127.0.0.1; ``seen`` is every request it got, ``script`` overrides replies."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.scripts: dict[str, list[Reply | str]] = {}
        self.release = threading.Event()
        #: Seconds a hanging reply holds its connection at most.
        self.hang_seconds = HANG_SECONDS
        #: Seconds every reply waits before it is sent (a slow cloud).
        self.delay = 0.0
        self.servers: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self.connection_ids = itertools.count(1)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.cloud = self  # type: ignore[attr-defined]
        if tls is not None:  # the handshake happens in the handler's thread, at its first read
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/"
        self.hostport = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def script(self, route: str, *replies: Reply | str) -> None:
        """Answer the next requests of ``route`` ("GET /realms") with ``replies``, in order."""
        with self.lock:
            self.scripts.setdefault(route, []).extend(replies)

    def count(self, route: str | None = None, user: str | None = None) -> int:
        """How many requests (of ``route``, of ``user``) the cloud received."""
        with self.lock:
            return sum(1 for s in self.seen if (route is None or s.route == route) and (user is None or s.user == user))

    def routes(self) -> list[str]:
        """The routes received, in order."""
        with self.lock:
            return [s.route for s in self.seen]

    def users_per_connection(self) -> dict[int, set[str | None]]:
        """For each TCP connection, the users whose requests came on it."""
        result: dict[int, set[str | None]] = {}
        with self.lock:
            for s in self.seen:
                result.setdefault(s.connection, set()).add(s.user)
        return result

    def _next_scripted(self, route: str) -> Reply | str | None:
        with self.lock:
            queue = self.scripts.get(route)
            return queue.pop(0) if queue else None

    def answer(self, method: str, path: str, user: str | None, password: str | None, body: bytes) -> Reply:
        """The cloud's own behaviour: check the credentials, then serve realms, profiles, images, servers, keys."""
        if user not in USERS or USERS[user] != password:
            return 401, {"error": {"code": "Auth.Denied", "message": "unknown access key"}}, {}
        parts = [p for p in path.split("/") if p]
        tables = {"realms": (REALMS, "Realm"), "profiles": (PROFILES, "Profile"), "images": (IMAGES, "Image"),
                  "servers": (self.servers, "Server"), "keys": (self.keys, "Key")}
        if not parts or parts[0] not in tables or len(parts) > 2:
            return 404, {"error": {"code": "Route.Missing", "message": "no such route"}}, {}
        table, kind = tables[parts[0]]
        if method == "GET":
            if len(parts) == 1:
                return 200, list(table.values()), {}
            return (200, table[parts[1]], {}) if parts[1] in table else _missing(kind, parts[1])
        if method == "DELETE" and len(parts) == 2:
            return (204, b"", {}) if table.pop(parts[1], None) is not None else _missing(kind, parts[1])
        if method == "POST" and len(parts) == 1 and parts[0] in ("servers", "keys"):
            return self._create(parts[0], json.loads(body or b"{}"), user or "")
        return 400, {"error": {"code": "Bad.Request", "message": f"{method} is not allowed here"}}, {}

    def _create(self, what: str, data: dict[str, Any], user: str) -> Reply:
        id = f"{what[0]}{next(self._ids)}"
        if what == "keys":
            self.keys[id] = {"id": id, "name": data.get("name") or id, "fingerprint": f"fp:{id}"}
            return 201, self.keys[id], {}
        if data.get("image") not in IMAGES:
            return _missing("Image", str(data.get("image")))
        if data.get("realm") not in REALMS:
            return _missing("Realm", str(data.get("realm")))
        self.servers[id] = {"id": id, "name": data.get("name") or id, "owner": user, "image": data["image"],
                            "realm": data["realm"], "profile": data["profile"], "files": data.get("files"),
                            "iso": data.get("iso")}
        return 201, self.servers[id], {}

    def close(self) -> None:
        """Release hanging replies and stop serving."""
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a pooled session shows as one connection
    timeout = 10  # an idle kept-alive connection ends after this

    def setup(self) -> None:
        super().setup()
        self.connection_id = next(self.server.cloud.connection_ids)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_GET  # noqa: N815

    def _serve(self) -> None:
        cloud: JsonCloud = self.server.cloud  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        path = path[len("/lite"):] if path.startswith("/lite/") else path
        user = password = None
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme == "Basic":
            user, _, password = base64.b64decode(token).decode().partition(":")
        route = f"{self.command} /{path.strip('/')}"
        with cloud.lock:
            cloud.seen.append(Seen(self.command, route, user, self.connection_id, time.monotonic(), body))
        reply = cloud._next_scripted(route)
        if cloud.delay:
            time.sleep(cloud.delay)
        if reply == HANG:
            cloud.release.wait(cloud.hang_seconds)
            reply = (200, [], {})
        status, payload, headers = reply if isinstance(reply, tuple) else cloud.answer(
            self.command, path, user, password, body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout): nothing to answer to


@pytest.fixture
def cloud() -> Iterator[JsonCloud]:
    """The loopback JSON cloud, stopped at teardown."""
    backend = JsonCloud()
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def tls_cloud(tmp_path: Path) -> Iterator[JsonCloud]:
    """The JSON cloud over HTTPS with a self-signed certificate for 127.0.0.1 (``tls_cloud.ca`` is its PEM)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cloud-cert.pem", tmp_path / "cloud-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    backend = JsonCloud(context)
    backend.ca = str(cert)  # type: ignore[attr-defined]
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Any]:
    """The tiny driver module, installed as ``tiny`` and ``tinycheck``; its pool emptied at teardown."""
    shutil.copy(FIXTURES / "tiny_http_driver.py", tmp_path / "tiny_http_driver.py")
    with installed_entry_point(tmp_path, "tiny", "tiny_http_driver:TinyHttpDriver"), \
            installed_entry_point(tmp_path, "tinycheck", "tiny_http_driver:TinyCheckingDriver"):
        import tiny_http_driver

        try:
            yield tiny_http_driver
        finally:
            tiny_http_driver.POOL.clear()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def start_app(kit: Any, cloud: JsonCloud) -> Iterator[Callable[..., str]]:
    """Serve ``create_app(ServerConfig(driver="tiny", provider=<the cloud>, **changes))``; returns its /api URL."""
    servers: list[tuple[WSGIServer, threading.Thread]] = []

    def start(**changes: Any) -> str:
        settings: dict[str, Any] = {"driver": "tiny", "provider": cloud.url, **changes}
        httpd = make_server("127.0.0.1", 0, create_app(ServerConfig(**settings)), server_class=_ThreadingWSGIServer,
                            handler_class=_QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((httpd, thread))
        return f"http://127.0.0.1:{httpd.server_address[1]}/api"

    try:
        yield start
    finally:
        cloud.release.set()
        for httpd, thread in servers:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)
        loader.configure(ServerConfig())  # later tests see the default backend settings


@pytest.fixture
def start_server(deltacloudd: Deltaclouds, kit: Any, tmp_path: Path) -> Callable[..., ServerProcess]:
    """Start a real ``deltacloudd -i tiny ARGS`` (the tiny driver as an installed entry point).

    Through the core's shared ``deltacloudd`` fixture, which stops the servers at teardown; keyword
    arguments are environment variables of the server.
    """

    def start(*args: str, driver: str = "tiny", **env: str) -> ServerProcess:
        return deltacloudd.start(*args, driver=driver, env=env, pythonpath=[tmp_path])

    return start


def basic(user: str, password: str | None = None) -> tuple[str, str]:
    """Credentials of a cloud user for ``requests``."""
    return user, USERS[user] if password is None else password


@pytest.fixture
def alice() -> tuple[str, str]:
    """Alice's credentials."""
    return basic("alice")


@pytest.fixture
def bob() -> tuple[str, str]:
    """Bob's credentials."""
    return basic("bob")
