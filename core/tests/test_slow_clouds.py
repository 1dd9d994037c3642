"""Slow clouds cannot starve ``deltacloudd``: a backend that accepts and never answers.

More clients than the server has threads point the ec2 driver at a loopback TCP server that
accepts connections and never says a word. While those requests hang, requests to the mock
must be answered as before: they finish while every hanging request is still waiting, and
take about as long as the baseline measured in the same test, far less than the backend
timeout they would have waited for if they had queued behind the hanging ones. The hanging
requests end with 504.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess, free_port

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
BACKEND_TIMEOUT = 2.0  # seconds, deltacloudd --backend-timeout
HANGING = 24  # concurrent requests to the silent backend: more than deltacloudd's 16 default threads
BULKHEAD_SHARE = 8  # threads one backend may hold: half of the 16 default ones


class SilentBackend:
    """A loopback TCP server that accepts connections and never answers (bounded, closed by ``close``)."""

    def __init__(self, limit: int = 500) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.limit = limit
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set() and len(self.accepted) < self.limit:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent() -> Iterator[SilentBackend]:
    backend = SilentBackend()
    yield backend
    backend.close()


@pytest.fixture
def server(deltacloudd: Deltaclouds) -> ServerProcess:
    """The mock by default; clients may point ec2 at loopback (the silent backend)."""
    return deltacloudd.start("--allow-private-providers", "--backend-timeout", str(BACKEND_TIMEOUT))


def _timed_mock(url: str) -> float:
    started = time.perf_counter()
    response = requests.get(url, auth=AUTH, timeout=60)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    assert response.headers["X-Deltacloud-Driver"] == "mock"
    return elapsed


def _hang(api: str, port: int) -> tuple[int, float]:
    started = time.perf_counter()
    response = requests.get(f"{api};driver=ec2/instances", auth=("AKIAEXAMPLE", "secret"), timeout=120,
                            headers={"X-Deltacloud-Provider": f"http://127.0.0.1:{port}"})
    return response.status_code, time.perf_counter() - started


def test_a_silent_backend_does_not_delay_the_mock(server: ServerProcess, silent: SilentBackend) -> None:
    mock_url = f"{server.url}/realms"
    baseline = statistics.median(_timed_mock(mock_url) for _ in range(10))

    with concurrent.futures.ThreadPoolExecutor(HANGING) as pool:
        hanging = [pool.submit(_hang, server.url, silent.port) for _ in range(HANGING)]
        deadline = time.monotonic() + 10
        while len(silent.accepted) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(silent.accepted) >= 4, "the ec2 requests never reached the silent backend"

        during = [_timed_mock(mock_url) for _ in range(10)]
        still_hanging = sum(not future.done() for future in hanging)
        results = [future.result(timeout=120) for future in hanging]

    # The mock was answered while the silent backend held its requests...
    assert still_hanging == HANGING, f"only {still_hanging} of {HANGING} requests were still hanging"
    # ...about as fast as before, not after a backend timeout spent queued behind them.
    assert statistics.median(during) < baseline + BACKEND_TIMEOUT / 4, (baseline, during)
    assert max(during) < baseline + BACKEND_TIMEOUT / 2, (baseline, during)
    # And the hanging requests end as gateway timeouts, not as errors of the server.
    assert {status for status, _ in results} == {504}, results


def test_clients_that_give_up_do_not_free_their_backends_threads(server: ServerProcess,
                                                                   silent: SilentBackend) -> None:
    """Requests abandoned by their clients still count against their backend until their threads are free."""

    def abandon(_: int) -> None:
        with contextlib.suppress(requests.RequestException):
            requests.get(f"{server.url};driver=ec2/instances", auth=("AKIAEXAMPLE", "secret"), timeout=0.3,
                         headers={"X-Deltacloud-Provider": f"http://127.0.0.1:{silent.port}"})

    # The ec2 driver's first use loads its libraries: done before, against a port nobody listens on (502).
    refused = requests.get(f"{server.url};driver=ec2/instances", auth=("AKIAEXAMPLE", "secret"), timeout=60,
                           headers={"X-Deltacloud-Provider": f"http://127.0.0.1:{free_port()}"})
    assert refused.status_code == 502, refused.text
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(abandon, range(32)))
    # Every client has given up; fewer than a backend timeout has passed since the first request, so
    # the threads that reached the silent backend are all still waiting on it: no more than its share.
    reached = len(silent.accepted)
    assert 1 <= reached <= BULKHEAD_SHARE, f"{reached} threads reached the silent backend"
    assert _timed_mock(f"{server.url}/realms") < BACKEND_TIMEOUT
