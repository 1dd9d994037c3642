"""The conformance suite against real processes: ``deltacloudd -i gogrid`` in front of ``python -m gogrid_fake``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltacloud.testing import free_port, server_environment, start_deltacloudd, start_process

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
SUITE_TIMEOUT = 300.0  # seconds for the whole suite over HTTP


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The fake GoGrid (short delays) and ``deltacloudd -i gogrid -P <fake>``, each its own process."""
    port = free_port()
    fake = start_process([sys.executable, "-m", "gogrid_fake", "--port", str(port), "--id-delay", "0.3",
                          "--power-delay", "0.2"], f"http://127.0.0.1:{port}/api/grid/server/list",
                         tmp_path / "fake.log", cwd=HERE)
    try:
        api = start_deltacloudd(tmp_path, "-P", f"http://127.0.0.1:{port}/api", "--log", str(tmp_path / "access.log"),
                                driver="gogrid", timeout=30)
        try:
            yield api.url
        finally:
            api.stop()
    finally:
        fake.stop()


def test_suite_passes_against_a_live_deltacloudd(server: str, tmp_path: Path) -> None:
    """``pytest --deltacloud-url`` with this package's conformance module, in a separate process."""
    argv = [sys.executable, "-m", "pytest", str(HERE / "test_conformance.py"), "-p", "no:cacheprovider", "-q",
            "-rfEs", f"--rootdir={ROOT}", f"--deltacloud-url={server}"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=SUITE_TIMEOUT, cwd=ROOT,
                         env=server_environment(tmp_path / "home"))
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary, run.stdout[-3000:]
    assert int(summary.split(" passed")[0].split()[-1]) > 100, summary
    served = (tmp_path / "access.log").read_text()
    assert served.count("method=POST path=/api/instances ") >= 6, "the suite did not talk to the live server"
