"""Replay the real RHEV-M 3.1 recordings over HTTP: a loopback server that answers the recorded requests.

The cassettes (``recordings/``, VCR YAML, see its README) were recorded against
``https://fakeuser:fakepassword@rhevm.example.com/api``. ``Replay`` indexes them by method, path
and query (parsed, so ``search=datacenter%3Discsi`` matches ``search=datacenter=iscsi``); the
body of a request is not compared. When several recordings share a request, the first is
answered, or, with ``sequential=True``, each in the order the cassettes were given, the last
one repeating (to replay a scenario such as create, poll, destroy). A request with other credentials
than the recorded ones gets the recorded 401; a request nobody recorded gets a plain 599 and is
listed in ``unmatched``, so a test can prove the driver asked only what a real engine answered.

``python drivers/rhevm/tests/rhevm_replay.py [--port N]`` serves every cassette by hand.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

#: Where the cassettes are.
RECORDINGS = Path(__file__).resolve().parent / "recordings"
#: The credentials the recordings were made with (placeholders already in the original).
USER, PASSWORD = "fakeuser", "fakepassword"
#: The recorded engine's one data center.
DATA_CENTER = "b9bb11c2-f397-4f41-a57b-7ac15a894779"
_WRONG_CREDENTIALS = "test_0001_must_throw_error_when_wrong_credentials.yml"


@dataclass(frozen=True)
class Recorded:
    """One recorded response."""

    status: int
    reason: str
    content_type: str
    body: bytes


Key = tuple[str, str, tuple[tuple[str, str], ...]]


def _key(method: str, uri: str) -> Key:
    parts = urlsplit(uri)
    return method.upper(), parts.path.rstrip("/") or "/", tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def load(path: Path) -> list[tuple[Key, Recorded]]:
    """The interactions of one cassette, in order."""
    data = yaml.safe_load(path.read_text())
    result = []
    for item in data["http_interactions"]:
        request, response = item["request"], item["response"]
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        content_type = (headers.get("content-type") or ["application/xml"])[0]
        body = (response.get("body") or {}).get("string") or ""
        recorded = Recorded(int(response["status"]["code"]), response["status"].get("message") or "",
                            content_type, body.encode("utf-8"))
        result.append((_key(request["method"], request["uri"]), recorded))
    return result


@dataclass
class Replay:
    """A WSGI app answering the requests recorded in ``cassettes`` (file names in ``RECORDINGS``)."""

    cassettes: Iterable[str] = ()
    sequential: bool = False
    answers: dict[Key, list[Recorded]] = field(default_factory=dict)
    served: list[Key] = field(default_factory=list)
    unmatched: list[Key] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        names = list(self.cassettes) or sorted(p.name for p in RECORDINGS.glob("test_*.yml"))
        for name in names:
            if name == _WRONG_CREDENTIALS:
                continue
            for key, recorded in load(RECORDINGS / name):
                self.answers.setdefault(key, []).append(recorded)
        self.refused = load(RECORDINGS / _WRONG_CREDENTIALS)[0][1]
        self._expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        uri = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
        key = _key(environ["REQUEST_METHOD"], uri)
        with self._lock:
            if environ.get("HTTP_AUTHORIZATION") != self._expected:
                answer: Recorded | None = self.refused
            else:
                queue = self.answers.get(key)
                answer = (queue.pop(0) if self.sequential and len(queue) > 1 else queue[0]) if queue else None
            if answer is None:
                self.unmatched.append(key)
                body = f"not recorded: {key}".encode()
                start_response("599 Not Recorded", [("Content-Type", "text/plain"),
                                                    ("Content-Length", str(len(body)))])
                return [body]
            self.served.append(key)
        headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
        if answer.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="ENGINE"'))
        start_response(f"{answer.status} {answer.reason}", headers)
        return [answer.body]


if __name__ == "__main__":
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from rhevm_fake.server import serve

    parser = argparse.ArgumentParser(description="Serve the RHEV-M recordings on loopback")
    parser.add_argument("--port", type=int, default=8081)
    server = serve(Replay(), parser.parse_args().port, quiet=False)
    print(f"replaying RHEV-M on {server.url}/api (provider: {server.url}/api;{DATA_CENTER}, "
          f"credentials {USER}:{PASSWORD})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
