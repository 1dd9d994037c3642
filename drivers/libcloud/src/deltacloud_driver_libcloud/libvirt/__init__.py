"""The ``libvirt`` driver: domains of a libvirt hypervisor through libcloud's libvirt driver.

Installed as the entry point ``libvirt`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.libvirt.driver import FEATURES, LibvirtDriver

__all__ = ["FEATURES", "LibvirtDriver"]
