"""Named methods for every collection: ``instances()``, ``instance(id)``, ``create_instance(...)`` and the rest.

Each is a thin, typed call of the client's generic ``list``, ``get`` and ``create``; which exist
on a server is for its entry point to say (``client.supports("keys")``).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from deltacloud_client.models import (
    Address,
    Bucket,
    Driver,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LoadBalancer,
    Metric,
    Network,
    NetworkInterface,
    Realm,
    StorageSnapshot,
    StorageVolume,
    Subnet,
)

if TYPE_CHECKING:
    from typing import Protocol

    class _Generic(Protocol):
        def list(self, collection: str, **filters: Any) -> Any: ...
        def get(self, collection: str, id: str, *, conditional: bool = False) -> Any: ...
        def create(self, collection: str, **params: Any) -> Any: ...
else:
    _Generic = object


def encode_user_data(value: str | bytes) -> str:
    """``user_data`` as the API takes it: base64 text."""
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


class CollectionMethods(_Generic):
    """The named per-collection methods of :class:`deltacloud_client.Client`."""

    # -- instances
    def instances(self, **filters: Any) -> list[Instance]:
        """Instances (filters: ``state``, ``realm_id``, ``id``)."""
        return self.list("instances", **filters)

    def instance(self, id: str) -> Instance:
        """One instance."""
        return self.get("instances", id)

    def create_instance(self, image_id: str, **options: Any) -> Instance | list[Instance]:
        """Launch an instance: ``hwp_id``, ``realm_id``, ``name``, ``keyname``, ``hwp_memory``..., ``user_data``.

        ``user_data`` is given as text or bytes and sent base64-encoded. With ``instance_count`` > 1
        the server may answer a list.
        """
        if options.get("user_data") is not None:
            options["user_data"] = encode_user_data(options["user_data"])
        return self.create("instances", image_id=image_id, **options)

    # -- images, realms, hardware profiles
    def images(self, **filters: Any) -> list[Image]:
        """Images (filters: ``architecture``, ``owner_id``, ``id``)."""
        return self.list("images", **filters)

    def image(self, id: str) -> Image:
        """One image."""
        return self.get("images", id)

    def create_image(self, instance_id: str, **options: Any) -> Image:
        """Create an image from an instance (``name``, ``description``)."""
        return self.create("images", instance_id=instance_id, **options)

    def realms(self, **filters: Any) -> list[Realm]:
        """Realms."""
        return self.list("realms", **filters)

    def realm(self, id: str) -> Realm:
        """One realm."""
        return self.get("realms", id)

    def hardware_profiles(self, **filters: Any) -> list[HardwareProfile]:
        """Hardware profiles (filter: ``architecture``)."""
        return self.list("hardware_profiles", **filters)

    def hardware_profile(self, id: str) -> HardwareProfile:
        """One hardware profile."""
        return self.get("hardware_profiles", id)

    # -- keys
    def keys(self, **filters: Any) -> list[Key]:
        """Keys."""
        return self.list("keys", **filters)

    def key(self, id: str) -> Key:
        """One key."""
        return self.get("keys", id)

    def create_key(self, name: str, **options: Any) -> Key:
        """Create a key (``public_key`` imports one where ``import_key`` is advertised)."""
        return self.create("keys", name=name, **options)

    # -- storage
    def storage_volumes(self, **filters: Any) -> list[StorageVolume]:
        """Storage volumes."""
        return self.list("storage_volumes", **filters)

    def storage_volume(self, id: str) -> StorageVolume:
        """One storage volume."""
        return self.get("storage_volumes", id)

    def create_storage_volume(self, **options: Any) -> StorageVolume:
        """Create a volume: ``capacity`` (GB), ``realm_id``, ``snapshot_id``, ``name``, ``description``."""
        return self.create("storage_volumes", **options)

    def storage_snapshots(self, **filters: Any) -> list[StorageSnapshot]:
        """Storage snapshots."""
        return self.list("storage_snapshots", **filters)

    def storage_snapshot(self, id: str) -> StorageSnapshot:
        """One storage snapshot."""
        return self.get("storage_snapshots", id)

    def create_storage_snapshot(self, volume_id: str, **options: Any) -> StorageSnapshot:
        """Snapshot a volume."""
        return self.create("storage_snapshots", volume_id=volume_id, **options)

    def buckets(self, **filters: Any) -> list[Bucket]:
        """Buckets."""
        return self.list("buckets", **filters)

    def bucket(self, id: str) -> Bucket:
        """One bucket, with the ids of its blobs."""
        return self.get("buckets", id)

    def create_bucket(self, name: str, **options: Any) -> Bucket:
        """Create a bucket (``location`` where ``bucket_location`` is advertised)."""
        return self.create("buckets", name=name, **options)

    # -- network
    def addresses(self, **filters: Any) -> list[Address]:
        """Public addresses."""
        return self.list("addresses", **filters)

    def address(self, id: str) -> Address:
        """One address."""
        return self.get("addresses", id)

    def create_address(self, **options: Any) -> Address:
        """Allocate an address."""
        return self.create("addresses", **options)

    def firewalls(self, **filters: Any) -> list[Firewall]:
        """Firewalls."""
        return self.list("firewalls", **filters)

    def firewall(self, id: str) -> Firewall:
        """One firewall, with its rules."""
        return self.get("firewalls", id)

    def create_firewall(self, name: str, description: str, **options: Any) -> Firewall:
        """Create a firewall."""
        return self.create("firewalls", name=name, description=description, **options)

    def load_balancers(self, **filters: Any) -> list[LoadBalancer]:
        """Load balancers."""
        return self.list("load_balancers", **filters)

    def load_balancer(self, id: str) -> LoadBalancer:
        """One load balancer."""
        return self.get("load_balancers", id)

    def create_load_balancer(self, name: str, realm_id: str, listener_protocol: str,
                             listener_balancer_port: int | str, listener_instance_port: int | str,
                             **options: Any) -> LoadBalancer:
        """Create a load balancer with one listener."""
        return self.create("load_balancers", name=name, realm_id=realm_id, listener_protocol=listener_protocol,
                           listener_balancer_port=listener_balancer_port,
                           listener_instance_port=listener_instance_port, **options)

    def networks(self, **filters: Any) -> list[Network]:
        """Networks (the original 1.1.3 API)."""
        return self.list("networks", **filters)

    def network(self, id: str) -> Network:
        """One network."""
        return self.get("networks", id)

    def subnets(self, **filters: Any) -> list[Subnet]:
        """Subnets (the original 1.1.3 API)."""
        return self.list("subnets", **filters)

    def subnet(self, id: str) -> Subnet:
        """One subnet."""
        return self.get("subnets", id)

    def network_interfaces(self, **filters: Any) -> list[NetworkInterface]:
        """Network interfaces (the original 1.1.3 API)."""
        return self.list("network_interfaces", **filters)

    def network_interface(self, id: str) -> NetworkInterface:
        """One network interface."""
        return self.get("network_interfaces", id)

    # -- metrics, drivers
    def metrics(self, **filters: Any) -> list[Metric]:
        """Metrics, one per instance."""
        return self.list("metrics", **filters)

    def metric(self, id: str) -> Metric:
        """One instance's metrics, with samples."""
        return self.get("metrics", id)

    def drivers(self) -> list[Driver]:
        """The server's installed drivers."""
        return self.list("drivers")

    def driver_info(self, id: str) -> Driver:
        """One driver and its providers."""
        return self.get("drivers", id)
