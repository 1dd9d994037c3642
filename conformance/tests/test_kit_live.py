"""The kit over real HTTP: ``--deltacloud-url`` against a server on a loopback socket, and leak reports."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


@pytest.fixture
def serve() -> Iterator[Callable[[str], str]]:
    """Serve a driver on 127.0.0.1 from a thread; returns the entry point URL."""
    servers: list[WSGIServer] = []

    def start(driver: str) -> str:
        server = make_server("127.0.0.1", 0, create_app(ServerConfig(driver=driver)), handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/api"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_live_server_passes(install: Callable[[str], str], serve: Callable[[str], str],
                            pytester: pytest.Pytester) -> None:
    name = install("CompleteDriver")
    url = serve(name)
    pytester.makepyfile(test_conformance="from deltacloud_conformance.suite import *  # noqa: F403\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rfEs", f"--deltacloud-url={url}",
                                "--deltacloud-user=u", "--deltacloud-password=p",
                                "--deltacloud-expect-features=user_name,realm_filter,authentication_key,instance_count")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] > 80
    result.stdout.fnmatch_lines([f"deltacloud conformance: live server {url}"])
    from deltacloud import loader

    assert loader.load_driver(name).instances_store == {}, "the live run left instances behind"


def test_operator_run_from_an_empty_directory(install: Callable[[str], str], serve: Callable[[str], str],
                                              pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest --deltacloud-url URL`` with no test path runs the whole suite; an unpinned feature set skips."""
    url = serve(install("NoKeysDriver"))
    monkeypatch.setenv("DELTACLOUD_USER", "u")
    monkeypatch.setenv("DELTACLOUD_PASSWORD", "p")
    result = pytester.runpytest("-p", "no:cacheprovider", "-rfEs", f"--deltacloud-url={url}")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] > 80
    result.stdout.fnmatch_lines(["SKIPPED * no expected feature set given (--deltacloud-expect-features); "
                                 "advertised: realm_filter, user_name"])


def test_leaks_are_reported(install: Callable[[str], str], suite: Callable[..., pytest.RunResult]) -> None:
    result = suite(install("StuckDriver"), set(), select="test_shown_and_listed")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the suite could not destroy what it created (left in the cloud):*",
                                 "*instances/vm1: AssertionError: * DELETE */api/instances/vm1 -> 502*",
                                 "*the cloud refuses to destroy anything today*"])
    result.stdout.fnmatch_lines(["*= deltacloud conformance: 1 left in the cloud, not cleaned =*",
                                 "test_conformance.py::TestInstanceCreate::test_shown_and_listed: instances/vm1: "
                                 "AssertionError: * DELETE */api/instances/vm1 -> 502 application/xml"])
