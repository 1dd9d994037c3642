"""The conformance suite's 1.1 profile against a real ``deltacloudd -i mock``: what 1.1 promised, we keep.

Our server must pass both profiles: strict (``test_conformance_live.py``) and 1.1, where the tests of
our own decisions and extensions are deselected or loosened and the summary says which and why.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deltacloud.testing import Deltaclouds, server_environment

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
SUITE_TIMEOUT = 300.0  # seconds for the whole suite over HTTP


def test_suite_passes_under_the_11_profile(deltacloudd: Deltaclouds, tmp_path: Path) -> None:
    server = deltacloudd.start("--threads", "4", "--log", "off", timeout=20.0).url
    argv = [sys.executable, "-m", "pytest", str(HERE / "test_conformance.py"), "-p", "no:cacheprovider", "-q",
            "-rfEs", f"--rootdir={ROOT}", f"--deltacloud-url={server}", "--deltacloud-user=mockuser",
            "--deltacloud-password=mockpassword", "--deltacloud-profile=1.1"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=SUITE_TIMEOUT, cwd=ROOT,
                         env=server_environment(tmp_path / "home", DELTACLOUD_MOCK_DELAY="0"))
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    out = run.stdout
    assert "deltacloud profile 1.1" in out, out[-3000:]
    for line in ("deselected 2 (conditional-get:", "deselected 1 (json-request-bodies:",
                 "deselected 3 (validated-overrides:", "loosened 1 (missing-instance-404: 403 or 404"):
        assert line in out, f"{line!r} not in the summary:\n{out[-3000:]}"
    summary = out.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary and " deselected" in summary, summary
