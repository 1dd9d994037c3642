"""The examples in ``examples/``, run as a user runs them, against a live mock server."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_support import PASSWORD, USER, start_mock

from deltacloud_client import Client, Poller

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def example_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A mock server of the examples' own."""
    process = start_mock(tmp_path_factory.mktemp("dcc-examples"), delay="0.3")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def env(example_server) -> dict[str, str]:
    """The environment the examples read."""
    return {**os.environ, "DELTACLOUD_URL": example_server.url, "DELTACLOUD_USER": USER,
            "DELTACLOUD_PASSWORD": PASSWORD}


def example(env: dict[str, str], name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one example to its end."""
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_what_the_cloud_offers(env) -> None:
    done = example(env, "what_the_cloud_offers.py")
    assert done.returncode == 0, done.stderr
    assert "driver mock" in done.stdout and "profile m1-large: cpu 1 count (range)" in done.stdout
    assert "pending -> running: automatically" in done.stdout


def test_launch_and_destroy(env, example_server) -> None:
    done = example(env, "launch_and_destroy.py", "img1")
    assert done.returncode == 0, done.stderr
    launched = done.stdout.split()[1]
    assert "to FINISH: stop then destroy" in done.stdout and f"{launched} is gone" in done.stdout
    assert launched not in {i.id for i in Client(example_server.url, USER, PASSWORD).instances()}


def test_watch_instances_reports_a_change_underneath(env, example_server) -> None:
    api = Client(example_server.url, USER, PASSWORD)
    count = len(api.instances())
    watcher = subprocess.Popen([sys.executable, str(EXAMPLES / "watch_instances.py"), "--interval", "0.1",
                                "--polls", "60"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not select.select([watcher.stdout], [], [], 0.2)[0]:
            pass
        summary = watcher.stdout.readline()  # its first snapshot is taken: now change the cloud
        launched = api.create_instance("img1")
        api.wait_for(launched, "RUNNING", 20, poller=Poller(interval=0.05, max_interval=0.2))
        out, err = watcher.communicate(timeout=60)
        out = summary + out
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(timeout=5)
    assert watcher.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{count} instances: RUNNING")
    assert f"{launched.id}: new -> PENDING" in lines or f"{launched.id}: new -> RUNNING" in lines
    assert f"{launched.id}: PENDING -> RUNNING" in lines or f"{launched.id}: new -> RUNNING" in lines
