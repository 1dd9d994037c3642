"""``GET /api`` answered before routing from the answer kept for the same request (``http.entry_answers``)."""

from __future__ import annotations

import base64
import importlib
from typing import Any

import falcon.testing
import pytest

from deltacloud.config import ServerConfig
from deltacloud.http import app as app_module
from deltacloud.http.app import create_app

PER_ANSWER = ("server-timing", "x-request-id")


@pytest.fixture
def routed(tiny: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entry point requests that reached the router (``EntryPoint.on_get``), by ``Accept``."""
    calls: list[str] = []
    original = app_module.EntryPoint.on_get

    def counted(self: Any, req: Any, resp: Any) -> None:
        calls.append(req.get_header("Accept") or "")
        original(self, req, resp)

    monkeypatch.setattr(app_module.EntryPoint, "on_get", counted)
    return calls


@pytest.fixture
def api(routed: list[str]) -> falcon.testing.TestClient:
    """A client of an app built after ``routed`` is in place (Falcon binds responders when routes are added)."""
    return falcon.testing.TestClient(create_app(ServerConfig(driver="tiny")))


def _same(fast: Any, ordinary: Any) -> None:
    assert fast.status_code == ordinary.status_code and fast.content == ordinary.content
    assert {k: v for k, v in fast.headers.items() if k not in PER_ANSWER} == \
        {k: v for k, v in ordinary.headers.items() if k not in PER_ANSWER}
    assert set(fast.headers) == set(ordinary.headers)


def test_the_second_get_is_the_same_answer_without_routing(api: falcon.testing.TestClient, routed: list[str],
                                                            auth: dict[str, str]) -> None:
    for accept in ("application/xml", "application/json"):
        ordinary = api.simulate_get("/api", headers={**auth, "Accept": accept})
        fast = api.simulate_get("/api", headers={**auth, "Accept": accept})
        _same(fast, ordinary)
        tagged = {**auth, "Accept": accept, "If-None-Match": ordinary.headers["etag"]}
        unchanged = api.simulate_get("/api", headers=tagged)
        assert unchanged.status_code == 304 and unchanged.content == b""
    assert routed == ["application/xml", "application/json"]
    assert len(api.app.entry) == 2
    anonymous = api.simulate_get("/api")  # credentials do not change the document
    assert anonymous.status_code == 200 and routed == ["application/xml", "application/json", ""]


def test_the_304_is_the_ordinary_304(api: falcon.testing.TestClient, auth: dict[str, str]) -> None:
    etag = api.simulate_get("/api", headers=auth).headers["etag"]
    fast = api.simulate_get("/api", headers={**auth, "If-None-Match": etag})
    api.app.entry = None  # from now on the ordinary way
    ordinary = api.simulate_get("/api", headers={**auth, "If-None-Match": etag})
    assert ordinary.status_code == 304
    _same(fast, ordinary)


def test_links_follow_the_host_and_the_selection(api: falcon.testing.TestClient, auth: dict[str, str]) -> None:
    first = api.simulate_get("/api", headers=auth, host="one.example")
    api.simulate_get("/api", headers=auth, host="one.example")
    other = api.simulate_get("/api", headers=auth, host="two.example")
    assert "http://two.example/api/" in other.text and "one.example" not in other.text
    assert "http://one.example/api/" in first.text
    for _ in range(2):  # another driver named: not the kept answer of the default one
        unknown = api.simulate_get("/api", headers={**auth, "X-Deltacloud-Driver": "nosuch"})
        assert unknown.status_code == 400 and "nosuch" in unknown.text


def test_malformed_credentials_are_refused_though_the_answer_is_kept(api: falcon.testing.TestClient,
                                                                     auth: dict[str, str]) -> None:
    api.simulate_get("/api", headers=auth)
    bad = {"Authorization": "Basic !!!not-base64"}
    assert api.simulate_get("/api", headers=bad).status_code == 401


def test_what_is_not_the_same_for_everyone_is_not_kept(api: falcon.testing.TestClient, routed: list[str],
                                                       auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = {"Authorization": "Basic " + base64.b64encode(b"u:wrong").decode()}
    for _ in range(2):
        assert api.simulate_get("/api", query_string="force_auth=1", headers=wrong).status_code == 401
        assert api.simulate_get("/api", headers={**auth, "Accept": "text/html"}).status_code == 200
    assert len(api.app.entry) == 0 and len(routed) == 4
    cls = importlib.import_module("tiny_driver").TinyDriver
    monkeypatch.setattr(cls, "offers", lambda self: (None, None))  # a driver that narrows per request
    for _ in range(2):
        api.simulate_get("/api", headers=auth)
    assert len(api.app.entry) == 0 and len(routed) == 6


def test_not_installed_with_every_cache_off(tiny: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACLOUD_CACHE", "off")
    assert create_app(ServerConfig(driver="tiny")).entry is None
