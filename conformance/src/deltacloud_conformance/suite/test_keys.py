"""The keys collection, when advertised: list, show, create, destroy, XML and JSON agree."""

from __future__ import annotations

from collections.abc import Callable

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import items_of
from deltacloud_conformance.requirements import requires_collection, skip_unless_allowed
from deltacloud_conformance.suite.common import OptionalCollectionChecks
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestKeys"]


@requires_collection("keys")
class TestKeys(OptionalCollectionChecks):
    """``/api/keys``: credentials to log in to instances."""

    area = "keys"
    collection = "keys"

    def _create(self, dc_api: DeltacloudApi, dc_tracker: Tracker, name: str) -> object:
        skip_unless_allowed(dc_api.request("OPTIONS", "/keys").header("allow"), "POST", "/api/keys")
        response = dc_api.post("/keys", data={"name": name})
        dc_tracker.track_created(response, "keys")
        response.expect(201)
        key = response.xml()
        assert response.header("location") == key.get("href"), "Location is not the new key's href"
        return key

    def test_create_show_destroy(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                                 dc_unique: Callable[[str], str]) -> None:
        name = dc_unique("key")
        key = self._create(dc_api, dc_tracker, name)
        id = key.get("id")  # type: ignore[attr-defined]
        assert key.findtext("name") == name, f"asked for key name {name!r}, got {key.findtext('name')!r}"  # type: ignore[attr-defined]
        assert key.get("type") in ("key", "password"), f"key type {key.get('type')!r}"  # type: ignore[attr-defined]
        assert id in [k.get("id") for k in items_of(dc_api.xml("/keys"), "keys")], f"new key {id} is not listed"
        dc_api.get(f"/keys/{id}").expect(200)
        skip_unless_allowed(dc_api.request("OPTIONS", f"/keys/{id}").header("allow"), "DELETE", "/api/keys/<id>")
        dc_api.delete(f"/keys/{id}").expect(204)
        dc_tracker.forget("keys", id)
        dc_api.get(f"/keys/{id}").expect(404)

    def test_create_without_a_name_is_400(self, dc_api: DeltacloudApi, dc_tracker: Tracker) -> None:
        skip_unless_allowed(dc_api.request("OPTIONS", "/keys").header("allow"), "POST", "/api/keys")
        response = dc_api.post("/keys", data={})
        dc_tracker.track_created(response, "keys")
        response.expect(400)
