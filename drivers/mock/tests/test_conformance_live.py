"""The conformance suite against a real ``deltacloudd -i mock`` process, over loopback HTTP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deltacloud.testing import Deltaclouds, server_environment

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
START_TIMEOUT = 20.0  # seconds for the server to answer /api
SUITE_TIMEOUT = 300.0  # seconds for the whole suite over HTTP


def _environment(tmp_path: Path) -> dict[str, str]:
    return server_environment(tmp_path / "home", DELTACLOUD_MOCK_DELAY="0")


@pytest.fixture
def server(deltacloudd: Deltaclouds) -> str:
    """``deltacloudd -i mock`` on a free loopback port with its own store; the entry point URL."""
    return deltacloudd.start("--threads", "4", "--log", "off", timeout=START_TIMEOUT).url


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
