"""The conformance suite against a real ``deltacloudd -i mock`` process, over loopback HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
START_TIMEOUT = 20.0  # seconds for the server to answer /api
SUITE_TIMEOUT = 300.0  # seconds for the whole suite over HTTP


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DELTACLOUD_MOCK_DELAY="0", PYTHONUNBUFFERED="1", HOME=str(tmp_path / "home"))
    for name in ("API_DRIVER", "API_PROVIDER", "XDG_RUNTIME_DIR", "SCRIPT_NAME", "DELTACLOUD_USER",
                 "DELTACLOUD_PASSWORD"):
        env.pop(name, None)
    return env


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``deltacloudd -i mock`` on a free loopback port with its own store; the entry point URL."""
    port = _free_port()
    log = tmp_path / "server.log"
    argv = [sys.executable, "-m", "deltacloud.cli", "-i", "mock", "-r", "127.0.0.1", "-p", str(port),
            "--mock-storage", str(tmp_path / "store"), "--workers", "1", "--threads", "4", "--log", "off"]
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=_environment(tmp_path),
                                   cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"deltacloudd exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"deltacloudd did not answer within {START_TIMEOUT} s:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_suite_passes_against_a_live_deltacloudd(server: str, tmp_path: Path) -> None:
    """``pytest --deltacloud-url`` with the mock's own test module, in a separate process."""
    argv = [sys.executable, "-m", "pytest", str(HERE / "test_conformance.py"), "-p", "no:cacheprovider", "-q",
            "-rfEs", f"--rootdir={ROOT}", f"--deltacloud-url={server}", "--deltacloud-user=mockuser",
            "--deltacloud-password=mockpassword"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=SUITE_TIMEOUT, cwd=ROOT,
                         env=_environment(tmp_path))
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary, run.stdout[-3000:]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed > 100, summary
    # The live store is out of reach from the test process, so only the user data read-back skips extra.
    assert "define dc_user_data_reader" in run.stdout


def test_operator_run_without_a_test_module(server: str, tmp_path: Path) -> None:
    """An operator certifies the server from an empty directory: ``pytest --deltacloud-url URL``."""
    empty = tmp_path / "operator"
    empty.mkdir()
    env = _environment(tmp_path)
    env.update(DELTACLOUD_USER="mockuser", DELTACLOUD_PASSWORD="mockpassword")
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs", f"--deltacloud-url={server}",
            "--deltacloud-expect-features=" + ",".join(sorted(_mock_features()))]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=SUITE_TIMEOUT, cwd=empty, env=env)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.strip().splitlines()[-1]


def _mock_features() -> frozenset[str]:
    from deltacloud_driver_mock import MockDriver

    return frozenset(MockDriver.features)
