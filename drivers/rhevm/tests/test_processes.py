"""Both processes for real: ``python -m rhevm_fake`` as a manual trial would run it, and ``deltacloudd -i rhevm``."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import requests

from deltacloud.testing import ServerProcess, free_port, server_environment, start_deltacloudd, start_process

pytestmark = pytest.mark.slow

AUTH = ("admin@internal", "secret")  # the defaults of python -m rhevm_fake


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    workdir = Path(tmp_path_factory.mktemp("processes"))
    port = free_port()
    engine = start_process([sys.executable, "-m", "rhevm_fake", "--port", str(port), "--delay-scale", "0.1"],
                           f"http://127.0.0.1:{port}/ovirt-engine/api", workdir / "engine.log",
                           server_environment(workdir / "home"), cwd=Path(__file__).parent, timeout=30)
    try:
        api = start_deltacloudd(workdir, "-P", f"http://127.0.0.1:{port}/ovirt-engine/api;dc-0001",
                                "--backend-timeout", "10", driver="rhevm", timeout=30)
    except BaseException:
        engine.stop()
        raise
    try:
        yield engine, api
    finally:
        api.stop()
        engine.stop()


def test_a_launch_through_both_processes(servers: tuple[ServerProcess, ServerProcess]) -> None:
    _, api = servers
    realms = ET.fromstring(requests.get(f"{api.url}/realms", auth=AUTH, timeout=30).content)
    assert [r.findtext("name") for r in realms.findall("realm")] == ["Default"]
    created = requests.post(f"{api.url}/instances", data={"image_id": "tpl-0001", "name": "trial"}, auth=AUTH,
                            timeout=30)
    assert created.status_code == 201, created.text
    instance = ET.fromstring(created.content)
    assert instance.findtext("state") == "PENDING"  # image_locked on the engine
    id = instance.get("id")
    states = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not states or states[-1] != "STOPPED"):
        states.append(ET.fromstring(requests.get(f"{api.url}/instances/{id}", auth=AUTH,
                                                 timeout=30).content).findtext("state"))
        time.sleep(0.05)
    assert states[-1] == "STOPPED" and set(states) <= {"PENDING", "STOPPED"}, states
    assert requests.delete(f"{api.url}/instances/{id}", auth=AUTH, timeout=30).status_code == 204
    refused = requests.get(f"{api.url}/realms", auth=("admin@internal", "wrong"), timeout=30)
    assert refused.status_code == 401
