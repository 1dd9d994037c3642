"""The mock's block storage: volumes that attach to instances of their realm, and snapshots of them."""

from __future__ import annotations

import re
import time

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import StorageSnapshot, StorageVolume
from deltacloud_driver_mock import catalog, records_extra
from deltacloud_driver_mock.records import timestamp
from deltacloud_driver_mock.relations import (
    SNAPSHOTS,
    VOLUMES,
    MockParts,
    instance_of,
    put_instance,
    text_param,
)

#: Size of a new empty volume when the client gives none, in GB.
DEFAULT_CAPACITY = 1
#: Device names an instance can see a volume at: ``/dev/sdf``, ``/dev/xvdb``, ``sdh``.
DEVICE = re.compile(r"^(/dev/)?[a-z]{2,8}[0-9]{0,3}$")
#: Devices picked, in order, for an attach that names none (EC2's recommended range).
FREE_DEVICES = tuple(f"/dev/sd{letter}" for letter in "fghijklmnop")


def _name(value: str | None, what: str) -> str:
    name = text_param(value, "name", f"{what} name")
    if len(name) > 255:
        raise ValidationError(f"The {what} name must be at most 255 characters", param="name")
    return name


class StorageMixin(MockParts):
    """Storage volumes and snapshots, shared by every user of the store."""

    # -- volumes -------------------------------------------------------------------------------

    def storage_volumes(self, filters: Filters) -> list[StorageVolume]:
        """Every volume; ``id``, ``state`` and ``realm_id`` filters are applied in SQL."""
        self._user()
        fields = {k: filters[k] for k in ("state", "realm_id") if filters.get(k) is not None}
        if "state" in fields:
            fields["state"] = fields["state"].upper()
        return [records_extra.volume(d) for d in self.store.list(VOLUMES, id=filters.get("id"), fields=fields)]

    def storage_volume(self, id: str) -> StorageVolume:
        """One volume."""
        self._user()
        doc = self.store.get(VOLUMES, id)
        if doc is None:
            raise NotFoundError(f"Storage volume '{id}' not found")
        return records_extra.volume(doc)

    def create_storage_volume(self, capacity: int | None = None, realm_id: str | None = None,
                              snapshot_id: str | None = None, name: str | None = None,
                              description: str | None = None) -> StorageVolume:
        """A new AVAILABLE volume: empty, or as large as its snapshot (or larger) when made from one."""
        user = self._user()
        realm = realm_id or catalog.DEFAULT_REALM
        if realm not in catalog.REALMS_BY_ID:
            raise ValidationError(f"Realm '{realm}' does not exist", param="realm_id")
        doc = {"name": _name(name, "volume"), "description": text_param(description, "description", "description"),
               "realm_id": realm, "state": "AVAILABLE", "created": timestamp(time.time()), "instance_id": None,
               "device": None, "snapshot_id": snapshot_id, "owner_id": user}
        with self.store.transaction() as tx:
            size = capacity if capacity is not None else DEFAULT_CAPACITY
            if snapshot_id is not None:
                snap = tx.get(SNAPSHOTS, snapshot_id)
                if snap is None:
                    raise ValidationError(f"Snapshot '{snapshot_id}' does not exist", param="snapshot_id")
                least = snap.get("capacity") or DEFAULT_CAPACITY
                if capacity is not None and capacity < least:
                    raise ValidationError(f"Parameter 'capacity' must be at least {least} GB, the size of "
                                          f"snapshot '{snapshot_id}'", param="capacity")
                size = capacity if capacity is not None else least
            doc.update(id=tx.next_free_id(VOLUMES, "vol"), capacity=size)
            tx.insert(VOLUMES, doc, owner=user)
        return records_extra.volume(doc)

    def attach_storage_volume(self, id: str, instance_id: str, device: str | None = None) -> StorageVolume:
        """Attach an AVAILABLE volume to an instance of its realm at a device the instance does not use.

        Without ``device`` (1.1's Ruby client sends none), the first free one of ``FREE_DEVICES``.
        """
        user = self._user()
        if device is not None and not DEVICE.match(device):
            raise ValidationError(f"Parameter 'device': '{device[:40]}' is not a device name such as /dev/sdf",
                                  param="device")
        with self.store.transaction() as tx:
            vol = tx.get(VOLUMES, id)
            if vol is None:
                raise NotFoundError(f"Storage volume '{id}' not found")
            inst = instance_of(tx, instance_id, user)
            if vol.get("instance_id"):
                raise ConflictError(f"Storage volume '{id}' is already attached to instance '{vol['instance_id']}'"
                                    f" at {vol.get('device')}; detach it first")
            if inst["realm_id"] != vol["realm_id"]:
                raise ConflictError(f"Storage volume '{id}' is in realm '{vol['realm_id']}' and instance "
                                    f"'{instance_id}' in realm '{inst['realm_id']}': a volume attaches only to "
                                    f"instances of its own realm")
            attached = inst.get("storage_volumes") or []
            if device is None:
                used = {v.get("device") for v in attached}
                device = next((d for d in FREE_DEVICES if d not in used), None)
                if device is None:
                    raise ConflictError(f"Instance '{instance_id}' has no free device left; name one")
            taken = next((v["id"] for v in attached if v.get("device") == device), None)
            if taken is not None:
                raise ConflictError(f"Instance '{instance_id}' already has volume '{taken}' at {device}")
            vol = dict(vol, state="IN-USE", instance_id=instance_id, device=device)
            inst["storage_volumes"] = [*attached, {"id": id, "device": device}]
            tx.put(VOLUMES, vol, owner=vol.get("owner_id"))
            put_instance(tx, inst)
        return records_extra.volume(vol)

    def detach_storage_volume(self, id: str) -> StorageVolume:
        """Detach an IN-USE volume; it becomes AVAILABLE and leaves its instance's list."""
        self._user()
        with self.store.transaction() as tx:
            vol = tx.get(VOLUMES, id)
            if vol is None:
                raise NotFoundError(f"Storage volume '{id}' not found")
            if not vol.get("instance_id"):
                raise ConflictError(f"Storage volume '{id}' is not attached")
            inst = tx.get("instances", vol["instance_id"])
            if inst is not None:
                inst["storage_volumes"] = [v for v in inst.get("storage_volumes") or [] if v["id"] != id]
                put_instance(tx, inst)
            vol = dict(vol, state="AVAILABLE", instance_id=None, device=None)
            tx.put(VOLUMES, vol, owner=vol.get("owner_id"))
        return records_extra.volume(vol)

    def destroy_storage_volume(self, id: str) -> None:
        """Delete a volume that is not attached (its snapshots stay)."""
        self._user()
        with self.store.transaction() as tx:
            vol = tx.get(VOLUMES, id)
            if vol is None:
                raise NotFoundError(f"Storage volume '{id}' not found")
            if vol.get("instance_id"):
                raise ConflictError(f"Storage volume '{id}' is attached to instance '{vol['instance_id']}'; "
                                    "detach it first")
            tx.delete(VOLUMES, id)

    # -- snapshots -----------------------------------------------------------------------------

    def storage_snapshots(self, filters: Filters) -> list[StorageSnapshot]:
        """Every snapshot; ``filters`` may narrow by ``id``."""
        self._user()
        return [records_extra.snapshot(d) for d in self.store.list(SNAPSHOTS, id=filters.get("id"))]

    def storage_snapshot(self, id: str) -> StorageSnapshot:
        """One snapshot."""
        self._user()
        doc = self.store.get(SNAPSHOTS, id)
        if doc is None:
            raise NotFoundError(f"Storage snapshot '{id}' not found")
        return records_extra.snapshot(doc)

    def create_storage_snapshot(self, volume_id: str, name: str | None = None,
                                description: str | None = None) -> StorageSnapshot:
        """A COMPLETED snapshot of a volume, attached or not."""
        user = self._user()
        doc = {"name": _name(name, "snapshot"), "description": text_param(description, "description", "description"),
               "storage_volume_id": volume_id, "state": "COMPLETED", "created": timestamp(time.time()),
               "owner_id": user}
        with self.store.transaction() as tx:
            vol = tx.get(VOLUMES, volume_id)
            if vol is None:
                raise ValidationError(f"Storage volume '{volume_id}' does not exist", param="volume_id")
            doc.update(id=tx.next_free_id(SNAPSHOTS, "snap"), capacity=vol.get("capacity") or DEFAULT_CAPACITY)
            tx.insert(SNAPSHOTS, doc, owner=user)
        return records_extra.snapshot(doc)

    def destroy_storage_snapshot(self, id: str) -> None:
        """Delete a snapshot (volumes made from it stay)."""
        self._user()
        with self.store.transaction() as tx:
            if not tx.delete(SNAPSHOTS, id):
                raise NotFoundError(f"Storage snapshot '{id}' not found")
