"""``deltacloudd -i vcloud`` on a replay of libcloud's recorded vCloud Director 1.5 documents.

Checked: the organisation's vDC as the realm, the catalog's vApp template as the image, the
vApps with their raw status mapped (4, powered on, is RUNNING), a vApp the recording refuses
(403) left out of the listing, and the errors (wrong password 401, unknown vApp 404).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from deltacloud.testing import ServerProcess, start_deltacloudd

from .replay import REPLAY_PASSWORD, ReplayServer, VCloudReplay

AUTH = (VCloudReplay.USER, REPLAY_PASSWORD)
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def deltacloudd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The vCloud replay and ``deltacloudd -i vcloud -P REPLAY`` in front of it."""
    replay = ReplayServer.start()
    server = start_deltacloudd(tmp_path_factory.mktemp("vcloud"), "-P", replay.url, driver="vcloud", timeout=30)
    try:
        yield server
    finally:
        server.stop()
        replay.stop()


def _get(server: ServerProcess, path: str, auth: tuple[str, str] = AUTH) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=JSON, auth=auth, timeout=30)


@pytest.mark.slow
def test_what_deltacloudd_lists(deltacloudd: ServerProcess) -> None:
    realms = _get(deltacloudd, "/realms").json()["realms"]
    assert [(r["id"], r["name"]) for r in realms] == [("3d9ae28c-1de9-4307-8107-9356ff8ba6d0", "MyVdc")]
    images = [(i["id"], i["name"]) for i in _get(deltacloudd, "/images").json()["images"]]
    assert images == [("vappTemplate-ac1bc027-bf8c-4050-8643-4971f691c158", "VMTemplate_Master")]
    instances = {i["id"]: (i["name"], i["state"]) for i in _get(deltacloudd, "/instances").json()["instances"]}
    assert instances == {
        "vapp-8c57a5b6-e61b-48ca-8a78-3b70ee65ef6a": ("testNode", "RUNNING"),
        "vapp-8c57a5b6-e61b-48ca-8a78-3b70ee65ef6b": ("testNode2", "RUNNING"),
        "vapp-8c57a5b6-e61b-48ca-8a78-3b70ee65ef6c": ("testNode3", "RUNNING"),
    }, "the vApp the recording refuses (403) is left out"
    shown = _get(deltacloudd, "/instances/vapp-8c57a5b6-e61b-48ca-8a78-3b70ee65ef6a").json()["instance"]
    assert shown["name"] == "testNode" and shown["state"] == "RUNNING"
    profile = _get(deltacloudd, "/hardware_profiles/custom").json()["hardware_profile"]
    assert profile["id"] == "custom"


@pytest.mark.slow
def test_errors(deltacloudd: ServerProcess) -> None:
    assert _get(deltacloudd, "/instances", auth=(AUTH[0], "wrong")).status_code == 401
    assert _get(deltacloudd, "/instances/vapp-no-such-thing").status_code == 404
    assert _get(deltacloudd, "/instances/not-a-vapp").status_code == 404
