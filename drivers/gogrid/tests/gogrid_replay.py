"""A replay server for the recorded GoGrid traffic (VCR cassettes), as a WSGI application.

A request matches a recorded one when the path and every query parameter agree (GET and POST
alike: the recorded client sent every call as GET, the driver sends changes as POST, and GoGrid
takes either), except the redacted ones: ``sig`` is ignored and ``api_key`` matches any value except the
deliberately wrong key ``unknown`` that the wrong-credentials recording kept. Recorded answers
to the same request are served in recording order; the last one repeats. A request nothing
matches gets a 404 and is kept in ``misses`` so tests can assert there were none.

Run it alone for manual trials: ``cd drivers/gogrid/tests && python gogrid_replay.py --port 8091``.
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

RECORDINGS = Path(__file__).with_name("recordings")
#: The cassette that shows the test server after it got its id (the others show it just added).
RUNNING_CASSETTES = ("instances_test_class-5.yml", "instances_destroy_test_instance.yml")
_IGNORED = ("sig",)
_WRONG_KEY = "unknown"
Key = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Answer:
    """One recorded response."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def request_key(method: str, path: str, query: str) -> Key:
    """What a request is matched on: method, path, the parameters without the redacted ones."""
    params = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in _IGNORED:
            continue
        if name == "api_key":
            value = _WRONG_KEY if value == _WRONG_KEY else "REDACTED"
        params.append((name, value))
    method = method.upper()
    return "GET" if method == "POST" else method, path, tuple(sorted(params))


@functools.cache
def interactions(path: Path) -> list[dict[str, Any]]:
    """The interactions of one cassette (parsed once per process; C loader when PyYAML has it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(), Loader=loader)["http_interactions"]


def load(paths: Iterable[Path]) -> dict[Key, list[Answer]]:
    """The interactions of the cassettes, grouped by request; identical repeated answers kept once."""
    table: dict[Key, list[Answer]] = {}
    for path in paths:
        for interaction in interactions(path):
            request, response = interaction["request"], interaction["response"]
            uri = urlsplit(request["uri"])
            key = request_key(request["method"], uri.path, uri.query)
            headers = tuple((name, value) for name, values in (response.get("headers") or {}).items()
                            for value in values
                            if name.lower() in ("content-type", "x-mashery-error-code"))
            answer = Answer(int(response["status"]["code"]), response["status"].get("message") or "",
                            headers, response["body"]["string"].encode())
            answers = table.setdefault(key, [])
            if not answers or answers[-1] != answer:
                answers.append(answer)
    return table


def cassettes(*, running: bool = False) -> list[Path]:
    """The recorded account as most cassettes show it (the test server just added, no id yet), or,
    with ``running``, the two cassettes where it has its id and is on."""
    every = sorted(RECORDINGS.glob("*.yml"))
    if running:
        return [p for p in every if p.name in RUNNING_CASSETTES]
    return [p for p in every if p.name not in RUNNING_CASSETTES]


class Replay:
    """The WSGI application answering from ``table``."""

    def __init__(self, table: Mapping[Key, Sequence[Answer]]) -> None:
        self.table = {key: list(answers) for key, answers in table.items()}
        self.served: dict[Key, int] = {}
        self.misses: list[Key] = []
        self.hits: list[Key] = []
        self._lock = threading.Lock()

    def __call__(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """Answer one request from the recordings, or 404."""
        key = request_key(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""),
                          environ.get("QUERY_STRING", ""))
        with self._lock:
            answers = self.table.get(key)
            if not answers:
                self.misses.append(key)
                answer = Answer(404, "Not Found", (("Content-Type", "text/plain"),), b"not recorded")
            else:
                index = self.served.get(key, 0)
                answer = answers[min(index, len(answers) - 1)]
                self.served[key] = index + 1
                self.hits.append(key)
        start_response(f"{answer.status} {answer.reason}",
                       [*answer.headers, ("Content-Length", str(len(answer.body)))])
        return [answer.body]


def main(argv: list[str] | None = None) -> int:
    """Serve the recordings on loopback until interrupted."""
    sys.path.insert(0, str(Path(__file__).parent))
    from gogrid_fake.serve import serve

    parser = argparse.ArgumentParser(description="Replay the recorded GoGrid traffic on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--running", action="store_true", help="the account with the test server on")
    args = parser.parse_args(argv)
    server = serve(Replay(load(cassettes(running=args.running))), args.port)
    print(f"GoGrid recordings replayed at {server.url}/api", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
