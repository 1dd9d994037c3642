"""The replay server answers exactly what the real RHEV-M answered, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import defusedxml.ElementTree as ET
import pytest
import requests
from rhevm_fake import LoopbackServer, serve
from rhevm_replay import DATA_CENTER, PASSWORD, USER, Replay


@pytest.fixture
def replay() -> Iterator[tuple[Replay, LoopbackServer]]:
    app = Replay(["test_0002_must_return_list_of_realms.yml", "test_0004_must_allow_to_retrieve_single_image.yml"])
    server = serve(app)
    try:
        yield app, server
    finally:
        server.stop()


def test_recorded_requests_get_the_recorded_answers(replay: tuple[Replay, LoopbackServer]) -> None:
    app, server = replay
    answer = requests.get(f"{server.url}/api/clusters", params={"search": "datacenter=iscsi"},
                          auth=(USER, PASSWORD), timeout=5)
    assert answer.status_code == 200
    root = ET.fromstring(answer.content)
    assert [c.findtext("name") for c in root.findall("cluster")] == ["iscsi"]
    assert root.find("cluster/data_center").get("id") == DATA_CENTER
    missing = requests.get(f"{server.url}/api/templates/unknown", auth=(USER, PASSWORD), timeout=5)
    assert missing.status_code == 404 and "JBoss" in missing.text
    assert app.unmatched == []


def test_other_credentials_get_the_recorded_401(replay: tuple[Replay, LoopbackServer]) -> None:
    _, server = replay
    answer = requests.get(f"{server.url}/api/datacenters", params={"search": ""}, auth=(USER, "x"), timeout=5)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == 'Basic realm="ENGINE"'


def test_unrecorded_requests_are_listed(replay: tuple[Replay, LoopbackServer]) -> None:
    app, server = replay
    answer = requests.get(f"{server.url}/api/vms", auth=(USER, PASSWORD), timeout=5)
    assert answer.status_code == 599
    assert app.unmatched == [("GET", "/api/vms", ())]


def test_sequential_replay_answers_in_recorded_order() -> None:
    app = Replay(["test_0005_must_allow_to_create_a_new_instance_and_destroy_it-9.yml",
                  "test_0005_must_allow_to_create_a_new_instance_and_destroy_it-destroy-9.yml"], sequential=True)
    server = serve(app)
    try:
        url = f"{server.url}/api/vms/ce7ecfe2-c402-4284-b5e7-a2ad6a905c3b"
        statuses = [requests.get(url, auth=(USER, PASSWORD), timeout=5).status_code for _ in range(3)]
    finally:
        server.stop()
    assert statuses == [200, 404, 404]
