"""The ``vcloud`` driver: VMware vCloud Director (API 1.5 and later) through libcloud's vCloud driver.

Installed as the entry point ``vcloud`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.vcloud.driver import FEATURES, VCloudDriver

__all__ = ["FEATURES", "VCloudDriver"]
