"""Fixtures of the gogrid driver's tests: the fake GoGrid and the recordings, served over HTTP on loopback.

The fake (``gogrid_fake``) and the replay server (``gogrid_replay``) live next to this file;
this directory is put on ``sys.path`` so tests and ``python -m gogrid_fake`` import them alike.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from gogrid_fake import DEFAULT_KEY, DEFAULT_SECRET, FakeGoGrid, LoopbackServer, ManualClock, World, serve  # noqa: E402
from gogrid_fake.app import signature  # noqa: E402


class FakeClient:
    """Signed calls to a fake GoGrid, as a GoGrid client would make them (independent of the driver)."""

    def __init__(self, url: str, clock: Any, api_key: str = DEFAULT_KEY, secret: str = DEFAULT_SECRET) -> None:
        self.url, self.clock, self.api_key, self.secret = url, clock, api_key, secret
        self.http = requests.Session()
        self.http.trust_env = False

    def call(self, path: str, *, skew: float = 0.0, sig: str | None = None, method: str = "GET",
             **params: str) -> requests.Response:
        """``path`` with the auth parameters, signed at the fake's clock plus ``skew`` seconds."""
        query = {"api_key": self.api_key, "v": "1.9", "format": "json",
                 "sig": sig if sig is not None else signature(self.api_key, self.secret, self.clock.time() + skew)}
        query.update(params)
        return self.http.request(method, f"{self.url}/api{path}", params=query, timeout=10)

    def ok(self, path: str, **params: str) -> list[dict[str, Any]]:
        """The ``list`` of a successful call (asserting it succeeded)."""
        response = self.call(path, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success" and body["method"] == path, body
        return body["list"]


class Fake:
    """A fake GoGrid on loopback with a manual clock: its app, world, clock, base URL and a client."""

    def __init__(self, server: LoopbackServer, app: FakeGoGrid, clock: ManualClock) -> None:
        self.server, self.app, self.world, self.clock = server, app, app.world, clock
        self.url = server.url
        self.api_url = f"{server.url}/api"
        self.client = FakeClient(server.url, clock)

    def settle(self) -> None:
        """Let every pending change (ids, power transitions) complete."""
        self.clock.advance(max(self.world.id_delay, self.world.power_delay) + 1)


@pytest.fixture
def fake() -> Iterator[Fake]:
    """A fresh fake GoGrid (manual clock at the real time; ids after 30 s, power in 10 s) for one test."""
    clock = ManualClock(time.time())
    app = FakeGoGrid(World(clock, id_delay=30, power_delay=10))
    server = serve(app)
    try:
        yield Fake(server, app, clock)
    finally:
        server.stop()

