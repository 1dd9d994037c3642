"""``deltacloud.http.revalidate`` with a driver of the tests that offers listing versions.

The tiny driver gets a ``listing_version`` (a counter the test moves), so what the core does with a
version is seen apart from any real driver's: kept per answer, used only while equal, a driver
without versions untouched, a version that raises harmless, and the layer left out when a plugin
adjusts the app. The mock's own versions are tested in ``drivers/mock/tests/test_revalidate.py``.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest

from deltacloud import plugins
from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.http.revalidate import Revalidator
from deltacloud.plugins import hookimpl


class Versions:
    """The version the tiny driver reports, the listings it made, and an error to raise instead."""

    def __init__(self) -> None:
        self.version: Any = 1
        self.listings = 0
        self.error: Exception | None = None


@pytest.fixture
def versions(tiny: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Versions]:
    """The tiny driver with a ``listing_version`` of its instances driven by the test."""
    state = Versions()
    cls = importlib.import_module("tiny_driver").TinyDriver  # the module the entry point loads
    listed = cls.instances

    def listing_version(self: Any, collection: str) -> Any:
        self._auth()
        if state.error is not None:
            raise state.error
        return state.version if collection == "instances" else None

    def instances(self: Any, filters: Any) -> Any:
        state.listings += 1
        return listed(self, filters)

    monkeypatch.setattr(cls, "listing_version", listing_version, raising=False)
    monkeypatch.setattr(cls, "instances", instances)
    yield state


PER_ANSWER = ("server-timing", "x-backend-runtime")


def _get(client: falcon.testing.TestClient, auth: dict[str, str], etag: str | None = None, **headers: str) -> Any:
    extra = {"If-None-Match": etag} if etag else {}
    return client.simulate_get("/api/instances", headers={**auth, **extra, **headers})


def _layer(client: falcon.testing.TestClient) -> Revalidator | None:
    return client.app.revalidator


def test_an_equal_version_answers_without_listing(client: falcon.testing.TestClient, auth: dict[str, str],
                                                  versions: Versions) -> None:
    first = _get(client, auth)  # listed, and kept with version 1
    etag = first.headers["etag"]
    for _ in range(3):
        assert _get(client, auth, etag).status_code == 304
        again = _get(client, auth)
        assert again.status_code == 200 and again.content == first.content
        assert {k: v for k, v in again.headers.items() if k not in PER_ANSWER} == \
            {k: v for k, v in first.headers.items() if k not in PER_ANSWER}
    assert versions.listings == 1
    assert client.app.revalidator.kept_bytes == len(first.content)
    versions.version = 2  # the driver says something changed: listed again (the same bytes: a 304 still)
    assert _get(client, auth, etag).status_code == 304
    assert versions.listings == 2
    # That 304 kept no bytes: a GET with a tag it does not name is listed, and keeps them again.
    assert _get(client, auth, '"another"').status_code == 200
    assert versions.listings == 3
    assert _get(client, auth, '"another"').status_code == 200 and _get(client, auth).status_code == 200
    assert versions.listings == 3


def test_a_version_that_raises_changes_nothing(client: falcon.testing.TestClient, auth: dict[str, str],
                                               versions: Versions) -> None:
    etag = _get(client, auth).headers["etag"]
    assert _get(client, auth, etag).status_code == 304
    assert versions.listings == 1
    versions.error = ConnectionError("the cloud's change feed is down")
    for _ in range(2):
        assert _get(client, auth, etag).status_code == 304  # the listing answered it
        assert _get(client, auth).status_code == 200
    assert versions.listings == 5


def test_wrong_credentials_are_refused_though_the_version_is_kept(client: falcon.testing.TestClient,
                                                                   auth: dict[str, str], versions: Versions) -> None:
    etag = _get(client, auth).headers["etag"]
    for _ in range(2):
        _get(client, auth, etag)
        _get(client, auth)
    wrong = {"Authorization": "Basic " + base64.b64encode(b"u:not-p").decode()}
    assert _get(client, wrong, etag).status_code == 401
    assert _get(client, wrong).status_code == 401


def test_a_driver_without_versions_is_listed_every_time(client: falcon.testing.TestClient,
                                                        auth: dict[str, str]) -> None:
    etag = _get(client, auth).headers["etag"]
    for _ in range(3):
        assert _get(client, auth, etag).status_code == 304
    assert len(_layer(client)) == 0


class _Adjuster:
    """A plugin that adjusts the app: the layer must not skip what it added."""

    @hookimpl
    def deltacloud_configure_app(self, app: Any, config: Any) -> None:
        app.add_middleware(_Stamp())


class _Stamp:
    def process_response(self, req: Any, resp: Any, resource: Any, req_succeeded: bool) -> None:
        resp.set_header("X-Stamp", "1")


def test_not_installed_when_a_plugin_adjusts_the_app(tiny: Any) -> None:
    assert isinstance(create_app(ServerConfig(driver="tiny")).revalidator, Revalidator)
    manager = plugins.plugin_manager()
    manager.register(_Adjuster(), name="test:adjuster")
    try:
        assert create_app(ServerConfig(driver="tiny")).revalidator is None
    finally:
        manager.unregister(name="test:adjuster")
