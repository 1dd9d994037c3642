"""The README's libvirt walk-through, as a new user runs it: ``deltacloudd -i libvirt -P test:///default``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from deltacloud.testing import ServerProcess, start_deltacloudd

AUTH = ("test", "test")


@pytest.fixture
def deltacloudd(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server process on libvirt's built-in test hypervisor."""
    server = start_deltacloudd(tmp_path, "-P", "test:///default", driver="libvirt", timeout=30)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_the_walk_through(deltacloudd: ServerProcess) -> None:
    base = deltacloudd.url
    with requests.Session() as http:
        entry = http.get(base, timeout=30)
        assert entry.status_code == 200 and "instances" in entry.text
        assert http.get(f"{base}/instances", timeout=30).status_code == 401
        http.auth = AUTH
        listing = http.get(f"{base}/instances", headers={"Accept": "application/json"}, timeout=30).json()
        test = next(i for i in listing["instances"] if i["name"] == "test")
        assert test["state"] == "RUNNING"
        href = f"{base}/instances/{test['id']}"
        assert http.post(f"{href}/stop", timeout=30).status_code == 202
        assert http.get(href, headers={"Accept": "application/json"}, timeout=30).json()["instance"]["state"] \
            == "STOPPED"
        assert http.post(f"{href}/start", timeout=30).status_code == 202
        assert http.post(f"{href}/reboot", timeout=30).status_code == 202
        profiles = http.get(f"{base}/hardware_profiles", headers={"Accept": "application/json"}, timeout=30).json()
        assert {p["id"] for p in profiles["hardware_profiles"]} >= {"small", "custom"}
        other = http.get(f"{base}/realms", headers={"X-Deltacloud-Provider": "qemu:///system"}, timeout=30)
        assert other.status_code == 400


@pytest.mark.slow
def test_launching_on_a_host_the_operator_allowed(tmp_path: Path) -> None:
    node = f"test://{Path(__file__).with_name('node.xml')}"
    server = start_deltacloudd(tmp_path, "-P", node, "--driver-option", f"libvirt.uris={node}", driver="libvirt",
                               timeout=30)
    try:
        with requests.Session() as http:
            http.auth = AUTH
            created = http.post(f"{server.url}/instances", data={"image_id": "images:debian-12.qcow2",
                                                                 "hwp_id": "small"}, timeout=30)
            assert created.status_code == 201, created.text
            listed = http.get(f"{server.url}/instances", headers={"Accept": "application/json"}, timeout=30).json()
            assert [i["state"] for i in listed["instances"]] == ["RUNNING"]
            assert http.delete(created.headers["location"], timeout=30).status_code == 204
    finally:
        server.stop()
