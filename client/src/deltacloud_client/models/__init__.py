"""Typed models of every collection, and the registry that picks one by collection or XML tag."""

from __future__ import annotations

from deltacloud_client.models.base import Link, Resource
from deltacloud_client.models.compute import (
    CommandOutput,
    Driver,
    HardwareProfile,
    Image,
    Instance,
    Key,
    Metric,
    Property,
    Realm,
)
from deltacloud_client.models.network import Address, Firewall, LoadBalancer, Network, NetworkInterface, Subnet
from deltacloud_client.models.storage import Blob, Bucket, StorageSnapshot, StorageVolume

#: Every model class, by collection name.
MODELS: dict[str, type[Resource]] = {
    cls.collection: cls
    for cls in (Instance, Image, Realm, HardwareProfile, Key, Metric, Driver, StorageVolume, StorageSnapshot,
                Bucket, Blob, Address, Firewall, LoadBalancer, Network, Subnet, NetworkInterface)
}

#: Model classes by singular name (the XML root tag or JSON wrapper of one item).
BY_SINGULAR: dict[str, type[Resource]] = {cls.singular: cls for cls in MODELS.values()}


def model_class(name: str) -> type[Resource]:
    """The model of a collection (plural) or item (singular) name; plain ``Resource`` for unknown ones."""
    return MODELS.get(name) or BY_SINGULAR.get(name) or Resource


__all__ = [
    "BY_SINGULAR", "MODELS", "Address", "Blob", "Bucket", "CommandOutput", "Driver", "Firewall", "HardwareProfile",
    "Image", "Instance", "Key", "Link", "LoadBalancer", "Metric", "Network", "NetworkInterface", "Property", "Realm",
    "Resource", "StorageSnapshot", "StorageVolume", "Subnet", "model_class",
]
