"""``deltacloudd -i terremark`` on a replay of libcloud's recorded Terremark (vCloud 0.8) documents.

Checked: the cookie login, the vDC as the realm, the catalog item's template as the image, the
vApp with its raw status (4, powered on) as RUNNING, and the errors (wrong password 401,
unrecorded or malformed vApp ids 404). Writes are not replayed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from deltacloud.testing import ServerProcess, start_deltacloudd

from . import terremark_replay
from .replay import REPLAY_PASSWORD

AUTH = (terremark_replay.TerremarkReplay.USER, REPLAY_PASSWORD)
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def deltacloudd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The Terremark replay and ``deltacloudd -i terremark -P REPLAY`` in front of it."""
    replay = terremark_replay.start()
    server = start_deltacloudd(tmp_path_factory.mktemp("terremark"), "-P", replay.url, driver="terremark",
                               timeout=30)
    try:
        yield server
    finally:
        server.stop()
        replay.stop()


def _get(server: ServerProcess, path: str, auth: tuple[str, str] = AUTH) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=JSON, auth=auth, timeout=30)


@pytest.mark.slow
def test_what_deltacloudd_lists(deltacloudd: ServerProcess) -> None:
    realms = [r["id"] for r in _get(deltacloudd, "/realms").json()["realms"]]
    assert realms == ["224"]
    images = [i["id"] for i in _get(deltacloudd, "/images").json()["images"]]
    assert images == ["5"], images
    instances = {i["id"]: i["state"] for i in _get(deltacloudd, "/instances").json()["instances"]}
    assert instances == {"14031": "RUNNING"}
    shown = _get(deltacloudd, "/instances/14031").json()["instance"]
    assert shown["state"] == "RUNNING" and shown["realm"]["id"] == "224", shown


@pytest.mark.slow
def test_errors(deltacloudd: ServerProcess) -> None:
    assert _get(deltacloudd, "/instances", auth=(AUTH[0], "wrong")).status_code == 401
    assert _get(deltacloudd, "/instances/99999").status_code == 404
    assert _get(deltacloudd, "/instances/not-a-vapp").status_code == 404
