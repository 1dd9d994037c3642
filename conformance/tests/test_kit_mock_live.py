"""The whole suite against a live ``deltacloudd -i mock``, the quick way the docs give: the store is left as found.

The mock keeps everything in one store, including what a launch makes on a test's behalf (a
volume from ``snapshot_id``); after a full run every collection must list exactly what it
listed before. ``DELTACLOUD_MOCK_DELAY=0`` is what makes the run take seconds, not minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess, server_environment

pytest.importorskip("deltacloud_driver_mock", reason="the mock driver is not installed")

AUTH = ("mockuser", "mockpassword")
#: Every collection the mock stores something in.
STORED = ("instances", "images", "keys", "storage_volumes", "storage_snapshots", "addresses", "firewalls",
          "load_balancers", "buckets")
FEATURES = ("user_name,user_data,authentication_key,realm_filter,instance_count,import_key,image_name,"
            "image_description,owner_id,bucket_location,firewalls,metrics,register_to_load_balancer,volume_name,"
            "volume_description,attach_snapshot")


@pytest.fixture
def mock_server(deltacloudd: Deltaclouds) -> ServerProcess:
    """``deltacloudd -i mock`` with a fresh store and no transition delay, on a free loopback port."""
    return deltacloudd.start("-L", "off")


def store_contents(url: str) -> dict[str, bytes]:
    """The XML listing of every stored collection."""
    with requests.Session() as session:
        session.trust_env = False
        out = {}
        for collection in STORED:
            response = session.get(f"{url}/{collection}", auth=AUTH, timeout=30)
            assert response.status_code == 200, f"{collection}: {response.status_code} {response.text[:300]}"
            out[collection] = response.content
        return out


@pytest.mark.slow
def test_live_run_leaves_the_mock_as_found(mock_server: ServerProcess, tmp_path: Path) -> None:
    before = store_contents(mock_server.url)
    assert b"snap1" in before["storage_snapshots"], "the seed has snapshots, so attach_snapshot makes a volume"
    empty = tmp_path / "certify"
    empty.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", f"--deltacloud-url={mock_server.url}",
         "--deltacloud-user=mockuser", "--deltacloud-password=mockpassword",
         f"--deltacloud-expect-features={FEATURES}", "--deltacloud-state-timeout=30"],
        cwd=empty, capture_output=True, text=True, timeout=600, env=server_environment(tmp_path / "home"))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "passed" in run.stdout and "left in the cloud" not in run.stdout
    after = store_contents(mock_server.url)
    changed = {c: (before[c].decode(), after[c].decode()) for c in STORED if before[c] != after[c]}
    assert not changed, f"the run left the store changed: {changed}"
