"""Storage volumes as oVirt 4 disks: floating disks on the data center's storage domain, attached to VMs.

A volume is a disk; it is created floating (``POST /disks`` on the data center's first data
storage domain), attached with ``POST /vms/{id}/diskattachments`` and detached by deleting
that attachment. oVirt picks the device name inside the guest, so the ``device`` a client asks
for is not used; a volume shows the logical name the engine reports, if any. Snapshots of
single disks are not offered (oVirt snapshots whole VMs).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from deltacloud.driver import Filters
from deltacloud.errors import NotFoundError, ValidationError
from deltacloud.models import StorageVolume
from deltacloud_driver_rhevm import wire

if TYPE_CHECKING:
    from deltacloud_driver_rhevm.engine import EngineClient


class VolumesMixin:
    """The storage volume operations of ``RhevmDriver`` (which supplies ``client`` and ``data_center``)."""

    def _volume_context(self) -> tuple[EngineClient, str, dict[str, tuple[str, str]]]:
        """The client, the realm volumes are shown in, and disk id -> (VM id, device) of attached disks."""
        api = self.client()  # type: ignore[attr-defined]
        _, dc_name = self.data_center(api)  # type: ignore[attr-defined]
        clusters = api.get("/clusters", search=wire.in_data_center(dc_name)).findall("cluster")
        attached: dict[str, tuple[str, str]] = {}
        for vm in api.get("/vms", search=wire.in_data_center(dc_name)).findall("vm"):
            for attachment in api.get(f"/vms/{vm.get('id')}/diskattachments").findall("disk_attachment"):
                attached[wire.ref(attachment, "disk")] = (vm.get("id", ""), wire.text(attachment, "logical_name"))
        return api, clusters[0].get("id", "") if clusters else "", attached

    def storage_volumes(self, filters: Filters) -> list[StorageVolume]:
        api, realm, attached = self._volume_context()
        return [wire.volume(d, realm, attached.get(d.get("id", ""))) for d in api.get("/disks").findall("disk")]

    def storage_volume(self, id: str) -> StorageVolume:
        if not wire.is_id(id):
            raise NotFoundError(f"Storage volume '{id[:64]}' not found")
        api, realm, attached = self._volume_context()
        return wire.volume(api.get(f"/disks/{id}"), realm, attached.get(id))

    def _storage_domain(self, api: EngineClient, dc_name: str) -> str:
        for domain in api.get("/storagedomains", search=wire.in_data_center(dc_name)).findall("storage_domain"):
            if wire.text(domain, "type", "data") == "data":
                return domain.get("id", "")
        raise ValidationError("The data center has no data storage domain for new disks", param="realm_id")

    def _new_disk(self, name: str, size_gb: int, domain: str) -> ET.Element:
        disk = ET.Element("disk")
        for tag, value in (("name", name), ("provisioned_size", size_gb * wire.GiB), ("format", "cow")):
            ET.SubElement(disk, tag).text = str(value)
        ET.SubElement(ET.SubElement(disk, "storage_domains"), "storage_domain", id=domain)
        return disk

    def add_data_disk(self, api: EngineClient, dc_name: str, vm_id: str, name: str, size_gb: int) -> None:
        """Give a new VM one more disk of ``size_gb`` (how ``hwp_storage`` is honoured)."""
        attachment = ET.Element("disk_attachment")
        for tag, value in (("bootable", "false"), ("interface", "virtio"), ("active", "true")):
            ET.SubElement(attachment, tag).text = value
        attachment.append(self._new_disk(name, size_gb, self._storage_domain(api, dc_name)))
        api.send("POST", f"/vms/{vm_id}/diskattachments", ET.tostring(attachment, encoding="utf-8"))

    def create_storage_volume(self, capacity: int | None = None, realm_id: str | None = None,
                              snapshot_id: str | None = None, name: str | None = None,
                              description: str | None = None) -> StorageVolume:
        if snapshot_id:
            raise ValidationError("oVirt disks cannot be made from volume snapshots", param="snapshot_id")
        api = self.client()  # type: ignore[attr-defined]
        _, dc_name = self.data_center(api)  # type: ignore[attr-defined]
        size = int(capacity or 1)
        if size < 1:
            raise ValidationError("capacity must be at least 1 GB", param="capacity")
        disk = self._new_disk(name or "deltacloud-volume", size, self._storage_domain(api, dc_name))
        if description:
            ET.SubElement(disk, "description").text = description
        created = api.send("POST", "/disks", ET.tostring(disk, encoding="utf-8"))
        if created is None:
            raise NotFoundError("The engine answered no disk")
        clusters = api.get("/clusters", search=wire.in_data_center(dc_name)).findall("cluster")
        return wire.volume(created, realm_id or (clusters[0].get("id", "") if clusters else ""), None)

    def attach_storage_volume(self, id: str, instance_id: str, device: str) -> StorageVolume:
        api = self.client()  # type: ignore[attr-defined]
        self.storage_volume(id)
        if not wire.is_id(instance_id):
            raise ValidationError("instance_id must name an instance", param="instance_id")
        attachment = ET.Element("disk_attachment")
        for tag, value in (("bootable", "false"), ("interface", "virtio"), ("active", "true")):
            ET.SubElement(attachment, tag).text = value
        ET.SubElement(attachment, "disk", id=id)
        api.send("POST", f"/vms/{instance_id}/diskattachments", ET.tostring(attachment, encoding="utf-8"))
        return self.storage_volume(id)

    def detach_storage_volume(self, id: str) -> StorageVolume:
        volume = self.storage_volume(id)
        if not volume.instance_id:
            return volume
        self.client().send("DELETE", f"/vms/{volume.instance_id}/diskattachments/{id}")  # type: ignore[attr-defined]
        return self.storage_volume(id)

    def destroy_storage_volume(self, id: str) -> None:
        self.storage_volume(id)
        self.client().send("DELETE", f"/disks/{id}")  # type: ignore[attr-defined]
