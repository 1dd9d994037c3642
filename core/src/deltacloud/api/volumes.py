"""Block storage in the API description: storage volumes and their snapshots."""

from __future__ import annotations

import functools
import inspect
from typing import Any

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.errors import ValidationError
from deltacloud.models import StorageSnapshot, StorageVolume

ID_FILTER = Param("id", description="Only the object with this id")
#: The largest volume a client may ask for, in GB (EBS's limit, 16 TiB).
MAX_CAPACITY = 16384

@functools.cache
def picks_device(driver_class: type) -> bool:
    """Whether the driver's ``attach_storage_volume`` may be called without ``device`` (it picks a free one)."""
    parameter = inspect.signature(driver_class.attach_storage_volume).parameters.get("device")
    return parameter is None or parameter.default is not inspect.Parameter.empty


def attach_volume(driver: Any, id: str, values: dict[str, Any]) -> StorageVolume:
    """Attach at ``device``; without one (1.1's Ruby client sends none), the driver picks a free device."""
    device = values.get("device")
    if device is None:
        if not picks_device(type(driver)):
            raise ValidationError("Parameter 'device' is required: this driver cannot choose a device", param="device")
        return driver.attach_storage_volume(id, instance_id=values["instance_id"])
    return driver.attach_storage_volume(id, instance_id=values["instance_id"], device=device)


STORAGE_VOLUMES = Collection(
    "storage_volumes", "storage_volume",
    "Block devices that live apart from instances; attached to one instance of their realm at a time.",
    (Operation("index", "index", "storage_volumes",
               params=(ID_FILTER, Param("state", description="Only volumes in this state (AVAILABLE, IN-USE)"),
                       Param("realm_id", description="Only volumes of this realm")),
               description="List volumes"),
     Operation("show", "show", "storage_volume", description="Show a volume"),
     Operation("create", "create", "create_storage_volume", status=201,
               params=(Param("capacity", "integer", minimum=1, maximum=MAX_CAPACITY,
                             description="Size in GB (with a snapshot: at least the snapshot's size, "
                                         "which is the default)"),
                       Param("realm_id", description="The realm the volume lives in"),
                       Param("snapshot_id", description="Make the volume from this snapshot")),
               description="Create a volume, empty or from a snapshot"),
     Operation("attach", "action", "attach_storage_volume", status=202,
               params=(Param("instance_id", required=True, description="An instance in the volume's realm"),
                       Param("device", description="Where the instance sees it, e.g. /dev/sdf; without it "
                                                   "the driver picks a free device (when it can; 400 otherwise)")),
               description="Attach an available volume to an instance", invoke=attach_volume,
               errors=((409, "the volume is attached already, the instance is in another realm, or the device "
                             "is taken"),)),
     Operation("detach", "action", "detach_storage_volume", status=202,
               description="Detach a volume from its instance", errors=((409, "the volume is not attached"),)),
     Operation("destroy", "destroy", "destroy_storage_volume", status=204,
               description="Delete a volume that is not attached", errors=((409, "the volume is attached"),))),
    model=StorageVolume)

STORAGE_SNAPSHOTS = Collection(
    "storage_snapshots", "storage_snapshot", "Point-in-time copies of volumes, to make new volumes from.",
    (Operation("index", "index", "storage_snapshots", params=(ID_FILTER,), description="List snapshots"),
     Operation("show", "show", "storage_snapshot", description="Show a snapshot"),
     Operation("create", "create", "create_storage_snapshot", status=201,
               params=(Param("volume_id", required=True, description="The volume to copy"),
                       Param("name", description="The snapshot's name"),
                       Param("description", description="What the snapshot holds")),
               description="Snapshot a volume"),
     Operation("destroy", "destroy", "destroy_storage_snapshot", status=204, description="Delete a snapshot")),
    model=StorageSnapshot)

#: The block storage collections in the order ``/api`` lists them.
VOLUME_COLLECTIONS: tuple[Collection, ...] = (STORAGE_VOLUMES, STORAGE_SNAPSHOTS)
