"""A real ``deltacloudd -i mock`` serves instance listings byte for byte as the frozen reference writers write them.

The oracle (``test_writer_oracle``) compares the writers in process; this test looks at what a
server process answers over HTTP, with and without the fragment cache: instances with names
that need escaping, overrides, firewalls and states with and without actions, read back through
the mock's own store and written by the reference writers of ``test_writer_reference``.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from deltacloud.models import Credentials, Instance
from deltacloud.render.context import RenderContext
from deltacloud.testing import Deltaclouds, ServerProcess, load_module

mock = pytest.importorskip("deltacloud_driver_mock", reason="the mock driver is not installed")
AUTH = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}
NAMES = ("plain", "a&b <c> 'single' \"double\"", "caf\u00e9 \u65e5\u672c", "]]> x")


#: The frozen reference writers (a sibling module, not in a package).
REF = load_module(Path(__file__).with_name("test_writer_reference.py"), "writer_reference_served")


def _call(url: str, method: str = "GET", data: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers={**AUTH, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _populate(server: ServerProcess) -> None:
    """Instances whose documents escape, carry overrides and firewalls, and sit in states with other actions."""
    for n, name in enumerate(NAMES):
        form = {"image_id": "img1", "hwp_id": "m1-small" if n % 2 else "m1-large", "name": name}
        if n % 2 == 0:
            form["hwp_memory"] = "12288"
        status, body = _call(f"{server.url}/instances", "POST", urllib.parse.urlencode(form).encode())
        assert status == 201, body[:300]
    status, body = _call(f"{server.url}/instances/inst1/stop", "POST")
    assert status == 202, body[:300]


def _stored_instances(store: Path, monkeypatch: pytest.MonkeyPatch) -> list[Instance]:
    """The instances the server's store holds, as the mock driver reads them in this process."""
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", str(store))
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "0")
    return mock.MockDriver(Credentials("mockuser", "mockpassword")).instances({})


@pytest.mark.parametrize("cache", ["on", "off"])
def test_served_listings_are_the_reference_writers_bytes(deltacloudd: Deltaclouds, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    from deltacloud.loader import load

    store = tmp_path / "store"
    server = deltacloudd.start("--log", "off", "--mock-storage", str(store), env={"DELTACLOUD_CACHE": cache})
    _populate(server)
    instances = _stored_instances(store, monkeypatch)
    assert len(instances) >= len(NAMES) + 2
    assert {i.state for i in instances} >= {"RUNNING", "STOPPED"}
    ctx = RenderContext(server.url, "mock", mock.MockDriver, load("mock").features)
    for _ in range(2):  # the second listing is the one the cache (when on) answers from kept fragments
        status, body = _call(f"{server.url}/instances")
        assert status == 200
        xml = body.decode()
        assert xml.count("<instance ") == len(instances)
        for i in instances:
            assert REF.ref_instance_xml(i, ctx) in xml, f"{i.id} differs:\n{xml[:2000]}"
        status, body = _call(f"{server.url}/instances", Accept="application/json")
        assert status == 200
        served = {i["id"]: i for i in json.loads(body)["instances"]}
        for i in instances:
            assert json.dumps(served[i.id]) == json.dumps(REF.ref_instance_json(i, ctx)), i.id
