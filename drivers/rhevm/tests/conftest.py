"""Fixtures of the rhevm driver's tests: the fake oVirt engine and the RHEV-M replay server on loopback.

The fake engine (``rhevm_fake``) and the replay server (``rhevm_replay``) live next to the
tests; this directory is put on ``sys.path`` so they import by name (pytest runs with
``--import-mode=importlib``, which does not add it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud_conformance.client import DeltacloudApi, HttpTransport
from deltacloud_conformance.lifecycle import Settings
from deltacloud_driver_rhevm import FEATURES

sys.path.insert(0, str(Path(__file__).parent))

from rhevm_fake import FakeEngine, LoopbackServer, ManualClock, seeded, serve
from rhevm_helpers import OTHER_PASSWORD, OTHER_USER, PASSWORD, USER, FakeSite


@pytest.fixture
def fake() -> Iterator[FakeSite]:
    """A fresh seeded engine with a manual clock, served for one test."""
    clock = ManualClock()
    engine = seeded(clock=clock, users={USER: PASSWORD, OTHER_USER: OTHER_PASSWORD})
    server = serve(FakeEngine(engine))
    try:
        yield FakeSite(engine, clock, server)
    finally:
        engine.unstall()
        server.stop()


# -- a live engine and our API over HTTP (the conformance suite) -----------------------------------

@pytest.fixture(scope="session")
def live() -> Iterator[FakeSite]:
    """One engine for the session on the real clock, ten times faster than the defaults (0.2 s steps)."""
    clock = ManualClock()  # replaced below: the live engine moves by itself
    engine = seeded(users={USER: PASSWORD, OTHER_USER: OTHER_PASSWORD}, delay_scale=0.1)
    server = serve(FakeEngine(engine))
    try:
        yield FakeSite(engine, clock, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def api_config(live: FakeSite) -> ServerConfig:
    """The configuration of the session's API server (tests that change the backend settings restore it)."""
    return ServerConfig(driver="rhevm", provider=live.provider(), allow_private_providers=True)


@pytest.fixture(scope="session")
def api_server(api_config: ServerConfig) -> Iterator[LoopbackServer]:
    """The Deltacloud API, rhevm driver, on the live engine's first data center; clients may pick the other
    one (a loopback URL, so the server allows private providers)."""
    server = serve(create_app(api_config))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def dc_api(api_server: LoopbackServer) -> Iterator[DeltacloudApi]:
    """The conformance suite talks HTTP to our server on loopback."""
    transport = HttpTransport(f"{api_server.url}/api")
    try:
        yield DeltacloudApi(transport, (USER, PASSWORD))
    finally:
        transport.close()


@pytest.fixture(scope="session")
def dc_credentials() -> tuple[str, str]:
    """The live engine's administrator."""
    return USER, PASSWORD


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the rhevm driver advertises."""
    return frozenset(FEATURES)


@pytest.fixture(scope="session")
def dc_settings() -> Settings:
    """Transitions take a fraction of a second on the live engine."""
    return Settings(state_timeout=20.0, max_launches=6)


@pytest.fixture(scope="session")
def dc_user_data_reader(live: FakeSite) -> Callable[[str], bytes | None]:
    """User data as the engine holds it: the VM's cloud-init custom script."""

    def read(instance_id: str) -> bytes | None:
        vm = live.engine.vms.get(instance_id)
        return vm.custom_script.encode() if vm is not None and vm.custom_script else None

    return read
