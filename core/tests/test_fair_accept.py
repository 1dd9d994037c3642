"""A burst of connections is shared out between the workers instead of landing whole on one of them."""

from __future__ import annotations

import asyncio
import base64
import http.client
import os
import select
import socket
import time
from pathlib import Path

import pytest

from deltacloud.guard import ACCEPTS_PER_WAKE, FairAcceptLoop
from deltacloud.testing import Deltaclouds

pytestmark = pytest.mark.slow

BASIC = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}
BURST = 24


def _established(pid: int, port: int) -> int:
    """How many connections to ``port`` the process ``pid`` holds (``/proc/net/tcp`` entries it has an fd of)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
            count += 1
    return count


def _connect_at_once(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` connections started together (non-blocking connects), as a pool or wrk opens them."""
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex((host, port))
        sockets.append(sock)
    for sock in sockets:
        select.select([], [sock], [], 10)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        sock.setblocking(True)
        sock.settimeout(10)
    return sockets


def test_a_burst_of_kept_alive_connections_reaches_every_worker(deltacloudd: Deltaclouds) -> None:
    server = deltacloudd.start("-L", "off", "--workers", "2")
    host, port = server.url.split("//")[1].split("/")[0].split(":")
    workers = server.children()
    for _ in range(100):  # the second worker may still be starting
        if len(workers) == 2:
            break
        time.sleep(0.05)
        workers = server.children()
    assert len(workers) == 2
    time.sleep(0.5)  # both listening (a worker forks before its loop serves)
    # All at once, as a client library's pool or a load generator opens them; then a request on each.
    sockets = _connect_at_once(host, int(port), BURST)
    connections = []
    try:
        for sock in sockets:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.sock = sock
            connection.request("GET", "/api/realms", headers=BASIC)
            connections.append(connection)
        for connection in connections:
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        held = [_established(pid, int(port)) for pid in workers]
        assert sum(held) == BURST, held
        # asyncio's own accept takes up to 100 waiting connections at a time: often all of them on one worker.
        assert min(held) >= BURST // 8, f"connections per worker: {held}"
    finally:
        for connection in connections:
            connection.close()
        for sock in sockets:
            sock.close()


def test_the_loop_takes_one_waiting_connection_per_wake_up() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    clients = [socket.create_connection(listener.getsockname(), timeout=5) for _ in range(5)]
    loop = FairAcceptLoop()
    made: list[asyncio.BaseTransport] = []

    class Counting(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

    left: list[socket.socket] = []
    try:
        loop._accept_connection(Counting, listener)  # what the loop runs each time the listener is readable
        loop.run_until_complete(asyncio.sleep(0.05))
        for _ in range(5):
            try:
                left.append(listener.accept()[0])
            except BlockingIOError:
                break
        assert len(made) == ACCEPTS_PER_WAKE == 1
        assert len(left) == 4  # still waiting, for whichever worker wakes next
    finally:
        for transport in made:
            transport.close()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        for sock in [*left, *clients, listener]:
            sock.close()


def test_a_worker_sharing_the_socket_pauses_yet_accepts_every_waiting_connection() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    loop = FairAcceptLoop(lambda: 8, shared=True)  # a busy worker: pauses 4.5 ms after each accept
    made: list[asyncio.BaseTransport] = []

    class Counting(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

    server = loop.run_until_complete(loop.create_server(Counting, sock=listener))
    clients = [socket.create_connection(listener.getsockname(), timeout=5) for _ in range(20)]
    try:

        async def all_made() -> None:
            for _ in range(200):  # at most 2 s
                if len(made) == len(clients):
                    return
                await asyncio.sleep(0.01)

        loop.run_until_complete(all_made())
        assert len(made) == 20  # taken in batches on coming back, not one per pause
    finally:
        for transport in made:
            transport.close()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
        for sock in clients:
            sock.close()
