"""Nothing lost: ``kill -9`` of ``deltacloudd`` in the middle of 200 concurrent instance creations on the mock.

Every instance the server answered with 201 must exist after a restart on the same store, and
the SQLite store must pass ``PRAGMA integrity_check`` both as the crash left it and after the
restart.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
CREATIONS = 200
CLIENTS = 40
KILL_AFTER = 50  # 201 answers received before the kill


def _start(deltacloudd: Deltaclouds, store: Path) -> ServerProcess:
    return deltacloudd.start("--mock-storage", str(store), "--workers", "2", timeout=30)


def _integrity(store: Path) -> list[tuple[str]]:
    conn = sqlite3.connect(store / "mock.db", timeout=10)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_hard(server: ServerProcess) -> None:
    """SIGKILL the master and its workers at once: nobody gets to clean up."""
    pids = [server.process.pid, *server.children()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids[1:]) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_kill_9_during_creations_loses_nothing_answered(tmp_path: Path, deltacloudd: Deltaclouds) -> None:
    store = tmp_path / "store"
    server = _start(deltacloudd, store)
    created: list[tuple[str, str]] = []  # (id, name) of every 201
    lock = threading.Lock()
    enough = threading.Event()

    def create(index: int) -> None:
        name = f"crash{index}"
        try:
            response = requests.post(f"{server.url}/instances", data={"image_id": "img1", "name": name},
                                     auth=AUTH, timeout=30)
        except requests.RequestException:
            return  # cut by the kill
        if response.status_code == 201:
            instance = response.headers["Location"].rsplit("/", 1)[1]
            with lock:
                created.append((instance, name))
                if len(created) >= KILL_AFTER:
                    enough.set()

    try:
        with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
            futures = [pool.submit(create, index) for index in range(CREATIONS)]
            assert enough.wait(timeout=120), f"only {len(created)} creations answered"
            _kill_hard(server)
            concurrent.futures.wait(futures, timeout=120)
    finally:
        server.stop()
    with lock:
        answered = list(created)
    assert KILL_AFTER <= len(answered) < CREATIONS, "the kill did not land in the middle of the creations"
    assert _integrity(store) == [("ok",)]

    restarted = _start(deltacloudd, store)
    try:
        for instance, name in answered:
            response = requests.get(f"{restarted.url}/instances/{instance}", auth=AUTH, timeout=10,
                                    headers={"Accept": "application/json"})
            assert response.status_code == 200, (instance, response.text)
            assert response.json()["instance"]["name"] == name
        listing = requests.get(f"{restarted.url}/instances", auth=AUTH, timeout=30,
                               headers={"Accept": "application/json"})
        listed = {item["id"] for item in listing.json()["instances"]}
        assert {instance for instance, _ in answered} <= listed
    finally:
        restarted.stop()
    assert _integrity(store) == [("ok",)]
