"""SIGTERM stops ``deltacloudd`` gracefully: no new connections, requests in flight finish, exit status 0."""

from __future__ import annotations

import signal
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
BASIC = "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"
BLOB_SIZE = 8 * 1024 * 1024


@pytest.fixture
def server(deltacloudd: Deltaclouds) -> ServerProcess:
    return deltacloudd.start()


def _address(server: ServerProcess) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname == "127.0.0.1" and parts.port
    return parts.hostname, parts.port


def _terminate_and_wait_until_closed(server: ServerProcess) -> None:
    """SIGTERM; return once the server refuses new connections (it stopped listening)."""
    server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(_address(server), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.05)
    pytest.fail("the server still accepts connections 10 s after SIGTERM")


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_request_whose_body_is_still_coming_is_answered(server: ServerProcess) -> None:
    body = b"name=graceful-key"
    head = (f"POST /api/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {BASIC}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n").encode()
    with socket.create_connection(_address(server), timeout=30) as sock:
        sock.sendall(head + body[:5])
        time.sleep(0.2)  # let the server read the headers
        _terminate_and_wait_until_closed(server)
        sock.sendall(body[5:])
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:500]
    assert b"<name>graceful-key</name>" in answer
    assert server.process.wait(timeout=30) == 0


def test_a_response_being_streamed_is_finished(server: ServerProcess) -> None:
    assert requests.post(f"{server.url}/buckets", data={"name": "graceful"}, auth=AUTH, timeout=10).status_code == 201
    blob = bytes(range(256)) * (BLOB_SIZE // 256)
    put = requests.put(f"{server.url}/buckets/graceful/big", data=blob, auth=AUTH, timeout=60,
                       headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 200, put.text
    request = (f"GET /api/buckets/graceful/big/content HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {BASIC}\r\n"
               f"Connection: close\r\n\r\n").encode()
    with socket.create_connection(_address(server), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(request)
        first = sock.recv(65536)  # the download is under way, most of it still to come
        assert first.startswith(b"HTTP/1.1 200 "), first[:300]
        _terminate_and_wait_until_closed(server)
        answer = first + _read_all(sock)
    head, _, content = answer.partition(b"\r\n\r\n")
    assert content == blob, (len(content), head)
    assert server.process.wait(timeout=30) == 0
