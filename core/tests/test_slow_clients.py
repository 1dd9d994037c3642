"""Slow clients cannot starve ``deltacloudd``: 200 trickling connections against a real server with its defaults.

Half the connections send their request headers a byte at a time, the other half send complete
headers and then their body a byte at a time. Meanwhile ordinary requests must be answered
about as fast as before (within a second of the baseline measured in the same test), and the
trickling connections must still be served once they finish (they were held, not dropped).
Also here: request bodies are bounded by route, chunked ones included.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
BASIC = "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"
SLOW_CONNECTIONS = 200
TRICKLE_INTERVAL = 0.25  # seconds between two bytes of one slow connection
MAX_DELAY = 1.0  # seconds a normal request may be slowed down by the slow ones


@pytest.fixture(scope="module")
def server(deltacloudd_module: Deltaclouds) -> Iterator[ServerProcess]:
    """``deltacloudd -i mock`` with its default serving settings (no --threads, --workers or --timeout)."""
    proc = deltacloudd_module.start("--max-body", "4096", "--max-upload", "100000")
    yield proc
    proc.stop()
    assert "Traceback" not in proc.output(), proc.output()[-3000:]


def _address(server: ServerProcess) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname == "127.0.0.1" and parts.port
    return parts.hostname, parts.port


def _timed_get(url: str) -> float:
    started = time.perf_counter()
    response = requests.get(url, auth=AUTH, timeout=30)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


class Trickler:
    """Slow connections, each sending the rest of its request one byte per ``TRICKLE_INTERVAL``."""

    def __init__(self, address: tuple[str, int], requests_: list[bytes], first: list[int]) -> None:
        self.sockets: list[socket.socket] = []
        self.pending: list[bytes] = []
        for raw, head in zip(requests_, first, strict=True):
            sock = socket.create_connection(address, timeout=10)
            sock.sendall(raw[:head])
            self.sockets.append(sock)
            self.pending.append(raw[head:])
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(TRICKLE_INTERVAL):
            for index, sock in enumerate(self.sockets):
                rest = self.pending[index]
                if len(rest) > 1:  # the last byte is held back until finish()
                    sock.sendall(rest[:1])
                    self.pending[index] = rest[1:]

    def finish(self, index: int) -> bytes:
        """Send what connection ``index`` has left; its whole answer."""
        sock = self.sockets[index]
        sock.sendall(self.pending[index])
        self.pending[index] = b""
        chunks = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def _slow_requests(host: str, port: int) -> tuple[list[bytes], list[int]]:
    """Half slow headers, half slow bodies; every request closes its connection once answered."""
    raws, first = [], []
    for index in range(SLOW_CONNECTIONS):
        if index % 2 == 0:
            raw = (f"GET /api/realms HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {BASIC}\r\n"
                   f"X-Padding: {'p' * 200}\r\nConnection: close\r\n\r\n").encode()
            raws.append(raw)
            first.append(5)  # "GET /"
        else:
            body = b"name=slow" + str(index).encode() + b"&x=" + b"y" * 200
            head = (f"POST /api/keys HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {BASIC}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                    f"Connection: close\r\n\r\n").encode()
            raws.append(head + body)
            first.append(len(head) + 1)
    return raws, first


def test_two_hundred_trickling_connections_do_not_delay_others(server: ServerProcess) -> None:
    host, port = _address(server)
    url = f"{server.url}/realms"
    baseline = statistics.median(_timed_get(url) for _ in range(10))

    raws, first = _slow_requests(host, port)
    trickler = Trickler((host, port), raws, first)
    trickler.thread.start()
    try:
        time.sleep(TRICKLE_INTERVAL * 3)  # every slow connection is in the middle of its request by now
        delays = [_timed_get(url) - baseline for _ in range(20)]
        assert max(delays) < MAX_DELAY, (baseline, delays)
        # A create goes through too, not only reads.
        created = requests.post(f"{server.url}/instances", data={"image_id": "img1"}, auth=AUTH, timeout=30)
        assert created.status_code == 201, created.text
        # The slow connections were held, not dropped: finished now, they are answered.
        header_answer = trickler.finish(0)
        body_answer = trickler.finish(1)
    finally:
        trickler.close()
    assert header_answer.startswith(b"HTTP/1.1 200 "), header_answer[:300]
    assert body_answer.startswith(b"HTTP/1.1 201 "), body_answer[:300]
    assert b"<name>slow1</name>" in body_answer


def _raw(server: ServerProcess, method: str, path: str, body: bytes, headers: dict[str, str],
         chunked: bool = False) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*_address(server), timeout=10)
    try:
        all_headers = {"Authorization": BASIC, **headers}
        if chunked:
            conn.request(method, path, body=iter([body[i:i + 1000] for i in range(0, len(body), 1000)]),
                         headers=all_headers, encode_chunked=True)
        else:
            conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["sized", "chunked"])
def test_bodies_over_max_body_are_413_documents(server: ServerProcess, chunked: bool) -> None:
    body = b"name=big&x=" + b"y" * 10_000
    status, answer = _raw(server, "POST", "/api/keys", body,
                          {"Content-Type": "application/x-www-form-urlencoded"}, chunked=chunked)
    assert status == 413
    assert b"<error status='413'" in answer and b"4096" in answer


@pytest.mark.parametrize("chunked", [False, True], ids=["sized", "chunked"])
def test_blob_uploads_have_their_own_bound(server: ServerProcess, chunked: bool) -> None:
    created = requests.post(f"{server.url}/buckets", data={"name": f"slowbucket{int(chunked)}"}, auth=AUTH,
                            timeout=10)
    assert created.status_code == 201, created.text
    bucket = f"/api/buckets/slowbucket{int(chunked)}"
    # Larger than --max-body, within --max-upload: stored whole.
    status, answer = _raw(server, "PUT", f"{bucket}/fits", b"z" * 50_000,
                          {"Content-Type": "application/octet-stream"}, chunked=chunked)
    assert status == 200, answer
    content = requests.get(f"{server.url}/buckets/slowbucket{int(chunked)}/fits/content", auth=AUTH, timeout=10)
    assert content.content == b"z" * 50_000
    # Over --max-upload: refused, and the 413 is readable although the client was still sending (lingering close).
    status, answer = _raw(server, "PUT", f"{bucket}/toobig", b"z" * 3_000_000,
                          {"Content-Type": "application/octet-stream"}, chunked=chunked)
    assert status == 413
    assert b"100000" in answer
