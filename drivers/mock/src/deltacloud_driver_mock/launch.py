"""What a launch adds to new instances beyond the image and profile.

Firewalls, a load balancer to join, detailed monitoring, and a volume made from a snapshot and
attached at a device (``attach_snapshot``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from deltacloud.errors import ValidationError
from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import balancers, catalog
from deltacloud_driver_mock.firewalls import check_firewalls
from deltacloud_driver_mock.records import timestamp
from deltacloud_driver_mock.relations import BALANCERS, SNAPSHOTS, VOLUMES
from deltacloud_driver_mock.storage import DEFAULT_CAPACITY, DEVICE
from deltacloud_driver_mock.store import Transaction


@dataclass
class Placement:
    """Where new instances go and what they join, checked inside the launch's transaction."""

    realm_id: str
    firewalls: list[str]
    balancer: dict[str, Any] | None
    metrics: bool
    snapshot: dict[str, Any] | None = None
    device: str = ""

    def prepare(self, tx: Transaction, doc: dict[str, Any]) -> dict[str, Any]:
        """A new instance's document with its firewalls and monitoring set, and its volume from the snapshot."""
        doc = dict(doc, firewalls=list(self.firewalls), metrics=self.metrics)
        if self.snapshot is not None:
            volume = {"id": tx.next_free_id(VOLUMES, "vol"), "name": "", "description": "",
                      "realm_id": doc["realm_id"], "capacity": self.snapshot.get("capacity") or DEFAULT_CAPACITY,
                      "state": "IN-USE", "created": timestamp(time.time()), "instance_id": doc["id"],
                      "device": self.device, "snapshot_id": self.snapshot["id"], "owner_id": doc["owner_id"]}
            tx.insert(VOLUMES, volume, owner=doc["owner_id"])
            doc["storage_volumes"] = [*doc.get("storage_volumes", []), {"id": volume["id"], "device": self.device}]
        return doc

    def join(self, tx: Transaction, doc: dict[str, Any]) -> None:
        """Register a stored new instance with the load balancer, if the launch named one."""
        if self.balancer is not None:
            self.balancer = balancers.register(tx, self.balancer, doc)


def placement(tx: Transaction, options: LaunchOptions) -> Placement:
    """Check the firewalls and load balancer a launch names; the realm defaults to the balancer's.

    ``ValidationError`` names ``firewalls``, ``load_balancer_id`` or ``realm_id``.
    """
    if options.realm_id is not None and options.realm_id not in catalog.REALMS_BY_ID:
        raise ValidationError(f"Realm '{options.realm_id}' does not exist", param="realm_id")
    firewalls = check_firewalls(tx, options.firewalls)
    lb = None
    if options.load_balancer_id:
        lb = tx.get(BALANCERS, options.load_balancer_id)
        if lb is None:
            raise ValidationError(f"Load balancer '{options.load_balancer_id}' does not exist",
                                  param="load_balancer_id")
    realm_id = options.realm_id or (lb["realm_ids"][0] if lb else catalog.DEFAULT_REALM)
    if lb is not None and realm_id not in lb["realm_ids"]:
        raise ValidationError(f"Parameter 'load_balancer_id': load balancer '{lb['id']}' balances in "
                              f"{', '.join(lb['realm_ids'])}, not in realm '{realm_id}'", param="load_balancer_id")
    place = Placement(realm_id, firewalls, lb, options.metrics)
    if options.snapshot_id:
        place.snapshot = tx.get(SNAPSHOTS, options.snapshot_id)
        if place.snapshot is None:
            raise ValidationError(f"Snapshot '{options.snapshot_id}' does not exist", param="snapshot_id")
        place.device = options.device_name or ""
        if not DEVICE.match(place.device):
            raise ValidationError("Parameter 'device_name' must name a device such as /dev/sdf to attach the "
                                  "snapshot's volume at", param="device_name")
    return place
