"""Fixtures of the client's tests: a live ``deltacloudd`` with the mock driver, and clients of it.

The server is the real one, started with ``deltacloud.testing.start_deltacloudd`` on loopback with
a store of its own and a short transition delay, so waits are short. Only the tests import the
server; the client itself never does. This directory is put on ``sys.path`` so the helpers
(``client_replay``) import by name.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from client_support import PASSWORD, USER, start_mock

from deltacloud_client import Client, DeltacloudError, Instance, Poller


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One mock server for the session (tests that change the cloud make their own instances)."""
    process = start_mock(tmp_path_factory.mktemp("dcc-server"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def client(server) -> Client:
    """A client of the session's server, XML (the default)."""
    return Client(server.url, USER, PASSWORD)


@pytest.fixture
def json_client(server) -> Client:
    """A client of the session's server, JSON."""
    return Client(server.url, USER, PASSWORD, format="json")


@pytest.fixture
def fast() -> Poller:
    """Polling settings for tests: short first interval, short ceiling."""
    return Poller(interval=0.05, backoff=1.5, max_interval=0.3)


@pytest.fixture
def running(client: Client, fast: Poller) -> Iterator[Instance]:
    """A fresh RUNNING instance, destroyed afterwards if it still exists."""
    launched = client.create_instance("img1", hwp_id="m1-small", name="client-test")
    assert isinstance(launched, Instance)
    instance = client.wait_for(launched, "RUNNING", 20, poller=fast)
    assert instance is not None
    yield instance
    with contextlib.suppress(DeltacloudError):  # the test may have destroyed it already
        client.drive(instance.id, "FINISH", 20, poller=fast)
