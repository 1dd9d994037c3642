"""Storage volumes (EBS volumes) and storage snapshots (EBS snapshots)."""

from __future__ import annotations

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import StorageSnapshot, StorageVolume
from deltacloud_driver_ec2 import convert
from deltacloud_driver_ec2.compute import name_tags, references_checked
from deltacloud_driver_ec2.session import Ec2Session, filters_params, items_of, text


class EbsMixin(Ec2Session):
    """EBS volumes and snapshots."""

    # -- volumes -------------------------------------------------------------------------------

    def _volumes(self, filters: dict[str, str]) -> list[StorageVolume]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params={"Action": "DescribeVolumes", **filters_params(filters)}).object
            return [convert.volume(ec2._to_volume(item)) for item in items_of(root, "volumeSet", "DescribeVolumes")]

    def storage_volumes(self, filters: Filters) -> list[StorageVolume]:
        """The region's volumes."""
        return self._volumes({"volume-id": filters["id"]} if filters.get("id") else {})

    def storage_volume(self, id: str) -> StorageVolume:
        """One volume."""
        found = self._volumes({"volume-id": id})
        if not found:
            raise NotFoundError(f"Storage volume '{id}' not found")
        return found[0]

    def create_storage_volume(self, capacity: int | None = None, realm_id: str | None = None,
                              snapshot_id: str | None = None, name: str | None = None,
                              description: str | None = None) -> StorageVolume:
        """``CreateVolume`` of ``capacity`` GB or from a snapshot, in ``realm_id`` or the first available zone."""
        if capacity is None and not snapshot_id:
            raise ValidationError("A new volume needs a capacity or a snapshot", param="capacity")
        zone = realm_id or next((r.id for r in self.realms({}) if r.state == "AVAILABLE"), None)
        if not zone:
            raise ConflictError("No availability zone is available for a new volume")
        params = {"Action": "CreateVolume", "AvailabilityZone": zone}
        if capacity is not None:
            params["Size"] = str(int(capacity))
        if snapshot_id:
            params["SnapshotId"] = snapshot_id
        params.update(name_tags("volume", name, description))
        with references_checked("Cannot create the volume"):
            volume_id = text(self.ec2_call(params), "volumeId")
        if not volume_id:
            raise ValidationError("EC2 answered CreateVolume without a volume id")
        return self.storage_volume(volume_id)

    def attach_storage_volume(self, id: str, instance_id: str, device: str) -> StorageVolume:
        """``AttachVolume`` at ``device`` (e.g. ``/dev/sdf``)."""
        self.storage_volume(id)
        with references_checked("Cannot attach the volume"):
            self.ec2_call({"Action": "AttachVolume", "VolumeId": id, "InstanceId": instance_id, "Device": device})
        return self.storage_volume(id)

    def detach_storage_volume(self, id: str) -> StorageVolume:
        """``DetachVolume`` from the instance it is attached to (named explicitly, as moto needs)."""
        volume = self.storage_volume(id)
        if not volume.instance_id:
            raise ConflictError(f"Storage volume '{id}' is not attached")
        self.ec2_call({"Action": "DetachVolume", "VolumeId": id, "InstanceId": volume.instance_id})
        return self.storage_volume(id)

    def destroy_storage_volume(self, id: str) -> None:
        """``DeleteVolume`` (409 while attached)."""
        self.storage_volume(id)
        self.ec2_call({"Action": "DeleteVolume", "VolumeId": id})

    # -- snapshots -----------------------------------------------------------------------------

    def _snapshots(self, params: dict[str, str]) -> list[StorageSnapshot]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params={"Action": "DescribeSnapshots", **params}).object
            items = items_of(root, "snapshotSet", "DescribeSnapshots")
            return [convert.snapshot(ec2._to_snapshot(item)) for item in items]

    def storage_snapshots(self, filters: Filters) -> list[StorageSnapshot]:
        """The caller's own snapshots (or the one asked for by id)."""
        if filters.get("id"):
            return self._snapshots(filters_params({"snapshot-id": filters["id"]}))
        return self._snapshots({"Owner.1": "self"})

    def storage_snapshot(self, id: str) -> StorageSnapshot:
        """One snapshot."""
        found = self._snapshots(filters_params({"snapshot-id": id}))
        if not found:
            raise NotFoundError(f"Storage snapshot '{id}' not found")
        return found[0]

    def create_storage_snapshot(self, volume_id: str, name: str | None = None,
                                description: str | None = None) -> StorageSnapshot:
        """``CreateSnapshot`` of a volume."""
        params = {"Action": "CreateSnapshot", "VolumeId": volume_id}
        if description:
            params["Description"] = description
        params.update(name_tags("snapshot", name))
        with references_checked("Cannot snapshot the volume"):
            snapshot_id = text(self.ec2_call(params), "snapshotId")
        if not snapshot_id:
            raise ValidationError("EC2 answered CreateSnapshot without a snapshot id")
        return self.storage_snapshot(snapshot_id)

    def destroy_storage_snapshot(self, id: str) -> None:
        """``DeleteSnapshot``."""
        self.storage_snapshot(id)
        self.ec2_call({"Action": "DeleteSnapshot", "SnapshotId": id})
