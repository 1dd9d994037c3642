"""What a cloud makes on a test's behalf, found and destroyed with what the test made itself.

A launch may make more than an instance: a volume from ``snapshot_id`` (``attach_snapshot``)
outlives its instance on the mock and on EC2, and a cloud may allocate an address for a new
instance. The suite never asked for these by a create of their own, so nothing recorded them.

``Dependents`` remembers which volumes and addresses existed before a test launched anything
(one listing of each collection the server offers, when the test's ``Instances`` is made).
Volumes that then show up attached to one of the test's instances, and addresses associated
with one, are new and the test's own: they are tracked like anything the test created, and
destroyed after their instance, when the cloud has let go of them. A volume or address that
existed before is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import items_of, ref_id
from deltacloud_conformance.tracker import Tracker

#: The collections whose items a launch may make, and the element naming their instance.
COLLECTIONS = ("storage_volumes", "addresses")
#: Statuses of a DELETE the cloud may answer while it still holds the resource (attached, detaching).
BUSY = (405, 409)


class Dependents:
    """Volumes and addresses made for one test's instances; tracked for destruction."""

    def __init__(self, api: DeltacloudApi, tracker: Tracker, timeout: float, pause: float = 0.1) -> None:
        self.api, self.tracker, self.timeout, self.pause = api, tracker, timeout, pause
        self.before: dict[str, set[str]] | None = None

    def take_baseline(self) -> None:
        """List what exists before the test launches anything (once); a collection the server lacks is skipped."""
        if self.before is not None:
            return
        self.before = {}
        for collection in COLLECTIONS:
            response = self.api.get(f"/{collection}")
            if response.status == 200 and response.content_type in ("application/xml", "text/xml"):
                try:
                    self.before[collection] = {i.get("id") for i in items_of(response.xml(), collection)}
                except AssertionError:
                    continue  # a malformed listing is the collection tests' finding; track nothing of it

    def _new(self, collection: str, id: str | None) -> bool:
        """Whether ``id`` is new since the baseline and not already tracked."""
        if not id or self.before is None or collection not in self.before or id in self.before[collection]:
            return False
        return not any(t.collection == collection and t.id == id for t in self.tracker.items)

    def note_volumes(self, instance: Any) -> None:
        """Track the new volumes an ``<instance>`` element shows attached."""
        owner = instance.get("id")
        for volume in instance.findall("storage_volumes/storage_volume"):
            if self._new("storage_volumes", volume.get("id")):
                self.tracker.track("storage_volumes", volume.get("id"), self._destroyer("storage_volumes"),
                                   made_for=f"instances/{owner}")

    def note_addresses(self, instance_id: str) -> None:
        """Track the new addresses associated with instance ``instance_id`` (one listing)."""
        if self.before is None or "addresses" not in self.before:
            return
        response = self.api.get("/addresses")
        if response.status != 200:
            return
        for address in items_of(response.xml(), "addresses"):
            if ref_id(address, "instance") == instance_id and self._new("addresses", address.get("id")):
                self.tracker.track("addresses", address.get("id"), self._destroyer("addresses"),
                                   made_for=f"instances/{instance_id}")

    def _destroyer(self, collection: str) -> Callable[[str], None]:
        """DELETE, retried while the cloud still holds the resource (bounded by the state timeout)."""

        def destroy(id: str) -> None:
            if self.api.get(f"/{collection}/{id}").status == 404:
                return  # the cloud removed it with its instance
            deadline = time.monotonic() + self.timeout
            while True:
                response = self.api.delete(f"/{collection}/{id}")
                if response.status in (200, 202, 204, 404):
                    return
                if response.status not in BUSY or time.monotonic() >= deadline:
                    raise AssertionError(f"cannot destroy {collection}/{id}: {response.describe()}")
                time.sleep(self.pause)

        return destroy
