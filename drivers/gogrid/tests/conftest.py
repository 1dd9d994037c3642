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

from gogrid_fake import (  # noqa: E402
    DEFAULT_KEY,
    DEFAULT_SECRET,
    FakeGoGrid,
    LoopbackServer,
    ManualClock,
    SystemClock,
    World,
    serve,
)
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

    def __init__(self, server: LoopbackServer, app: FakeGoGrid, clock: Any) -> None:
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



# -- the driver and our API ------------------------------------------------------------------------

from deltacloud.config import ServerConfig  # noqa: E402
from deltacloud.http.app import create_app  # noqa: E402
from deltacloud.models import Credentials  # noqa: E402
from deltacloud_conformance.client import DeltacloudApi, HttpTransport  # noqa: E402
from deltacloud_conformance.lifecycle import Settings  # noqa: E402
from deltacloud_driver_gogrid import FEATURES, GoGridDriver  # noqa: E402

CREDENTIALS = Credentials(DEFAULT_KEY, DEFAULT_SECRET)


def start_api(provider: str) -> LoopbackServer:
    """Our WSGI app serving the gogrid driver, with ``provider`` as the operator's default, on loopback."""
    return serve(create_app(ServerConfig(driver="gogrid", provider=provider)))


@pytest.fixture(scope="session")
def api_starter() -> Any:
    """``start_api(provider)``: our API serving gogrid with that default provider (stop it when done)."""
    return start_api


@pytest.fixture
def driver(fake: Fake) -> GoGridDriver:
    """The driver on the fake, with the fake account's key and secret."""
    return GoGridDriver(CREDENTIALS, fake.api_url)


@pytest.fixture
def api(fake: Fake) -> Iterator[DeltacloudApi]:
    """A client of our API (gogrid on this test's fake) over HTTP, with the fake account's credentials."""
    server = start_api(fake.api_url)
    transport = HttpTransport(f"{server.url}/api", timeout=20)
    try:
        yield DeltacloudApi(transport, (DEFAULT_KEY, DEFAULT_SECRET))
    finally:
        transport.close()
        server.stop()


# -- the conformance kit's fixtures ------------------------------------------------------------------

@pytest.fixture(scope="session")
def conformance_fake() -> Iterator[Fake]:
    """One fake for the whole suite, on the real clock with short delays (the suite polls, bounded)."""
    clock = SystemClock()
    app = FakeGoGrid(World(clock, id_delay=0.3, power_delay=0.2))
    server = serve(app)
    try:
        yield Fake(server, app, clock)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dc_api(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator[DeltacloudApi]:
    """The suite talks HTTP to our server, which talks HTTP to the fake; with ``--deltacloud-url``,
    to that live server instead (``test_conformance_live.py`` runs ``deltacloudd -i gogrid`` so)."""
    live = pytestconfig.getoption("deltacloud_url")
    server = None if live else start_api(request.getfixturevalue("conformance_fake").api_url)
    transport = HttpTransport(live or f"{server.url}/api", timeout=30)
    try:
        yield DeltacloudApi(transport, (DEFAULT_KEY, DEFAULT_SECRET))
    finally:
        transport.close()
        if server is not None:
            server.stop()


@pytest.fixture(scope="session")
def dc_credentials() -> tuple[str, str]:
    """The fake account's API key and shared secret."""
    return DEFAULT_KEY, DEFAULT_SECRET


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the gogrid driver advertises."""
    return frozenset(FEATURES)


@pytest.fixture(scope="session")
def dc_settings() -> Settings:
    """The fake's delays are short; a handful of launches covers image x realm x profile."""
    return Settings(state_timeout=20.0, max_launches=6)
