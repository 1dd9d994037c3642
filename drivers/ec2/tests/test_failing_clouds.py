"""Failing clouds over real HTTP (issue 11): a real ``deltacloudd -i ec2`` whose provider refuses, hangs,
answers garbage or throttles, next to moto answering normally.

Each bad cloud is a loopback server written here: a closed port (refused), a listening socket
nobody accepts from (hang), and an HTTP server that answers every call as told and counts the
calls per EC2 action, so the tests see what was retried: reads are, writes never are.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from defusedxml import ElementTree

from deltacloud.testing import ServerProcess, server_environment, start_deltacloudd

pytestmark = pytest.mark.slow

BACKEND_TIMEOUT = 2.0  # seconds: deltacloudd --backend-timeout and --connect-timeout
TIMEOUT = 30
THROTTLED = ("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
             "</Message></Error></Errors><RequestID>r</RequestID></Response>")


class BadCloud(ThreadingHTTPServer):
    """Answers every EC2 call with ``status``, ``body`` and ``headers``; counts calls per action."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status, self.body, self.headers = 200, b"", {}
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def answer(self, status: int, body: str | bytes, headers: dict[str, str] | None = None) -> None:
        """What every following call gets; the counts start again."""
        self.status, self.body = status, body.encode() if isinstance(body, str) else body
        self.headers = headers or {}
        with self.lock:
            self.calls.clear()


class _Handler(BaseHTTPRequestHandler):
    server: BadCloud

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        with self.server.lock:
            self.server.calls[form.get("Action", ["?"])[0]] += 1
        self.send_response(self.server.status)
        for name, value in {"Content-Length": str(len(self.server.body)), **self.server.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(self.server.body)

    do_GET = do_POST  # noqa: N815 - the name http.server looks up


@pytest.fixture(scope="module")
def bad_cloud() -> Iterator[BadCloud]:
    server = BadCloud()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel completes them) and never answers a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A port nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, moto_server) -> Iterator[ServerProcess]:
    """``deltacloudd -i ec2`` with moto as its provider, short backend timeouts, client-sent loopback providers."""
    workdir = tmp_path_factory.mktemp("failing-clouds")
    proc = start_deltacloudd(workdir, "-P", moto_server.url, "--backend-timeout", str(BACKEND_TIMEOUT),
                             "--connect-timeout", str(BACKEND_TIMEOUT), "--allow-private-providers",
                             "--threads", "8", driver="ec2", env=server_environment(workdir / "home"))
    yield proc
    proc.stop()
    assert "Traceback" not in proc.output(), proc.output()[-3000:]


def call(server: ServerProcess, method: str, path: str, provider: str | None, **kwargs) -> requests.Response:
    headers = {"X-Deltacloud-Provider": provider} if provider else {}
    return requests.request(method, f"{server.url}{path}", auth=("AKIAFAILING", "not-a-secret"), headers=headers,
                            timeout=TIMEOUT, **kwargs)


def message(resp: requests.Response) -> str:
    doc = ElementTree.fromstring(resp.content)
    assert doc.tag == "error", resp.text
    return doc.findtext("message") or ""


def test_a_refused_connection_is_a_502(server: ServerProcess, closed_port: int) -> None:
    resp = call(server, "GET", "/realms", f"http://127.0.0.1:{closed_port}")
    assert resp.status_code == 502
    assert "not-a-secret" not in resp.text


def test_a_hanging_cloud_is_a_504_within_the_timeout(server: ServerProcess, silent_port: int) -> None:
    started = time.monotonic()
    resp = call(server, "GET", "/instances", f"http://127.0.0.1:{silent_port}")
    elapsed = time.monotonic() - started
    assert resp.status_code == 504, resp.text
    # bounded by the backend timeout, tried a few times at most (reads are retried): never the 60 s of old
    assert elapsed < 6 * BACKEND_TIMEOUT + 5, elapsed


def test_a_hanging_cloud_does_not_delay_requests_to_another(server: ServerProcess, silent_port: int,
                                                          moto_server) -> None:
    hung: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: hung.append(call(server, "GET", "/instances",
                                                                f"http://127.0.0.1:{silent_port}")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        healthy = requests.get(f"{server.url}/hardware_profiles", timeout=TIMEOUT)
        assert healthy.status_code == 200
    finally:
        for thread in threads:
            thread.join(timeout=TIMEOUT)
    assert [r.status_code for r in hung] == [504] * 4


@pytest.mark.parametrize("body", ["<html><body>Bad gateway</body></html>", "not xml at all <<<", "",
                                  "<DescribeInstancesResponse><unexpected/></DescribeInstancesResponse>"])
def test_a_malformed_answer_is_a_502_naming_the_backend(server: ServerProcess, bad_cloud: BadCloud,
                                                        body: str) -> None:
    bad_cloud.answer(200, body)
    resp = call(server, "GET", "/instances", bad_cloud.url)
    assert resp.status_code == 502, resp.text
    assert "EC2" in message(resp)


def test_throttling_is_a_503_with_retry_after_and_reads_are_retried(server: ServerProcess,
                                                                    bad_cloud: BadCloud) -> None:
    bad_cloud.answer(503, THROTTLED)
    resp = call(server, "GET", "/instances", bad_cloud.url)
    assert resp.status_code == 503, resp.text
    assert int(resp.headers["Retry-After"]) > 0
    assert "RequestLimitExceeded" in message(resp)
    assert bad_cloud.calls["DescribeInstances"] > 1, bad_cloud.calls


def test_a_write_is_never_retried(server: ServerProcess, bad_cloud: BadCloud) -> None:
    bad_cloud.answer(503, THROTTLED)
    resp = call(server, "POST", "/keys", bad_cloud.url, data={"name": "k"})
    assert resp.status_code == 503, resp.text
    assert "Retry-After" in resp.headers
    assert bad_cloud.calls == {"CreateKeyPair": 1}
    bad_cloud.answer(500, "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error>"
                          "</Errors></Response>")
    resp = call(server, "POST", "/addresses", bad_cloud.url)
    assert resp.status_code == 502, resp.text
    assert bad_cloud.calls == {"AllocateAddress": 1}


def test_a_failing_read_is_tried_again_and_then_answered(server: ServerProcess, bad_cloud: BadCloud) -> None:
    bad_cloud.answer(500, "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error>"
                          "</Errors></Response>")
    resp = call(server, "GET", "/realms", bad_cloud.url)
    assert resp.status_code == 502 and "boom" in message(resp)
    assert bad_cloud.calls["DescribeAvailabilityZones"] == 3, bad_cloud.calls


def test_the_healthy_provider_still_answers(server: ServerProcess, moto_server) -> None:
    moto_server.reset()
    moto_server.client("ec2").describe_availability_zones()  # moto builds a region lazily, slower than our timeout
    resp = requests.get(f"{server.url}/realms", auth=(moto_server.access_key, moto_server.secret_key),
                        timeout=TIMEOUT)
    assert resp.status_code == 200, (resp.text, server.output()[-3000:])
    assert ElementTree.fromstring(resp.content).tag == "realms"
