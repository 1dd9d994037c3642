"""The models drivers return: plain frozen dataclasses, never XML or dicts (``from deltacloud.models import X``).

``compute`` holds the base collections' models, ``extra`` the optional collections', ``networks``
the networking collections' (networks, subnets, network interfaces) and a command's output.
"""

from deltacloud.models.compute import (
    PROPERTY_UNITS,
    Address,
    AttachedVolume,
    Credentials,
    DriverInfo,
    HardwareProfile,
    HardwareProperty,
    Image,
    Instance,
    Key,
    LaunchOptions,
    PropertyKind,
    Provider,
    Realm,
)
from deltacloud.models.extra import (
    Blob,
    Bucket,
    Firewall,
    FirewallRule,
    Listener,
    LoadBalancer,
    Metric,
    MetricProperty,
    MetricSample,
    PublicAddress,
    RuleSource,
    StorageSnapshot,
    StorageVolume,
)
from deltacloud.models.networks import CommandOutput, Network, NetworkInterface, Subnet

__all__ = [
    "PROPERTY_UNITS", "Address", "AttachedVolume", "Blob", "Bucket", "CommandOutput", "Credentials", "DriverInfo",
    "Firewall", "FirewallRule", "HardwareProfile", "HardwareProperty", "Image", "Instance", "Key", "LaunchOptions",
    "Listener", "LoadBalancer", "Metric", "MetricProperty", "MetricSample", "Network", "NetworkInterface",
    "PropertyKind", "Provider", "PublicAddress", "Realm", "RuleSource", "StorageSnapshot", "StorageVolume", "Subnet",
]
