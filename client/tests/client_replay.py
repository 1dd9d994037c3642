"""A loopback HTTP server that answers the recorded requests of the original Deltacloud server.

It loads VCR cassettes (``http_interactions``) and answers each request with the recorded response
whose request matches: method, path, parameters (query string and form body merged, as the
original server merged them; ``format`` is read as the ``Accept`` it stands for), the kind of
``Accept``, whether credentials were sent (when both were recorded), and the driver and provider
headers. Requests that match several interactions get them in recorded order (the last one repeats). The recorded host
(``http://localhost:3001``) is replaced by the replay server's own in bodies and ``Location``.
``force_auth`` matches whatever its value (the original read any value as on). A request nothing
matches gets a ``599`` naming it, so a test sees exactly what the client sent.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

RECORDED_HOST = "http://localhost:3001"
#: Copies of ``shared/reference/recordings/deltacloud-server*`` (see ``recordings/README.md``).
RECORDINGS = Path(__file__).with_name("recordings")


def accept_kind(accept: str | None, query: dict[str, str]) -> str:
    """``xml``, ``json``, ``html``, ``any`` or ``none`` for an ``Accept`` header (``?format=`` wins)."""
    if query.get("format"):
        return {"xml": "xml", "json": "json", "html": "html"}.get(query["format"], query["format"])
    if not accept:
        return "none"
    accept = accept.lower()
    for kind in ("json", "xml", "html"):
        if kind in accept:
            return kind
    return "any" if "*/*" in accept else accept


def request_key(method: str, uri: str, body: str, headers: dict[str, str | None]) -> tuple[Any, ...]:
    """What identifies a request for replay (see the module's docstring)."""
    parts = urlsplit(uri)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    form = dict(parse_qsl(body or "", keep_blank_values=True))
    kind = accept_kind(headers.get("accept"), query)
    params = {k: v for k, v in {**query, **form}.items() if k != "format"}
    if "force_auth" in params:  # any value turned it on in the original ("1", "true")
        params["force_auth"] = "on"
    return (method.upper(), parts.path, tuple(sorted(params.items())), kind, bool(headers.get("authorization")),
            (headers.get("x-deltacloud-driver") or "").lower() or None,
            (headers.get("x-deltacloud-provider") or "").lower() or None)


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        return str(values[0]) if values else None
    return None if values is None else str(values)


@dataclass
class Interaction:
    """One recorded request and its response."""

    method: str
    uri: str
    body: str
    headers: dict[str, str | None]
    status: int
    response_headers: dict[str, str]
    response_body: str

    @property
    def key(self) -> tuple[Any, ...]:
        """The replay key of the recorded request."""
        return request_key(self.method, self.uri, self.body, self.headers)

    @property
    def path(self) -> str:
        """The recorded path."""
        return urlsplit(self.uri).path


def load(path: Path) -> list[Interaction]:
    """The interactions of one cassette (parsed once per process)."""
    return list(_load(path))


@functools.cache
def _load(path: Path) -> tuple[Interaction, ...]:
    document = yaml.safe_load(path.read_text())
    found = []
    for item in document["http_interactions"]:
        request, response = item["request"], item["response"]
        headers = {k.lower(): _first(v) for k, v in (request.get("headers") or {}).items()}
        response_headers = {k.lower(): _first(v) or "" for k, v in (response.get("headers") or {}).items()}
        found.append(Interaction(request["method"], request["uri"], (request.get("body") or {}).get("string") or "",
                                 headers, int(response["status"]["code"]), response_headers,
                                 (response.get("body") or {}).get("string") or ""))
    return tuple(found)


@dataclass
class Replay:
    """The state of one replay server: the interactions, a cursor per key, and what was asked."""

    interactions: list[Interaction]
    base: str = ""
    cursors: dict[tuple[Any, ...], int] = field(default_factory=dict)
    served: list[Interaction] = field(default_factory=list)
    unmatched: list[tuple[Any, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, key: tuple[Any, ...]) -> Interaction | None:
        """The next recorded interaction for ``key``."""
        with self.lock:
            matches = [i for i in self.interactions if i.key == key]
            if not matches:  # credentials matter only where both answers were recorded
                loose = key[:4] + key[5:]
                matches = [i for i in self.interactions if i.key[:4] + i.key[5:] == loose]
            if not matches:
                self.unmatched.append(key)
                return None
            index = self.cursors.get(key, 0)
            self.cursors[key] = index + 1
            chosen = matches[min(index, len(matches) - 1)]
            self.served.append(chosen)
            return chosen


class _Handler(BaseHTTPRequestHandler):
    replay: Replay

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        key = request_key(self.command, self.path, body, headers)
        found = self.replay.answer(key)
        if found is None:
            payload = f"no recorded interaction for {key!r}".encode()
            self.send_response(599)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        payload = found.response_body.replace(RECORDED_HOST, self.replay.base).encode()
        self.send_response(found.status)
        for name, value in found.response_headers.items():
            if name in ("content-length", "connection", "transfer-encoding", "date", "server"):
                continue
            self.send_header(name, value.replace(RECORDED_HOST, self.replay.base))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        """Answer a GET."""
        self._serve()

    def do_POST(self) -> None:
        """Answer a POST."""
        self._serve()

    def do_PUT(self) -> None:
        """Answer a PUT."""
        self._serve()

    def do_DELETE(self) -> None:
        """Answer a DELETE."""
        self._serve()

    def do_HEAD(self) -> None:
        """Answer a HEAD."""
        self._serve()

    def do_OPTIONS(self) -> None:
        """Answer an OPTIONS."""
        self._serve()


@contextmanager
def serve(interactions: list[Interaction]) -> Iterator[Replay]:
    """Run a replay server on a free loopback port while the block runs."""
    replay = Replay(interactions)
    handler = type("Handler", (_Handler,), {"replay": replay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    replay.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
