"""Idle connections stay open for the client's next request for ``--keepalive`` seconds, then close."""

from __future__ import annotations

import base64
import http.client
import time

import pytest

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

BASIC = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}


def _connection(server: ServerProcess) -> http.client.HTTPConnection:
    host, port = server.url.split("//")[1].split("/")[0].split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def _get(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", "/api/realms", headers=BASIC)
    response = conn.getresponse()
    response.read()
    return response.status


def test_a_pause_longer_than_gunicorns_two_seconds_keeps_the_connection(deltacloudd: Deltaclouds) -> None:
    server = deltacloudd.start("-L", "off")
    conn = _connection(server)
    try:
        assert _get(conn) == 200
        first = conn.sock
        time.sleep(3.0)  # past gunicorn's own 2 s keep-alive, well within the default 15 s
        assert _get(conn) == 200
        assert conn.sock is first, "the server closed the idle connection"
    finally:
        conn.close()


def test_an_idle_connection_closes_after_the_keepalive(deltacloudd: Deltaclouds) -> None:
    server = deltacloudd.start("-L", "off", "--keepalive", "1")
    conn = _connection(server)
    try:
        assert _get(conn) == 200
        conn.sock.settimeout(10)
        started = time.monotonic()
        assert conn.sock.recv(1) == b"", "the server should close the idle connection"
        assert time.monotonic() - started < 8
    finally:
        conn.close()
