"""``deltacloudd -i openstack`` on a replay of libcloud's recorded Keystone v2 and Nova answers.

What is checked is what the server lists from those recordings: flavors as fixed profiles,
images, servers with their Nova status mapped (BUILD is PENDING, ACTIVE is RUNNING), key pairs,
and the errors (wrong password 401, an unrecorded server 404, a client-sent loopback provider
400). Writes are not replayed meaningfully and are not tested here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from deltacloud.testing import ServerProcess, start_deltacloudd

from .replay import OPENSTACK_ROUTES, REPLAY_PASSWORD, REPLAY_USER, ReplayServer

AUTH = (f"{REPLAY_USER}+demo-project", REPLAY_PASSWORD)
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def replay() -> Iterator[ReplayServer]:
    """The recorded OpenStack answers on a loopback port."""
    server = ReplayServer.start(OPENSTACK_ROUTES)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deltacloudd(replay: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``deltacloudd -i openstack -P REPLAY/v2.0``, a real server process."""
    server = start_deltacloudd(tmp_path_factory.mktemp("openstack"), "-P", f"{replay.url}/v2.0",
                               driver="openstack", timeout=30)
    try:
        yield server
    finally:
        server.stop()


def _get(server: ServerProcess, path: str, auth: tuple[str, str] = AUTH,
         headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=headers or JSON, auth=auth, timeout=30)


@pytest.mark.slow
def test_what_deltacloudd_lists(deltacloudd: ServerProcess) -> None:
    entry = _get(deltacloudd, "").text
    assert "/api/keys" in entry and "storage_volumes" not in entry and "buckets" not in entry, entry
    realms = _get(deltacloudd, "/realms").json()["realms"]
    assert [r["id"] for r in realms] == ["RegionOne"]
    profiles = {p["id"]: p for p in _get(deltacloudd, "/hardware_profiles").json()["hardware_profiles"]}
    assert len(profiles) == 8 and profiles["2"]["name"] == "512 slice"
    images = {i["id"]: i["name"] for i in _get(deltacloudd, "/images").json()["images"]}
    assert images["4"] == "Debian Squeeze (6.0)" and len(images) == 13
    instances = {i["id"]: i for i in _get(deltacloudd, "/instances").json()["instances"]}
    assert {k: v["state"] for k, v in instances.items()} == {"12065": "PENDING", "12064": "RUNNING"}
    assert instances["12064"]["name"] == "lc-test"
    shown = _get(deltacloudd, "/instances/12064").json()["instance"]
    assert shown["state"] == "RUNNING"
    keys = sorted(k["id"] for k in _get(deltacloudd, "/keys").json()["keys"])
    assert keys == ["key1", "key2"]


@pytest.mark.slow
def test_errors(deltacloudd: ServerProcess, replay: ReplayServer) -> None:
    assert _get(deltacloudd, "/instances", auth=(AUTH[0], "wrong")).status_code == 401
    assert _get(deltacloudd, "/instances/no-such-server").status_code == 404
    elsewhere = _get(deltacloudd, "/realms", headers={**JSON, "X-Deltacloud-Provider": "http://127.0.0.1:9/v2.0"})
    assert elsewhere.status_code == 400, "a client may not point the server at loopback"
    assert ("POST", "/v2.0/tokens") in replay.app.calls
