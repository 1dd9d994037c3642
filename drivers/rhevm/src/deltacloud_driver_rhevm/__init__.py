"""Deltacloud's RHEV-M / oVirt driver: the engine's REST API over the SDK's backend toolkit.

Installed as the entry point ``rhevm`` of the group ``deltacloud.drivers``.
"""

from deltacloud_driver_rhevm.driver import FEATURES, RhevmDriver

__all__ = ["FEATURES", "RhevmDriver"]
