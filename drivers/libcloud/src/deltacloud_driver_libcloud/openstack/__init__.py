"""The ``openstack`` driver: OpenStack Nova (compute and key pairs) through libcloud's OpenStack driver.

Installed as the entry point ``openstack`` in the group ``deltacloud.drivers``.
"""

from deltacloud_driver_libcloud.openstack.driver import FEATURES, OpenStackDriver

__all__ = ["FEATURES", "OpenStackDriver"]
