"""Two server processes attach the same volume at once: one wins (202), the other gets 409, the store agrees.

Each process builds its own app on the same storage directory (as two ``deltacloudd`` workers
do), the processes start their requests together at a barrier; a second test does the same
with two real ``deltacloudd`` servers over HTTP.
"""

from __future__ import annotations

import base64
import multiprocessing
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from deltacloud.models import Credentials
from deltacloud.testing import Deltaclouds
from deltacloud_driver_mock import MockDriver

CREDENTIALS = Credentials("mockuser", "mockpassword")
AUTH = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}
TIMEOUT = 60
ROUNDS = 6

ctx = multiprocessing.get_context("fork")


def _server_process(barrier, queue, rounds: int, instance: str, device: str) -> None:
    """One 'server': its own app and store connection; each round, attach then report the status."""
    try:
        import falcon.testing

        from deltacloud.config import ServerConfig
        from deltacloud.http.app import create_app

        client = falcon.testing.TestClient(create_app(ServerConfig(driver="mock")))
        results = []
        for round_ in range(rounds):
            volume = f"vol{1 + round_ % 2}"
            barrier.wait(TIMEOUT)
            r = client.simulate_post(f"/api/storage_volumes/{volume}/attach", headers=AUTH,
                                     params={"instance_id": instance, "device": device})
            results.append(r.status_code)
            barrier.wait(TIMEOUT)  # both answered; the parent checks and detaches
            barrier.wait(TIMEOUT)
        queue.put(("ok", results))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def _check_consistent(driver: MockDriver, volume: str) -> str:
    """The volume is IN-USE by exactly one instance, which lists it (and no other instance does)."""
    vol = driver.storage_volume(volume)
    assert vol.state == "IN-USE" and vol.instance_id, vol
    holders = [i.id for i in driver.instances({}) if any(v.id == volume for v in i.storage_volumes)]
    assert holders == [vol.instance_id], (vol, holders)
    attached = next(v for v in driver.instance(vol.instance_id).storage_volumes if v.id == volume)
    assert attached.device == vol.device
    return vol.instance_id


@pytest.mark.parametrize(("second", "device"), [("inst2", "/dev/sdf"), ("inst1", "/dev/sdg")],
                         ids=["two-instances", "one-instance-two-devices"])
def test_two_processes_attach_the_same_volume(driver, second, device):
    driver.images({})  # seed before the fork
    barrier = ctx.Barrier(3)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_server_process, args=(barrier, queue, ROUNDS, "inst1", "/dev/sdf")),
             ctx.Process(target=_server_process, args=(barrier, queue, ROUNDS, second, device))]
    for proc in procs:
        proc.start()
    winners = Counter()
    try:
        for round_ in range(ROUNDS):
            barrier.wait(TIMEOUT)  # go
            barrier.wait(TIMEOUT)  # both answered
            volume = f"vol{1 + round_ % 2}"
            winners[_check_consistent(driver, volume)] += 1
            driver.detach_storage_volume(volume)
            barrier.wait(TIMEOUT)
        results = [queue.get(timeout=TIMEOUT) for _ in procs]
    finally:
        for proc in procs:
            proc.join(TIMEOUT)
            if proc.is_alive():
                proc.kill()
    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, "\n".join(errors)
    statuses = [r[1] for r in results]
    for round_ in range(ROUNDS):
        assert sorted(s[round_] for s in statuses) == [202, 409], statuses
    assert sum(winners.values()) == ROUNDS
    assert [v.state for v in driver.storage_volumes({}) if v.id in ("vol1", "vol2")] == ["AVAILABLE", "AVAILABLE"]
    assert [v.id for v in driver.instance("inst1").storage_volumes] == ["vol3"]
    assert driver.instance("inst2").storage_volumes == ()


# -- two real servers ------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_deltacloudd_attach_the_same_volume(tmp_path, deltacloudd: Deltaclouds):
    storage = tmp_path / "shared-store"
    servers = []
    try:
        for _ in range(2):
            servers.append(deltacloudd.start("--mock-storage", str(storage), "--threads", "2", "--log", "off"))
        one, two = (server.url for server in servers)
        auth = ("mockuser", "mockpassword")
        with ThreadPoolExecutor(2) as pool:
            for round_ in range(4):
                volume = f"vol{1 + round_ % 2}"
                futures = [pool.submit(requests.post, f"{base}/storage_volumes/{volume}/attach", auth=auth,
                                       data={"instance_id": instance, "device": "/dev/sdf"}, timeout=30)
                           for base, instance in ((one, "inst1"), (two, "inst2"))]
                answers = [f.result() for f in futures]
                assert sorted(a.status_code for a in answers) == [202, 409], [a.text for a in answers]
                winner = next(a for a in answers if a.status_code == 202)
                holder = "inst1" if "inst1" in winner.text else "inst2"
                for base in (one, two):  # both servers see the same, consistent store
                    vol = requests.get(f"{base}/storage_volumes/{volume}", auth=auth, params={"format": "json"},
                                       timeout=10).json()["storage_volume"]
                    assert (vol["state"], vol["instance"]["id"]) == ("IN-USE", holder)
                    inst = requests.get(f"{base}/instances/{holder}", auth=auth, params={"format": "json"},
                                        timeout=10).json()["instance"]
                    assert volume in [v["id"] for v in inst["storage_volumes"]]
                assert requests.post(f"{two}/storage_volumes/{volume}/detach", auth=auth,
                                     timeout=10).status_code == 202
    finally:
        for server in servers:
            server.stop()
