"""The driver against GoGrid's recorded answers, replayed over HTTP on loopback.

The expected values are read from the recordings themselves (``recordings/*.yml``), so these
tests say: what the real GoGrid account held in 2012, the API shows. One test runs the real
``deltacloudd -i gogrid`` process against the replay; the others an in-process server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gogrid_fake import LoopbackServer, serve
from gogrid_replay import RECORDINGS, Replay, cassettes, interactions, load

from deltacloud.testing import start_deltacloudd

#: The recorded requests were signed with a key now redacted; any key but ``unknown`` matches them.
AUTH = ("recorded-key", "recorded-secret")


def recorded(cassette: str, index: int = 0) -> list[dict[str, Any]]:
    """The ``list`` of one recorded answer."""
    return json.loads(interactions(RECORDINGS / cassette)[index]["response"]["body"]["string"])["list"]


class Served:
    """A replay server and our API in front of it."""

    def __init__(self, replay: Replay, backend: LoopbackServer, api: LoopbackServer | None) -> None:
        self.replay, self.backend, self.api = replay, backend, api
        self.url = f"{api.url}/api" if api else ""

    def get(self, path: str, auth: tuple[str, str] | None = AUTH, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.url}{path}", auth=auth, headers={"Accept": "application/json"}, timeout=30,
                            **kwargs)


def _start(running: bool, start_api: Any) -> Iterator[Served]:
    replay = Replay(load(cassettes(running=running)))
    backend = serve(replay)
    api = start_api(f"{backend.url}/api")
    try:
        yield Served(replay, backend, api)
    finally:
        api.stop()
        backend.stop()


@pytest.fixture
def account(api_starter: Any) -> Iterator[Served]:
    """The account as most recordings show it: one server just added, without its id yet."""
    yield from _start(False, api_starter)


@pytest.fixture
def running_account(api_starter: Any) -> Iterator[Served]:
    """The account as the last recordings show it: the server has its id and is on."""
    yield from _start(True, api_starter)


def test_realms_are_the_recorded_data_centers(account: Served) -> None:
    datacenters = recorded("test_0002_must_return_list_of_realms.yml")
    realms = account.get("/realms").json()["realms"]
    assert [(r["id"], r["name"]) for r in realms] == [(str(d["id"]), d["name"]) for d in datacenters]
    assert account.get("/realms/2").json()["realm"]["name"] == "US-East-1"
    assert account.get("/realms/99").status_code == 404
    assert account.replay.misses == []


def test_hardware_profiles_are_the_recorded_types_and_sizes(account: Served) -> None:
    types = recorded("test_0002_must_return_list_of_hardware_profiles.yml", 0)
    rams = recorded("test_0002_must_return_list_of_hardware_profiles.yml", 1)
    profiles = account.get("/hardware_profiles").json()["hardware_profiles"]
    assert [p["name"] for p in profiles] == [t["name"] for t in types]
    single = account.get("/hardware_profiles/database-server")
    assert single.status_code == 200
    text = single.text
    for ram in rams:  # 512MB ... 24GB, in MB
        size = int(ram["name"][:-2]) * (1024 if ram["name"].endswith("GB") else 1)
        assert f'"{size}"' in text, f"{ram['name']} missing from {text}"
    assert account.replay.misses == []


def test_images_are_the_recorded_images(account: Served) -> None:
    images = recorded("test_0002_must_return_list_of_images.yml")
    listed = {i["id"]: i for i in account.get("/images").json()["images"]}
    assert set(listed) == {str(i["id"]) for i in images} and len(listed) == 173
    for image in images:
        shown = listed[str(image["id"])]
        assert shown["name"] == image["friendlyName"]
        assert shown["owner_id"] == image["owner"]["name"]
        assert shown["architecture"] == ("x86_64" if image["architecture"]["name"] == "64-bit" else "i386")
    one = account.get("/images/13834").json()["image"]
    assert one["name"] == next(i["friendlyName"] for i in images if i["id"] == 13834)
    assert account.get("/images/unknown").status_code == 404  # GoGrid's 400 failure envelope
    assert account.replay.misses == []


def test_instances_show_the_recorded_server_without_its_id_as_pending(account: Served) -> None:
    (server,) = recorded("test_0002_must_return_list_of_instances.yml")
    assert "id" not in server
    (instance,) = account.get("/instances").json()["instances"]
    assert (instance["id"], instance["name"], instance["state"]) == (server["name"], server["name"], "PENDING")
    assert instance["realm"]["id"] == str(server["datacenter"]["id"])
    assert instance["image"]["id"] == str(server["image"]["id"])
    assert server["ip"]["ip"] in json.dumps(instance["public_addresses"])
    shown = account.get("/instances/test-instance")  # grid/server/get: 400 (no id yet), then the list
    assert shown.status_code == 200 and shown.json()["instance"]["state"] == "PENDING"
    assert account.get("/instances/unknown").status_code == 404
    stop = requests.post(f"{account.url}/instances/test-instance/stop", auth=AUTH, timeout=30)
    assert stop.status_code == 405  # a server without an id can be neither powered nor deleted
    assert account.replay.misses == []


def test_wrong_credentials_are_a_clean_401(account: Served) -> None:
    for path in ("/realms", "/images"):
        response = requests.get(f"{account.url}{path}", auth=("unknown", "whatever"), timeout=30)
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert "<h1>" not in response.text and "whatever" not in response.text
        assert "GoGrid refused the credentials" in response.text
    assert account.replay.misses == []


def test_the_running_server_shows_its_password_and_is_destroyed(running_account: Served) -> None:
    (server,) = recorded("instances_test_class-5.yml", 0)
    (password,) = recorded("instances_test_class-5.yml", 1)
    instance = running_account.get("/instances/test-instance").json()["instance"]
    assert instance["state"] == "RUNNING"
    assert instance["authentication_type"] == "password"
    assert instance["authentication"] == {"user": password["username"], "password": password["password"]}
    assert password["password"] == "REDACTED"  # as recorded: the real one was removed
    assert instance["hardware_profile"]["id"] == "web-server"
    assert server["ram"]["name"] == "512MB" and "512" in json.dumps(instance["hardware_profile"])
    gone = requests.delete(f"{running_account.url}/instances/test-instance", auth=AUTH, timeout=30)
    assert gone.status_code == 204, gone.text
    assert running_account.replay.misses == []


@pytest.mark.slow
def test_deltacloudd_serves_the_recorded_account(tmp_path: Path) -> None:
    replay = Replay(load(cassettes()))
    backend = serve(replay)
    server = start_deltacloudd(tmp_path, "-P", f"{backend.url}/api", driver="gogrid", timeout=30)
    try:
        served = Served(replay, backend, None)
        served.url = server.url
        assert [r["name"] for r in served.get("/realms").json()["realms"]] == [
            d["name"] for d in recorded("test_0002_must_return_list_of_realms.yml")]
        assert [p["id"] for p in served.get("/hardware_profiles").json()["hardware_profiles"]] == [
            "web-server", "database-server"]
        assert len(served.get("/images").json()["images"]) == len(recorded("test_0002_must_return_list_of_images.yml"))
        assert [(i["id"], i["state"]) for i in served.get("/instances").json()["instances"]] == [
            ("test-instance", "PENDING")]
        entry = requests.get(server.url, timeout=30)
        assert entry.status_code == 200 and "driver='gogrid'" in entry.text
        assert replay.misses == []
    finally:
        server.stop()
        backend.stop()
