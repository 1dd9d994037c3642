"""Deprecated import path, kept for one release: import the optional collections' models from ``deltacloud.models``."""

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

__all__ = ["Blob", "Bucket", "Firewall", "FirewallRule", "Listener", "LoadBalancer", "Metric", "MetricProperty",
           "MetricSample", "PublicAddress", "RuleSource", "StorageSnapshot", "StorageVolume"]
