"""Connection guards of a real ``deltacloudd``: a deadline for request headers, a cap on open connections."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
HEADER_TIMEOUT = 1  # seconds, deltacloudd --header-timeout
MAX_CONNECTIONS = 20


@pytest.fixture(scope="module")
def server(deltacloudd_module: Deltaclouds) -> ServerProcess:
    return deltacloudd_module.start("--header-timeout", str(HEADER_TIMEOUT), "--max-connections", str(MAX_CONNECTIONS))


def _connect(server: ServerProcess) -> socket.socket:
    parts = urlsplit(server.url)
    assert parts.hostname == "127.0.0.1" and parts.port
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _until_closed(sock: socket.socket, trickle: bytes = b"") -> bytes:
    """Everything the server sends until it closes (trickling ``trickle`` meanwhile); bounded by the socket timeout."""
    sock.settimeout(0.2)
    received, deadline = b"", time.monotonic() + 10
    for byte in [trickle[i:i + 1] for i in range(len(trickle))] + [b""] * 100:
        if byte:
            try:
                sock.sendall(byte)
            except OSError:
                break
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            chunk = None
        except ConnectionResetError:
            break
        if chunk == b"" or time.monotonic() > deadline:
            break
        received += chunk or b""
    return received


@pytest.mark.parametrize("trickle", [b"", b"GET /api/realms HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 200],
                         ids=["silent", "trickling"])
def test_headers_not_complete_in_time_get_408(server: ServerProcess, trickle: bytes) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        answer = _until_closed(sock, trickle)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert elapsed < HEADER_TIMEOUT + 5  # closed by the deadline, not by the test's own bound
    assert requests.get(f"{server.url}/realms", auth=AUTH, timeout=10).status_code == 200


def test_connections_over_the_cap_are_closed_and_the_server_recovers(server: ServerProcess) -> None:
    idle = [_connect(server) for _ in range(MAX_CONNECTIONS + 10)]
    try:
        closed = 0
        for sock in idle[MAX_CONNECTIONS:]:
            sock.settimeout(2)
            try:
                closed += sock.recv(1) == b""
            except ConnectionResetError:
                closed += 1
        assert closed == 10
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            response = requests.get(f"{server.url}/realms", auth=AUTH, timeout=5)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the server did not accept connections again"
            time.sleep(0.1)
    assert response.status_code == 200
