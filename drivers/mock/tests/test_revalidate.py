"""A poller's GET answered from the mock's listing version (``deltacloud.http.revalidate``).

In process, through the app a worker builds: once a thread has listed an unchanged listing twice,
its GETs are answered before routing (the driver's ``instances`` is not called), conditional ones
with the ordinary 304, plain ones with the same bytes and headers; any change (through the API,
through another app on the same store, by the clock) is in the very next answer, conditional or
not; credentials are checked on every poll and entries are never shared between users.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest
from defusedxml import ElementTree

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.http.revalidate import Revalidator
from deltacloud_driver_mock import MockDriver
from deltacloud_driver_mock.clock import ManualClock

ALICE = {"Authorization": "Basic " + base64.b64encode(b"alice:secret1").decode()}
BOB = {"Authorization": "Basic " + base64.b64encode(b"bob:secret2").decode()}
PER_ANSWER = ("server-timing", "x-backend-runtime", "x-request-id")


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The users whose instances the driver listed, one entry per call of ``MockDriver.instances``."""
    calls: list[str] = []
    original = MockDriver.instances

    def counted(self: MockDriver, filters: Any) -> Any:
        calls.append(self.credentials.user)
        return original(self, filters)

    monkeypatch.setattr(MockDriver, "instances", counted)
    return calls


@pytest.fixture
def configured(storage: Path) -> Iterator[None]:
    """Puts the mock's class settings (and clock) back after a test configured it with driver options."""
    saved = MockDriver.settings, MockDriver.clock
    yield
    MockDriver.settings, MockDriver.clock = saved


def _client(**options: str) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(ServerConfig(driver="mock", driver_options={"mock": options})))


def _layer(app: Any) -> Revalidator | None:
    return app.revalidator


def _poll(client: falcon.testing.TestClient, etag: str, headers: dict[str, str], **extra: str) -> Any:
    return client.simulate_get("/api/instances", headers={**headers, "If-None-Match": etag, **extra})


def _states(answer: Any) -> dict[str, str]:
    """Instance states by id in an XML listing."""
    return {e.get("id"): e.findtext("state") for e in ElementTree.fromstring(answer.content).findall("instance")}


def _create(client: falcon.testing.TestClient, headers: dict[str, str]) -> str:
    created = client.simulate_post("/api/instances", headers=headers, body="image_id=img1&hwp_id=m1-small",
                                   content_type="application/x-www-form-urlencoded")
    assert created.status_code == 201, created.text
    return created.headers["location"].rsplit("/", 1)[1]


def test_an_unchanged_listing_is_a_304_without_listing(api: falcon.testing.TestClient, mock_auth: dict[str, str],
                                                         listed: list[str]) -> None:
    for accept in ("application/xml", "application/json"):
        first = api.simulate_get("/api/instances", headers={**mock_auth, "Accept": accept})
        etag = first.headers["etag"]
        ordinary = [_poll(api, etag, mock_auth, Accept=accept) for _ in range(2)]  # lists, then keeps
        before = len(listed)
        fast = _poll(api, etag, mock_auth, Accept=accept)
        assert len(listed) == before, "the unchanged listing was listed again"
        assert [r.status_code for r in ordinary] == [304, 304] and fast.status_code == 304
        assert fast.content == b""
        expected = {k: v for k, v in ordinary[-1].headers.items() if k not in PER_ANSWER}
        assert {k: v for k, v in fast.headers.items() if k not in PER_ANSWER} == expected
        assert set(fast.headers) == set(ordinary[-1].headers)
        assert fast.headers["server-timing"].startswith("backend;dur=")
        # A plain GET after a 304: listed when that 304 kept no bytes (the thread's first listing of
        # this format came before the mock knew its version), then kept with them.
        plain = [api.simulate_get("/api/instances", headers={**mock_auth, "Accept": accept})]
        before = len(listed)
        plain += [api.simulate_get("/api/instances", headers={**mock_auth, "Accept": accept}) for _ in range(3)]
        assert len(listed) == before, "the unchanged listing was listed again"
        for again in plain:
            assert again.status_code == 200 and again.content == first.content
            assert {k: v for k, v in again.headers.items() if k not in PER_ANSWER} == \
                {k: v for k, v in first.headers.items() if k not in PER_ANSWER}
    assert len(_layer(api.app)) == 2  # one entry per format (one app thread here), the bytes with it


def test_a_change_through_the_api_or_another_app_is_in_the_next_answer(api: falcon.testing.TestClient,
                                                                       mock_auth: dict[str, str]) -> None:
    etag = api.simulate_get("/api/instances", headers=mock_auth).headers["etag"]
    for _ in range(3):
        assert _poll(api, etag, mock_auth).status_code == 304
    for _ in range(3):
        api.simulate_get("/api/instances", headers=mock_auth)
    new = _create(api, mock_auth)
    assert new in _states(api.simulate_get("/api/instances", headers=mock_auth))
    changed = _poll(api, etag, mock_auth)
    assert changed.status_code == 200 and new in _states(changed)
    etag = changed.headers["etag"]
    for _ in range(3):
        assert _poll(api, etag, mock_auth).status_code == 304
    other = _client()  # another worker on the same store: its own connection, its own commits
    stopped = other.simulate_post(f"/api/instances/{new}/stop", headers=mock_auth)
    assert stopped.status_code == 202, stopped.text
    assert _states(api.simulate_get("/api/instances", headers=mock_auth))[new] == "STOPPED"
    after = _poll(api, etag, mock_auth)
    assert after.status_code == 200 and _states(after)[new] == "STOPPED"


def test_an_automatic_transition_breaks_the_304(storage: Path, monkeypatch: pytest.MonkeyPatch,
                                                 mock_auth: dict[str, str]) -> None:
    clock = ManualClock(start=1_000_000.0)
    monkeypatch.setattr(MockDriver, "clock", clock)
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "30")
    client = _client()
    new = _create(client, mock_auth)
    pending = client.simulate_get("/api/instances", headers=mock_auth)
    assert _states(pending)[new] == "PENDING"
    for _ in range(3):
        assert _poll(client, pending.headers["etag"], mock_auth).status_code == 304
    for _ in range(3):
        assert _states(client.simulate_get("/api/instances", headers=mock_auth))[new] == "PENDING"
    clock.advance(29.9)
    assert _poll(client, pending.headers["etag"], mock_auth).status_code == 304
    clock.advance(0.1)  # the transition is due: nothing was written, the listing still changes
    assert _states(client.simulate_get("/api/instances", headers=mock_auth))[new] == "RUNNING"
    running = _poll(client, pending.headers["etag"], mock_auth)
    assert running.status_code == 200 and _states(running)[new] == "RUNNING"


def test_credentials_are_checked_on_every_poll_and_never_shared(configured: None) -> None:
    client = _client(users="alice:secret1,bob:secret2")
    _create(client, ALICE)
    alice = client.simulate_get("/api/instances", headers=ALICE)
    for _ in range(3):
        assert _poll(client, alice.headers["etag"], ALICE).status_code == 304
    for _ in range(3):
        assert client.simulate_get("/api/instances", headers=ALICE).content == alice.content
    # Bob sending Alice's tag, or none, gets his own listing, not her 304 or her bytes.
    bob = _poll(client, alice.headers["etag"], BOB)
    assert bob.status_code == 200 and bob.headers["etag"] != alice.headers["etag"]
    assert client.simulate_get("/api/instances", headers=BOB).content == bob.content != alice.content
    wrong = {"Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode()}
    for refused in (_poll(client, alice.headers["etag"], wrong), client.simulate_get("/api/instances", headers=wrong)):
        assert refused.status_code == 401
        assert "secret1" not in refused.text and "wrong" not in refused.text


def test_only_whole_listings_in_xml_or_json_are_kept(api: falcon.testing.TestClient,
                                                      mock_auth: dict[str, str]) -> None:
    layer = _layer(api.app)
    assert layer is not None
    for path, query, accept in (("/api/instances", "state=RUNNING", "application/xml"),
                                ("/api/instances", "", "text/html"),
                                ("/api/realms", "", "application/xml")):
        first = api.simulate_get(path, query_string=query, headers={**mock_auth, "Accept": accept})
        for _ in range(3):
            again = api.simulate_get(path, query_string=query,
                                     headers={**mock_auth, "Accept": accept, "If-None-Match": first.headers["etag"]})
            assert again.status_code == 304
    assert len(layer) == 0  # filtered, HTML, and a collection the mock gives no version for: listed each time


def test_not_installed_with_every_cache_off(storage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _layer(_client().app) is not None
    monkeypatch.setenv("DELTACLOUD_CACHE", "off")
    assert _layer(_client().app) is None
