"""The serving front of ``deltacloudd`` (``deltacloud.serve``) over real HTTP: what WSGI apps rely on still holds.

Mounting under ``SCRIPT_NAME``, ``HEAD``, ``Expect: 100-continue``, pipelined requests on one kept-alive
connection, and header names with underscores (which must not pass for dashes). Also the bulkhead on its own.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from deltacloud.bulkhead import Bulkhead, backend_key
from deltacloud.serve import is_blob_upload
from deltacloud.testing import ServerProcess, free_port, server_environment, start_deltacloudd, start_process

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
BASIC = "Basic bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("serving")
    env = server_environment(workdir / "home", DELTACLOUD_MOCK_DELAY="0")
    proc = start_deltacloudd(workdir, "--mock-storage", str(workdir / "store"), env=env)
    yield proc
    proc.stop()


def _exchange(server: ServerProcess, raw: bytes, until: bytes, count: int = 1) -> bytes:
    """Send ``raw``; read until ``until`` has been seen ``count`` times or the server closes (bounded)."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(raw)
        received = b""
        for _ in range(1000):
            if received.count(until) >= count:
                break
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def test_head_has_the_headers_and_no_body(server: ServerProcess) -> None:
    got = requests.get(f"{server.url}/realms", auth=AUTH, timeout=10)
    head = requests.head(f"{server.url}/realms", auth=AUTH, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(got.content))
    assert head.headers["ETag"] == got.headers["ETag"]


def test_expect_100_continue(server: ServerProcess) -> None:
    body = b"name=continued"
    raw = (f"POST /api/keys HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nExpect: 100-continue\r\n"
           f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
           f"Connection: close\r\n\r\n").encode()
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(raw)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 "), interim
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:300]
    assert b"<name>continued</name>" in answer


def test_pipelined_requests_are_answered_in_order(server: ServerProcess) -> None:
    one = f"GET /api/realms/us HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\n\r\n"
    two = f"GET /api/realms/eu HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\nConnection: close\r\n\r\n"
    answer = _exchange(server, (one + two).encode(), b"</realm>", count=2)
    assert answer.count(b"HTTP/1.1 200 ") == 2, answer
    assert answer.index(b"id='us'") < answer.index(b"id='eu'")


def test_a_header_name_with_an_underscore_does_not_pass_for_a_dash(server: ServerProcess) -> None:
    # X_Deltacloud_Driver would become HTTP_X_DELTACLOUD_DRIVER if it were let through.
    answer = _exchange(server, (f"GET /api/realms HTTP/1.1\r\nHost: x\r\nAuthorization: {BASIC}\r\n"
                                f"X_Deltacloud_Driver: nosuchdriver\r\nConnection: close\r\n\r\n").encode(),
                       b"</realms>")
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]


def test_mounted_under_a_script_name(tmp_path: Path) -> None:
    port = free_port()
    env = server_environment(tmp_path / "home", SCRIPT_NAME="/cloud", DELTACLOUD_MOCK_DELAY="0")
    argv = [sys.executable, "-m", "deltacloud.cli", "-r", "127.0.0.1", "-p", str(port), "--mock-storage",
            str(tmp_path / "store")]
    proc = start_process(argv, f"http://127.0.0.1:{port}/cloud/api", tmp_path / "prefixed.log", env, cwd=tmp_path)
    try:
        inside = requests.get(f"http://127.0.0.1:{port}/cloud/api/realms", auth=AUTH, timeout=10)
        assert inside.status_code == 200
        assert f"http://127.0.0.1:{port}/cloud/api/realms/us" in inside.text
        outside = requests.get(f"http://127.0.0.1:{port}/api/realms", auth=AUTH, timeout=10)
        assert outside.status_code == 404
        assert outside.text.startswith("<?xml") and "<error status='404'" in outside.text
    finally:
        proc.stop()


def test_blob_upload_routes() -> None:
    assert is_blob_upload("PUT", "/api/buckets/b/blob") and is_blob_upload("POST", "/api/buckets/b")
    assert not is_blob_upload("GET", "/api/buckets/b/blob")
    assert not is_blob_upload("POST", "/api/buckets") and not is_blob_upload("POST", "/api/instances")
    assert not is_blob_upload("PUT", "/api/buckets/b/blob/content/more")


def test_bulkhead_bounds_one_backend_and_forgets_idle_ones() -> None:
    async def scenario() -> tuple[int, int, int]:
        bulkhead = Bulkhead(threads=4, share=0.5)
        key, other = ("ec2", "http://dead"), ("", "")
        inside = [0, 0]
        peak = [0]
        release = asyncio.Event()

        async def hold(k: tuple[str, str], index: int) -> None:
            async with bulkhead.slot(k):
                inside[index] += 1
                peak[0] = max(peak[0], inside[0])
                await release.wait()
                inside[index] -= 1

        tasks = [asyncio.create_task(hold(key, 0)) for _ in range(6)]
        await asyncio.sleep(0.01)
        # The dead backend holds two slots (half of four threads); the others wait for it.
        async with bulkhead.slot(other):
            other_ran = 1
        waiting = bulkhead.in_use(key)
        release.set()
        await asyncio.gather(*tasks)
        assert bulkhead.in_use(key) == 0 and not bulkhead._slots
        return peak[0], other_ran, waiting

    peak, other_ran, waiting = asyncio.run(scenario())
    assert (peak, other_ran, waiting) == (2, 1, 6)


def test_backend_keys() -> None:
    assert backend_key({"driver": "EC2"}, {"HTTP_X_DELTACLOUD_PROVIDER": "http://h:1/"}) == ("ec2", "http://h:1")
    assert backend_key({}, {}) == ("", "")
    with pytest.raises(ValueError):
        Bulkhead(4, share=0)
